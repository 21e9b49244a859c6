/**
 * Actions: xstate action values compiled into ActionOps, and the runner that executes them with xstate's semantics
 * (xstate `resolveAndExecuteActionsWithContext()`): actions run in order, each sees the context left by the ones
 * before it (an `assign` is visible to the next action of the same list), `raise` appends to the internal queue,
 * `enqueueActions` collects actions that then run in the same way.
 *
 * WHAT IS SKIPPED, AND WHY THAT IS EXACT. The reference semantics is xstate's pure `transition()`, which records but
 * never executes custom actions (plain functions, and named actions implemented by plain functions), nor the
 * executable part of `log`, `emit` and `cancel`: none of them can change the state value, the context (short of
 * mutating it in place, which xstate forbids) or the internal queue. So they are skipped, their params unevaluated.
 * An action name with no implementation is skipped too (xstate records it and moves on).
 *
 * WHAT IS NOT RUN. `sendTo` / `sendParent` / `forwardTo`, `spawnChild`, `stopChild`, delayed `raise`, and any
 * unknown built-in become `unsupported` ops: statechart.ts finds the static ones before compiling (and falls back
 * to xstate, or refuses); one reached at run time (through `enqueueActions`) throws UnsupportedFeatureError.
 */
import {
  assign as xsAssign,
  cancel as xsCancel,
  emit as xsEmit,
  raise as xsRaise,
  sendParent as xsSendParent,
  sendTo as xsSendTo,
  spawnChild as xsSpawnChild,
  stopChild as xsStopChild,
  type EventObject,
} from 'xstate';
import { compileGuard, type GuardContext } from './guards.ts';
import { UnsupportedFeatureError } from './errors.ts';
import type { ActionOp, Configuration, ParamsSpec } from './types.ts';

/** What compiling actions needs from the machine. */
export interface ActionContext {
  /** `machine.implementations.actions`. */
  readonly actions: Record<string, unknown>;
  /** For guards checked inside `enqueueActions` (`check(guard)`). */
  readonly guardContext: GuardContext;
}

/** The mutable state a list of actions runs against (one per macrostep, reused). */
export interface ExecState {
  context: unknown;
  event: EventObject;
  /** Set when an `assign` ran (xstate then makes a new snapshot object, which keeps eventless selection going). */
  assigned: boolean;
  /** The internal event queue (raised events and done events). */
  readonly queue: EventObject[];
  /** The configuration of the snapshot the actions run against (xstate keeps the pre-microstep `_nodes`). */
  visible: Configuration;
}

const SKIP: ActionOp = { kind: 'skip' };

/** Built-in action types that cannot change value, context or queue under transition(). */
const INERT_BUILTINS = new Set(['xstate.log', 'xstate.emit', 'xstate.cancel']);

/** Features by built-in action type. */
const UNSUPPORTED_BUILTINS: Record<string, string> = {
  'xstate.sendTo': 'sendTo/sendParent/forwardTo',
  'xstate.spawnChild': 'spawnChild',
  'xstate.stopChild': 'stopChild',
};

/** Compiles one xstate action value (as found in `entry`, `exit`, `actions`, or enqueued). */
export function compileAction(action: unknown, ac: ActionContext, where: string): ActionOp {
  const isInline = typeof action === 'function';
  let name: string | undefined;
  let resolved: unknown;
  if (isInline) {
    resolved = action;
  } else {
    name = typeof action === 'string' ? action : (action as { type?: unknown } | null)?.type as string | undefined;
    if (typeof name !== 'string') return { kind: 'unsupported', feature: `an action that is neither a function, a name nor { type }`, where };
    resolved = ac.actions[name];
  }
  const params: ParamsSpec =
    isInline || typeof action === 'string' || !('params' in (action as object))
      ? undefined
      : typeof (action as { params: unknown }).params === 'function'
        ? { fn: (action as { params: Function }).params }
        : { value: (action as { params: unknown }).params };
  if (resolved === undefined || resolved === null) return SKIP; // unimplemented name: xstate records it, runs nothing
  if (typeof resolved !== 'function' && typeof resolved !== 'object') {
    return { kind: 'unsupported', feature: `action implementation '${name}' that is not a function`, where };
  }
  if (!('resolve' in (resolved as object))) return SKIP; // a custom action: a side effect transition() never runs
  const builtin = resolved as { type?: string; assignment?: unknown; event?: unknown; delay?: unknown; collect?: Function };
  const type = builtin.type ?? '(unknown)';
  switch (type) {
    case 'xstate.assign':
      return {
        kind: 'assign',
        assignment: builtin.assignment,
        keys: typeof builtin.assignment === 'function' ? null : Object.keys(builtin.assignment as object),
        params,
        where,
      };
    case 'xstate.raise':
      if (builtin.delay !== undefined) return { kind: 'unsupported', feature: 'delayed raise', where };
      return { kind: 'raise', event: builtin.event, params, where };
    case 'xstate.enqueueActions':
      return { kind: 'enqueue', collect: builtin.collect!, params, where };
    default:
      if (INERT_BUILTINS.has(type)) return SKIP;
      return { kind: 'unsupported', feature: UNSUPPORTED_BUILTINS[type] ?? `built-in action '${type}'`, where };
  }
}

