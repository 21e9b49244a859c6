/**
 * The live-update lifecycle of an assigned device, as an XState v5 statechart over the kernel model, for one strategy
 * (machines/strategy.ts) in one environment. A model module of the explorer (`{machine, events, invariants,
 * options}`), built by `lifecycleModel(strategy, environment)`.
 *
 * Two parallel regions:
 * - `lifecycle`: where the live update is. running -> preserving -> (KEXEC) restored -> retrieving -> replaced ->
 *   finished, and the ways out: aborted (the session closed before the kexec), freezeFailed (reboot() failed: the old
 *   kernel runs on, the VMM may try again), panicked (the new kernel stopped), translationLost (the new kernel booted
 *   without restoring a preserved device's translation), refused (the kernel refused the replace), secondKexec (a
 *   kexec before FINISH), rebooted (a kexec before anything was preserved: a plain reboot, nothing to hand over).
 *   Every userspace call is an event of this region; the phase changes on what the call did, which the kernel model
 *   computes (phaseAfter(); guards and the action read the same memoized outcome).
 * - `dma`: the device's DMA, all the time until the lifecycle reaches a terminal phase. A DMA changes nothing (the
 *   hardware reads memory), so the exhaustive search does not offer it (Environment.dma says why); replayed traces and
 *   the visualiser step through it.
 *
 * The context is the kernel model's world plus what the VMM knows: the labels it bound, where it is in its procedure,
 * how many deviations it made, and the invariants a step has broken (sticky: step invariants are judged on the step,
 * so the state remembers them; every invariant is then a predicate on the state). Events are trace steps: the event
 * list of a path is a trace (`toTrace`).
 */
import { assign, setup, stateIn } from 'xstate';
import type { Kernel } from '../src/kernel/index.ts';
import { checkState, INVARIANTS } from '../src/invariants/index.ts';
import { KERNEL_API } from '../src/trace/kernelApi.ts';
import { runStep } from '../src/trace/runner.ts';
import type { RuntimeEnv } from '../src/trace/readers.ts';
import type { LabelKind } from '../src/trace/ops.ts';
import type { ReplayStepLine, Step, Trace } from '../src/trace/types.ts';
import { readConfig } from '../src/trace/config.ts';
import type { TraceInputError } from '../src/trace/errors.ts';
import { loadTraceText } from '../src/trace/load.ts';
import type { Environment, Strategy, VmmCall } from './strategy.ts';

/** What the statechart remembers besides its state value. */
export interface LifecycleContext {
  kernel: Kernel;
  /** The kernel name running (profile and patches). */
  running: string;
  /** Labels the VMM bound (`as`), as the trace runner has them. */
  labels: Record<string, { kind: LabelKind; value: number }>;
  /** A KEXEC booted: the config's fds are gone. */
  kexeced: boolean;
  /** The fd of /dev/liveupdate while the VMM has it open. */
  liveupdate: number | null;
  /** The next step of the procedure (script.length: done). */
  pc: number;
  /** Deviations made (adversarial userspace). */
  deviations: number;
  /** The faithful VMM gave up: a step of its procedure failed. */
  gaveUp: boolean;
  /** Invariants some step broke, sorted (sticky). */
  broken: string[];
}

/** How a VMM call relates to the procedure: its next step, a replacement for it, or an extra call. */
export type CallKind = 'script' | 'instead' | 'extra';

/** An event of the statechart: a trace step, with where it comes from. */
export interface LifecycleEvent {
  /** The step's op. */
  type: string;
  step: Step;
  kind: CallKind;
  why: string;
}

/** The explorer's view of a state. */
export interface LifecycleState {
  value: unknown;
  context: LifecycleContext;
}

/** What a lifecycle event does from a context (computed once, read by guards and the action). */
interface Outcome {
  next: LifecycleContext;
  line: ReplayStepLine;
  /** The phase the lifecycle moves to, or undefined to stay. */
  phase?: Phase;
}

/** The lifecycle's phases; the terminal ones are final states. */
export const PHASES = [
  'running', 'preserving', 'freezeFailed', 'restored', 'retrieving', 'replaced', 'finished',
  'aborted', 'panicked', 'translationLost', 'refused', 'secondKexec', 'rebooted',
] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL: readonly Phase[] = ['finished', 'aborted', 'panicked', 'translationLost', 'refused', 'secondKexec', 'rebooted'];

