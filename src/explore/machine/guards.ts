/**
 * Guards: xstate guard values compiled into GuardFns with xstate's own evaluation rules (xstate
 * `evaluateGuard()`, guards.ts): inline functions, named guards (strings or `{ type, params }`, params possibly a
 * function of `{ context, event }`, names that resolve to another guard value), and the built-ins `and`, `or`, `not`
 * and `stateIn`. Short-circuiting follows xstate (`every` / `some`), so a guard that throws throws in the same cases.
 *
 * Built-ins are recognised by their `check` function when it is this process's xstate's, and otherwise by the check's
 * name and fields, so that a machine built with another copy of xstate still compiles.
 */
import { and, matchesState, not, or, stateIn, type EventObject, type StateValue } from 'xstate';
import type { Configuration, GuardFn, NodeRec } from './types.ts';

const CHECK_AND = (and([]) as unknown as { check: Function }).check;
const CHECK_OR = (or([]) as unknown as { check: Function }).check;
const CHECK_NOT = (not(() => true) as unknown as { check: Function }).check;
const CHECK_STATE_IN = (stateIn('x') as unknown as { check: Function }).check;

/** Named guards nested deeper than this are taken for a cycle (xstate would overflow its stack). */
const MAX_GUARD_DEPTH = 64;

/** What compiling a guard needs from the machine. */
export interface GuardContext {
  /** `machine.implementations.guards`. */
  readonly guards: Record<string, unknown>;
  /** Node index of an xstate id such as `#m.a.b` (throws like xstate's getStateNodeById when there is none). */
  nodeById(id: string): NodeRec;
  /** A fresh id for a `stateIn(value)` guard's per-configuration cache. */
  nextStateInId(): number;
}

/** A compiled guard and a description of it for coverage tables (`isReady`, `and(a, not(b))`). */
export interface CompiledGuard {
  readonly fn: GuardFn;
  readonly description: string;
  /** Features the engine cannot evaluate (an unknown built-in guard); empty when fully supported. */
  readonly unsupported: readonly string[];
}

/** Compiles an xstate guard value (what a transition's `guard` holds). */
export function compileGuard(spec: unknown, gc: GuardContext): CompiledGuard {
  const unsupported: string[] = [];
  const { fn, description } = compileAt(spec, gc, 0, unsupported);
  return { fn, description, unsupported };
}

function compileAt(spec: unknown, gc: GuardContext, depth: number, unsupported: string[]): { fn: GuardFn; description: string } {
  if (depth > MAX_GUARD_DEPTH) {
    return { fn: thrower(`guard nesting deeper than ${MAX_GUARD_DEPTH} (a named guard refers to itself?)`), description: '…' };
  }
  if (typeof spec === 'function') {
    if ('check' in spec) return compileBuiltin(spec as BuiltinGuard, gc, depth, unsupported);
    const inline = spec as (args: { context: unknown; event: EventObject }, params: unknown) => boolean;
    return { fn: (context, event) => inline({ context, event }, undefined), description: spec.name || 'inline' };
  }
  // A named guard: a string, or `{ type, params }`.
  const isString = typeof spec === 'string';
  const name = isString ? spec : (spec as { type?: unknown } | null)?.type;
  if (typeof name !== 'string') {
    return { fn: thrower(`a guard must be a function, a name or { type, params }; got ${describeValue(spec)}`), description: '?' };
  }
  const resolved = gc.guards[name];
  if (resolved === undefined || resolved === null) {
    // xstate throws at evaluation time, not at creation: so do we.
    return { fn: thrower(`Guard '${name}' is not implemented.'.`), description: name };
  }
  if (typeof resolved !== 'function') {
    // xstate evaluates the resolved value as a guard in its own right (its params replace ours).
    const inner = compileAt(resolved, gc, depth + 1, unsupported);
    return { fn: inner.fn, description: name };
  }
  if ('check' in resolved) {
    // A built-in behind a name: xstate passes the built-in its own fields, not the params.
    const inner = compileBuiltin(resolved as BuiltinGuard, gc, depth, unsupported);
    return { fn: inner.fn, description: name };
  }
  const impl = resolved as (args: { context: unknown; event: EventObject }, params: unknown) => boolean;
  const paramsSpec = isString ? undefined : 'params' in (spec as object) ? (spec as { params: unknown }).params : undefined;
  const description = paramsSpec === undefined || typeof paramsSpec === 'function' ? name : `${name}(${safeJson(paramsSpec)})`;
  if (typeof paramsSpec === 'function') {
    const pf = paramsSpec as (args: { context: unknown; event: EventObject }) => unknown;
    return { fn: (context, event) => impl({ context, event }, pf({ context, event })), description };
  }
  return { fn: (context, event) => impl({ context, event }, paramsSpec), description };
}