/** Compiles a list of actions. */
export function compileActions(actions: readonly unknown[], ac: ActionContext, where: string): ActionOp[] {
  const ops: ActionOp[] = [];
  for (const a of actions) {
    const op = compileAction(a, ac, where);
    if (op.kind !== 'skip') ops.push(op);
  }
  return ops;
}

/** Names of the custom (side-effect) actions in a list, for the compile notes. */
export function customActionNames(actions: readonly unknown[], ac: ActionContext): string[] {
  const names: string[] = [];
  for (const a of actions) {
    const name = typeof a === 'function' ? a.name || 'inline' : typeof a === 'string' ? a : (a as { type?: string })?.type;
    const resolved = typeof a === 'function' ? a : name !== undefined ? ac.actions[name] : undefined;
    if (typeof resolved === 'function' && !('resolve' in resolved)) names.push(name ?? 'inline');
  }
  return names;
}

function refuseSpawn(): never {
  throw new UnsupportedFeatureError([{ feature: 'spawn (inside assign)', where: 'an assign action' }]);
}

function paramsOf(p: ParamsSpec, ex: ExecState): unknown {
  if (p === undefined) return undefined;
  if ('fn' in p) return p.fn({ context: ex.context, event: ex.event });
  return p.value;
}

/** Runs `ops` in order against `ex` (xstate resolveActionsAndContext for one list). */
export function runActions(ops: readonly ActionOp[], ex: ExecState, ac: ActionContext): void {
  for (let i = 0; i < ops.length; i++) runAction(ops[i]!, ex, ac);
}

function runAction(op: ActionOp, ex: ExecState, ac: ActionContext): void {
  switch (op.kind) {
    case 'assign': {
      const params = paramsOf(op.params, ex);
      const context = ex.context;
      if (!context) throw new Error('Cannot assign to undefined `context`. Ensure that `context` is defined in the machine config.');
      const args = { context, event: ex.event, spawn: refuseSpawn, self: undefined, system: undefined };
      const assignment = op.assignment;
      const keys = op.keys;
      if (keys === null) {
        ex.context = Object.assign({}, context, (assignment as Function)(args, params));
      } else {
        // xstate evaluates every property assigner against the same (old) context, then merges: same result.
        const next: Record<string, unknown> = Object.assign({}, context);
        const props = assignment as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const pa = props[key];
          next[key] = typeof pa === 'function' ? pa(args, params) : pa;
        }
        ex.context = next;
      }
      ex.assigned = true;
      return;
    }
    case 'raise': {
      const params = paramsOf(op.params, ex);
      const e = op.event;
      if (typeof e === 'string') {
        throw new Error(`Only event objects may be used with raise; use raise({ type: "${e}" }) instead`);
      }
      const event = typeof e === 'function' ? e({ context: ex.context, event: ex.event, self: undefined, system: undefined }, params) : e;
      ex.queue.push(event as EventObject);
      return;
    }
    case 'enqueue': {
      const params = paramsOf(op.params, ex);
      const collected: unknown[] = [];
      const context = ex.context;
      const event = ex.event;
      const visible = ex.visible;
      const enqueue = Object.assign((a: unknown) => void collected.push(a), {
        assign: (...a: unknown[]) => void collected.push((xsAssign as Function)(...a)),
        cancel: (...a: unknown[]) => void collected.push((xsCancel as Function)(...a)),
        raise: (...a: unknown[]) => void collected.push((xsRaise as Function)(...a)),
        sendTo: (...a: unknown[]) => void collected.push((xsSendTo as Function)(...a)),
        sendParent: (...a: unknown[]) => void collected.push((xsSendParent as Function)(...a)),
        spawnChild: (...a: unknown[]) => void collected.push((xsSpawnChild as Function)(...a)),
        stopChild: (...a: unknown[]) => void collected.push((xsStopChild as Function)(...a)),
        emit: (...a: unknown[]) => void collected.push((xsEmit as Function)(...a)),
      });
      const check = (guard: unknown) => compileGuard(guard, ac.guardContext).fn(context, event, visible);
      op.collect({ context, event, enqueue, check, self: undefined, system: undefined }, params);
      for (const a of collected) runAction(compileAction(a, ac, op.where), ex, ac);
      return;
    }
    case 'skip':
      return;
    case 'unsupported':
      throw new UnsupportedFeatureError([{ feature: op.feature, where: op.where }]);
  }
}