/** The phases a phase may move to, by what the event did (the statechart's transitions). */
export const MOVES: Readonly<Record<Phase, readonly Phase[]>> = {
  running: ['preserving', 'rebooted', 'panicked'],
  preserving: ['restored', 'translationLost', 'panicked', 'freezeFailed', 'aborted'],
  freezeFailed: ['restored', 'translationLost', 'panicked', 'freezeFailed', 'aborted'],
  // FINISH before a replace: a session whose devices were preserved without IOMMU state has nothing to replace.
  restored: ['retrieving', 'finished', 'secondKexec'],
  retrieving: ['replaced', 'refused', 'finished', 'secondKexec'],
  replaced: ['finished', 'secondKexec'],
  finished: [], aborted: [], panicked: [], translationLost: [], refused: [], secondKexec: [], rebooted: [],
};

const INVARIANT_NAMES = INVARIANTS.map((i) => i.name);

/** A device of a live update is on a domain the IOMMU restored at boot. */
function onRestoredDomain(k: Kernel): boolean {
  return k.history.devices.some((r) => {
    const h = k.hw.find((x) => x.device === r.device);
    return typeof h?.domain === 'number' && k.domains.some((d) => d.id === h.domain && d.restored);
  });
}

/** Some preserved device lost its translation across the kexec (the new kernel did not restore it). */
function translationLost(before: Kernel, after: Kernel): boolean {
  return before.history.devices.some((r) => {
    const h = after.hw.find((x) => x.device === r.device);
    return !h?.luClaimed || typeof h.domain !== 'number';
  });
}

/**
 * Where the lifecycle goes from `phase` after a step (`op`, its `result` and kernel `rule`; the kernel before and
 * after), or undefined to stay. `moves` says which phase may follow which (the statechart's own MOVES by default; the
 * visualiser derives a user's trace's phases with the chart it shows).
 */
export function phaseAfter(
  phase: Phase, op: string, result: string, rule: string | undefined, before: Kernel, after: Kernel,
  moves: (from: Phase, to: Phase) => boolean = (f, t) => MOVES[f].includes(t),
): Phase | undefined {
  const ok = result === 'ok';
  let to: Phase | undefined;
  if (op === 'KEXEC') {
    if (result === 'PANIC') to = 'panicked';
    else if (!ok) to = 'freezeFailed';
    else if (phase === 'preserving' || phase === 'freezeFailed') to = translationLost(before, after) ? 'translationLost' : 'restored';
    else if (phase === 'running') to = 'rebooted';
    else to = 'secondKexec';
  } else if (op === 'LIVEUPDATE_SESSION_PRESERVE_FD' && ok) to = 'preserving';
  else if (op === 'LIVEUPDATE_SESSION_RETRIEVE_FD' && ok) to = 'retrieving';
  else if (op === 'VFIO_DEVICE_ATTACH_IOMMUFD_PT') {
    if (ok && onRestoredDomain(before) && !onRestoredDomain(after)) to = 'replaced';
    else if (!ok && rule?.startsWith('lu_replace_check:')) to = 'refused';
  } else if (op === 'LIVEUPDATE_SESSION_FINISH' && ok) to = 'finished';
  else if (ok && before.lu.outgoing.some((s) => s.files.length > 0) && !after.lu.outgoing.some((s) => s.files.length > 0)) to = 'aborted';
  return to !== undefined && moves(phase, to) ? to : undefined;
}

/** The phase of a state value. */
export function phaseOf(value: unknown): Phase {
  return (value as { lifecycle: Phase }).lifecycle;
}