interface BuiltinGuard {
  check: Function;
  guards?: unknown[];
  stateValue?: unknown;
}

function compileBuiltin(g: BuiltinGuard, gc: GuardContext, depth: number, unsupported: string[]): { fn: GuardFn; description: string } {
  const kind = builtinKind(g);
  switch (kind) {
    case 'and': {
      const subs = (g.guards ?? []).map((s) => compileAt(s, gc, depth + 1, unsupported));
      const fns = subs.map((s) => s.fn);
      return {
        fn: (context, event, config) => {
          for (let i = 0; i < fns.length; i++) if (!fns[i]!(context, event, config)) return false;
          return true;
        },
        description: `and(${subs.map((s) => s.description).join(', ')})`,
      };
    }
    case 'or': {
      const subs = (g.guards ?? []).map((s) => compileAt(s, gc, depth + 1, unsupported));
      const fns = subs.map((s) => s.fn);
      return {
        fn: (context, event, config) => {
          for (let i = 0; i < fns.length; i++) if (fns[i]!(context, event, config)) return true;
          return false;
        },
        description: `or(${subs.map((s) => s.description).join(', ')})`,
      };
    }
    case 'not': {
      const sub = compileAt(g.guards?.[0], gc, depth + 1, unsupported);
      const f = sub.fn;
      return { fn: (context, event, config) => !f(context, event, config), description: `not(${sub.description})` };
    }
    case 'stateIn':
      return compileStateIn(g.stateValue, gc);
    default: {
      const name = (g as unknown as { name?: string }).name || 'anonymous';
      unsupported.push(`built-in guard '${name}'`);
      return { fn: thrower(`built-in guard '${name}' is not supported by the compiled explorer`), description: name };
    }
  }
}

function builtinKind(g: BuiltinGuard): 'and' | 'or' | 'not' | 'stateIn' | undefined {
  if (g.check === CHECK_AND) return 'and';
  if (g.check === CHECK_OR) return 'or';
  if (g.check === CHECK_NOT) return 'not';
  if (g.check === CHECK_STATE_IN) return 'stateIn';
  // Another copy of xstate: recognise the built-ins by their check's name and their fields.
  switch (g.check.name) {
    case 'checkAnd':
      return Array.isArray(g.guards) ? 'and' : undefined;
    case 'checkOr':
      return Array.isArray(g.guards) ? 'or' : undefined;
    case 'checkNot':
      return Array.isArray(g.guards) ? 'not' : undefined;
    case 'checkStateIn':
      return 'stateValue' in g ? 'stateIn' : undefined;
    default:
      return undefined;
  }
}

/**
 * xstate checkStateIn(): a `#id` string tests membership of that node in the snapshot's node set; anything else is
 * `snapshot.matches(value)`, i.e. matchesState against the state value (cached per configuration).
 */
function compileStateIn(stateValue: unknown, gc: GuardContext): { fn: GuardFn; description: string } {
  const description = `stateIn(${typeof stateValue === 'string' ? stateValue : safeJson(stateValue)})`;
  if (typeof stateValue === 'string' && stateValue[0] === '#') {
    let node: NodeRec;
    try {
      node = gc.nodeById(stateValue);
    } catch (err) {
      return { fn: thrower((err as Error).message), description };
    }
    const index = node.index;
    return { fn: (_c, _e, config) => config.has[index] === 1, description };
  }
  const id = gc.nextStateInId();
  const test = stateValue as StateValue;
  return {
    fn: (_c, _e, config) => {
      let cache = config.stateIn;
      if (cache === undefined) cache = config.stateIn = new Map();
      let hit = cache.get(id);
      if (hit === undefined) {
        hit = matchesState(test, config.value);
        cache.set(id, hit);
      }
      return hit;
    },
    description,
  };
}

function thrower(message: string): GuardFn {
  return () => {
    throw new Error(message);
  };
}

function describeValue(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? 'an object without a string `type`' : typeof v;
}

/** JSON for descriptions; bigint-safe and never throws. */
export function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