/** The statechart, its event menu and its invariants for one strategy in one environment. */
export function lifecycleModel(strategy: Strategy, env: Environment) {
  const patches = strategy.patches.map((p) => `+${p}`).join('');
  const from = `${env.from}${patches}`;
  const to = `${env.to}${patches}`;
  // Every KEXEC the VMM may make boots the environment's new kernel (with the strategy's patches).
  const booting = <C extends VmmCall>(c: C): C => (c.step.op === 'KEXEC' ? { ...c, step: { ...c.step, kernel: to } } : c);
  const declared = strategy.vmm(env);
  const script = declared.script.map((s) => booting({ ...s, ...(s.instead ? { instead: s.instead.map(booting) } : {}) }));
  const vmm = { script, menu: declared.menu.map(booting) };
  const kexecAt = script.findIndex((s) => s.step.op === 'KEXEC');
  if (kexecAt < 0 || script.findIndex((s, i) => i > kexecAt && s.step.op === 'KEXEC') >= 0) {
    throw new Error(`strategy ${strategy.name}: the script must have exactly one KEXEC step`);
  }
  checkCalls(strategy, env);
  const boot = KERNEL_API.bootKernel(world(env), from);
  const file = `${strategy.name} (machine)`;

  // Coverage (src/coverage, issue 7): sees the report line of each step the statechart takes. It only sees: what the
  // step does is the same with or without it.
  let stepObserver: ((line: ReplayStepLine) => void) | undefined;

  // Guards and the action of one transition read the same outcome; contexts are immutable, so a weak memo is exact.
  const memo = new WeakMap<LifecycleContext, Map<LifecycleEvent, Outcome>>();
  const outcomeOf = (phase: Phase, ctx: LifecycleContext, event: LifecycleEvent): Outcome => {
    let byEvent = memo.get(ctx);
    if (!byEvent) memo.set(ctx, (byEvent = new Map()));
    const known = byEvent.get(event);
    if (known) return known;
    const o = run(phase, ctx, event);
    byEvent.set(event, o);
    return o;
  };

  const run = (phase: Phase, ctx: LifecycleContext, event: LifecycleEvent): Outcome => {
    const runtime: RuntimeEnv = {
      fds: boot.fds,
      labels: new Map(Object.entries(ctx.labels).map(([k, v]) => [k, { ...v, step: 0 }])),
      unbound: new Map(),
      kexec: ctx.kexeced ? 0 : null,
      liveupdate: ctx.liveupdate,
    };
    const r = runStep(KERNEL_API, { kernel: ctx.kernel, running: ctx.running, env: runtime }, event.step, 0, file);
    if (r.line.result === 'NOT_MODELLED') throw new Error(`${strategy.name}: ${event.type} is not modelled: ${r.line.reason ?? ''}`);
    const broken = new Set(ctx.broken);
    for (const v of r.line.violations ?? []) broken.add(v.invariant);
    const failed = r.line.result !== 'ok';
    const next: LifecycleContext = {
      kernel: r.kernel,
      running: r.running,
      labels: Object.fromEntries([...runtime.labels].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, { kind: v.kind, value: v.value }])),
      kexeced: runtime.kexec !== null,
      liveupdate: runtime.liveupdate,
      // A KEXEC of the procedure that did not boot is tried again; any other step of it moves on.
      pc: event.kind === 'extra' || (event.step.op === 'KEXEC' && failed) ? ctx.pc : ctx.pc + 1,
      deviations: ctx.deviations + (event.kind === 'script' ? 0 : 1),
      gaveUp: env.userspace.kind === 'faithful' && failed && event.step.op !== 'KEXEC',
      broken: [...broken].sort(),
    };
    return { next, line: r.line, phase: phaseAfter(phase, event.type, r.line.result, r.line.rule, ctx.kernel, r.kernel) };
  };

  const initial: LifecycleContext = {
    kernel: boot.kernel, running: from, labels: {}, kexeced: false, liveupdate: null, pc: 0, deviations: 0, gaveUp: false,
    broken: [...new Set(checkState(boot.kernel).map((v) => v.invariant))].sort(),
  };

  const ops = [...new Set([...script.flatMap((s) => [s.step, ...(s.instead ?? []).map((i) => i.step)]), ...vmm.menu.map((m) => m.step)].map((s) => s.op))].sort();
  const guards: Record<string, (a: { context: LifecycleContext; event: LifecycleEvent }) => boolean> = {};
  for (const from of PHASES) {
    for (const target of MOVES[from]) {
      guards[`${from}->${target}`] = ({ context, event }) => outcomeOf(from, context, event).phase === target;
    }
  }
  const phaseStates = Object.fromEntries(PHASES.map((phase) => {
    if (TERMINAL.includes(phase)) return [phase, { type: 'final' as const }];
    const on = Object.fromEntries(ops.map((op) => [op, [
      ...MOVES[phase].map((target) => ({ guard: `${phase}->${target}`, target, actions: { type: 'step', params: { phase } } })),
      { actions: { type: 'step', params: { phase } } },
    ]]));
    return [phase, { on }];
  }));

  const machine = setup({
    types: { context: {} as LifecycleContext, events: {} as LifecycleEvent },
    guards: guards as never,
    actions: {
      step: assign(({ context, event }, params: { phase: Phase }) => {
        const o = outcomeOf(params.phase, context, event as LifecycleEvent);
        stepObserver?.(o.line);
        return o.next;
      }),
    },
  }).createMachine({
    id: strategy.name,
    type: 'parallel',
    context: initial,
    states: {
      lifecycle: { initial: 'running', states: phaseStates },
      dma: {
        initial: 'running',
        states: {
          // The story ends with the lifecycle's: the region is done when the lifecycle reaches a terminal phase.
          running: { on: { DMA: {} }, always: TERMINAL.map((phase) => ({ guard: stateIn({ lifecycle: phase }), target: 'done' })) },
          done: { type: 'final' },
        },
      },
    },
  } as never);

  /** The calls the VMM may make in a state, in a fixed order: the procedure's next step first. */
  const events = (state: LifecycleState): LifecycleEvent[] => {
    const { context: c, value } = state;
    const phase = phaseOf(value);
    if (TERMINAL.includes(phase) || c.gaveUp) return [];
    const out: LifecycleEvent[] = [];
    const call = (kind: CallKind, v: VmmCall): LifecycleEvent => ({ type: v.step.op, step: v.step, kind, why: v.why });
    const next = script[c.pc];
    if (next) {
      out.push(call('script', next));
      if (next.step.op === 'KEXEC') {
        for (const faults of env.faults ?? []) out.push(call('script', { step: { ...next.step, faults }, why: `${next.why}, meeting ${faults.map((f) => f.name).join(' and ')}` }));
      }
    }
    const u = env.userspace;
    if (u.kind === 'adversarial' && c.deviations < u.deviations) {
      const allowed = (v: VmmCall): boolean =>
        (u.calls === undefined || (v.id !== undefined && u.calls.includes(v.id))) && (v.when === undefined || v.when.includes(phase));
      for (const alt of next?.instead ?? []) if (allowed(alt)) out.push(call('instead', alt));
      for (const m of vmm.menu) if (allowed(m)) out.push(call('extra', m));
    }
    // A call naming a label nothing bound yet (or that a KEXEC ended) cannot be made: it is not offered.
    return out.filter((e) => outcomeOf(phase, c, e).line.result !== 'UNRESOLVED');
  };

  const invariants = Object.fromEntries(INVARIANT_NAMES.map((name) => [name, (s: LifecycleState) => !s.context.broken.includes(name)]));

  return {
    machine,
    events,
    invariants,
    options: { checkDeadlock: true },
    /** Coverage: `f` sees the report line (with its kernel `rule`) of every step taken from now on; undefined stops it. */
    observeSteps(f: ((line: ReplayStepLine) => void) | undefined): void {
      stepObserver = f;
    },
    /** The trace a path of events is: boot world, old kernel, the steps. */
    toTrace(path: readonly LifecycleEvent[], description: string): Trace {
      return {
        'handover-trace': 1,
        kernel: from,
        source: strategy.sources.join('; '),
        description,
        config: env.config,
        steps: path.map((e) => ({ ...e.step, comment: `${e.kind === 'script' ? '' : e.kind === 'instead' ? 'adversarial, instead of the procedure: ' : 'adversarial, extra: '}${e.why}` }) as Step),
      };
    },
  };
}

/** The kernel model's world of an environment's config, as a trace's config reads. */
function world(env: Environment) {
  const errors: TraceInputError[] = [];
  const r = readConfig('environment', env.config, errors);
  if (errors.length > 0) throw new Error(`environment config: ${errors.map((e) => ('field' in e ? `${e.field}: ` : '') + e.message).join('; ')}`);
  return r.world;
}

/**
 * Checks every call a strategy may make as the trace loader checks a trace's steps (fields, names, flags, labels):
 * a step of the procedure (and what may replace it) after the steps before it, a menu call after some prefix of it.
 */
function checkCalls(strategy: Strategy, env: Environment): void {
  const vmm = strategy.vmm(env);
  const steps = vmm.script.map((s) => s.step);
  const problem = (prefix: number, step: Step): string | undefined => {
    const r = loadTraceText(strategy.name, JSON.stringify({ 'handover-trace': 1, config: env.config, steps: [...steps.slice(0, prefix), step] }));
    if (r.ok) return undefined;
    const e = r.errors[0];
    return e && 'field' in e && e.field ? `${e.field}: ${e.message}` : (e?.message ?? 'rejected');
  };
  const fail = (c: VmmCall, why: string): never => {
    throw new Error(`strategy ${strategy.name}: the call "${c.why}" (${c.step.op}) is not a valid trace step: ${why}`);
  };
  vmm.script.forEach((s, i) => {
    for (const c of [s, ...(s.instead ?? [])]) {
      const p = problem(i, c.step);
      if (p !== undefined) fail(c, p);
    }
  });
  const ids = new Set([...vmm.script.flatMap((s) => s.instead ?? []), ...vmm.menu].flatMap((c) => (c.id === undefined ? [] : [c.id])));
  const u = env.userspace;
  for (const id of u.kind === 'adversarial' ? (u.calls ?? []) : []) {
    if (!ids.has(id)) throw new Error(`environment: userspace.calls names "${id}", which is no adversarial call of ${strategy.name} (its calls are ${[...ids].join(', ')})`);
  }
  for (const c of vmm.menu) {
    let last: string | undefined;
    for (let i = 0; i <= steps.length && (last = problem(i, c.step)) !== undefined; i++);
    if (last !== undefined) fail(c, last);
  }
}
