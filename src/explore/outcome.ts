/**
 * What a finished search reports: the SearchResult union (types.ts) built from the search's findings, with each
 * violation's shortest trace and each coverage witness rebuilt by replay (path.ts), and the bound reports that say
 * how far a cut search got. Runs on the main thread after the last level.
 */
import { ModelRunError } from './errors.ts';
import type { ExpandError } from './expand.ts';
import { collisionProbability } from './fingerprint.ts';
import type { Model } from './model.ts';
import type { CoverageAccumulator, KindAccumulator } from './observe.ts';
import { rebuildTrace } from './path.ts';
import { NO_PARENT, type StateLinks } from './store.ts';
import {
  DEADLOCK,
  type BoundReport,
  type CoverageCounts,
  type CoverageTable,
  type SearchResult,
  type SearchSpec,
  type SearchStats,
  type Trace,
  type Violation,
} from './types.ts';

/** What the level loop found, in the terms of the store. */
export interface Findings {
  readonly distinct: number;
  readonly transitions: number;
  readonly initCount: number;
  /** Depth of the deepest state counted in `distinct`. */
  readonly maxDepth: number;
  readonly levels: number;
  readonly exhaustive: boolean;
  readonly bound: BoundReport | undefined;
  /** Per check (invariants in order, then deadlock): global index of the first violating state, or -1. */
  readonly violationAt: readonly number[];
  readonly links: StateLinks;
  readonly exact: boolean;
  readonly symmetry: boolean;
  readonly workers: number;
  readonly storeBytes: number;
  readonly peakMemoryBytes: number;
  readonly fingerprintCollisions: number;
  readonly coverage: CoverageAccumulator | undefined;
}

/** The SearchResult: VIOLATED when anything was violated (with the bound, if one also cut the search), else INCOMPLETE or HOLDS. */
export function buildResult<S, A>(spec: SearchSpec<S, A>, f: Findings): SearchResult<S, A> {
  const { model } = spec;
  const names = Object.keys(spec.invariants);
  const warnings: string[] = [...(spec.warnings ?? [])];
  const violations: Violation<S, A>[] = [];
  f.violationAt.forEach((at, k) => {
    if (at < 0) return;
    const name = k < names.length ? names[k]! : DEADLOCK;
    const { trace, warning } = rebuildTrace(model, f.links, at, f.symmetry);
    if (warning) warnings.push(`${name}: ${warning}`);
    if (!replaysToViolation(spec, name, lastState(trace))) {
      warnings.push(`${name}: the trace found does not replay to a violation (a fingerprint collision?); rerun with --exact`);
    }
    violations.push({ invariant: name, trace });
  });
  const stats: SearchStats = {
    distinctStates: f.distinct,
    transitions: f.transitions,
    maxDepth: f.maxDepth,
    levels: f.levels,
    mode: f.exact ? 'exact' : 'fingerprint',
    workers: f.workers,
    bytesPerState: f.distinct > 0 ? f.storeBytes / f.distinct : 0,
    peakMemoryBytes: f.peakMemoryBytes,
    collisionProbability: f.exact ? 0 : collisionProbability(f.distinct, f.initCount + f.transitions),
    fingerprintCollisions: f.fingerprintCollisions,
    exhaustive: f.exhaustive,
    warnings,
  };
  const extra = f.coverage ? { coverage: coverageCounts(f.coverage, model, f.links, f.symmetry) } : {};
  if (violations.length > 0) return { ...stats, verdict: 'VIOLATED', violations, ...(f.bound ? { bound: f.bound } : {}), ...extra };
  if (f.bound) return { ...stats, verdict: 'INCOMPLETE', bound: f.bound, ...extra };
  return { ...stats, verdict: 'HOLDS', ...extra };
}

/** The state bound: the first `maxStates` states in breadth-first order were kept. */
export function statesBound(maxStates: number, depth: number): BoundReport {
  return {
    kind: 'states',
    limit: maxStates,
    detail: `state bound ${maxStates} reached at depth ${depth}: the first ${maxStates} states in breadth-first order were checked; more exist`,
  };
}

/** The depth bound: states at depth `maxDepth` have successors that were not explored. */
export function depthBound(maxDepth: number, distinct: number): BoundReport {
  return {
    kind: 'depth',
    limit: maxDepth,
    detail: `depth bound ${maxDepth} reached: the ${distinct} states within ${maxDepth} steps were checked; states at depth ${maxDepth} have successors not explored`,
  };
}

/** The memory bound, met before expanding depth `depth`. */
export function memoryBound(maxMemory: number, distinct: number, depth: number): BoundReport {
  const limit = Number.isFinite(maxMemory) ? `memory bound ${Math.round(maxMemory / 2 ** 20)} MB` : 'the largest table or arena the search can index';
  return {
    kind: 'memory',
    ...(Number.isFinite(maxMemory) ? { limit: maxMemory } : {}),
    detail: `${limit} would be exceeded expanding depth ${depth}: ${distinct} states at depths 0..${depth} found, those at depth ${depth} not all checked`,
  };
}

/** A stop requested through onProgress (the time bound, or an interruption). */
export function stopBound(kind: 'time' | 'stopped', distinct: number, depth: number): BoundReport {
  return {
    kind,
    detail: `stopped (${kind === 'time' ? 'time limit' : 'interrupted'}) while expanding depth ${depth}; ` +
      `reported: ${distinct} states at depths 0..${depth}, of which those at depth ${depth} were not all checked`,
  };
}

/** The error to throw when the model's own code threw while expanding frontier state `base + e.index`. */
export function modelRunError<S, A>(model: Model<S, A>, links: StateLinks, base: number, e: ExpandError, symmetry: boolean): ModelRunError<S, A> {
  let trace: Trace<S, A> | undefined;
  let action: A | undefined;
  try {
    trace = rebuildTrace(model, links, base + e.index, symmetry).trace;
    if (e.action >= 0) action = model.actions(lastState(trace))[e.action];
  } catch {
    trace = undefined;
  }
  return new ModelRunError<S, A>(e.during, e.message, trace, action, e.stack);
}

function lastState<S, A>(t: Trace<S, A>): S {
  return t.steps.length > 0 ? t.steps[t.steps.length - 1]!.state : t.init;
}

/** Re-checks a counterexample's last state (in fingerprint mode, a collision could have misled the search). */
function replaysToViolation<S, A>(spec: SearchSpec<S, A>, name: string, s: S): boolean {
  const { model } = spec;
  if (name !== DEADLOCK) return !spec.invariants[name]!(s);
  if (model.isFinal(s)) return false;
  return model.actions(s).every((a) => model.nextState(s, a) === undefined);
}

/**
 * Coverage with each first hit's witness: the trace to the state it happened in and the action taken there. With
 * symmetry reduction the trace is the concrete replay, and the action is the one at that index in the state's
 * candidate list (the same action when `events` is a list, as it usually is).
 */
function coverageCounts<S, A>(acc: CoverageAccumulator, model: Model<S, A>, links: StateLinks, symmetry: boolean): CoverageCounts<S, A> {
  const cache = new Map<number, Trace<S, A>>();
  /** The candidate actions of each witness state (many items share one: a model's actions() may be costly). */
  const actionsAt = new Map<number, readonly A[]>();
  // Without symmetry, a witness's trace is its parent's plus one step: replaying from the nearest state already
  // replayed (witnesses share prefixes) costs one step per state on the witness paths, not one per step of each.
  const traceOf = (st: number): Trace<S, A> => {
    const known = cache.get(st);
    if (known) return known;
    if (symmetry) {
      const t = rebuildTrace(model, links, st, symmetry).trace;
      cache.set(st, t);
      return t;
    }
    const chain: number[] = [];
    let x = st;
    while (!cache.has(x) && links.parent[x]! !== NO_PARENT) {
      chain.push(x);
      x = links.parent[x]!;
    }
    let t = cache.get(x);
    if (!t) {
      const init = model.initStates()[links.action[x]!];
      if (init === undefined) throw new Error(`replay: initial state ${links.action[x]} does not exist (the model is not deterministic)`);
      t = { init, steps: [] };
      cache.set(x, t);
    }
    for (let i = chain.length - 1, at = x; i >= 0; i--) {
      const y = chain[i]!;
      const from: S = lastState(t);
      let acts = actionsAt.get(at);
      if (!acts) {
        acts = model.actions(from);
        actionsAt.set(at, acts);
      }
      at = y;
      const action: A | undefined = acts[links.action[y]!];
      const next = action === undefined ? undefined : model.nextState(from, action);
      if (action === undefined || next === undefined) throw new Error(`replay: action ${links.action[y]} is not enabled any more (the model is not deterministic)`);
      t = { init: t.init, steps: [...t.steps, { action, state: next }] };
      cache.set(y, t);
    }
    return t;
  };
  const table = (k: KindAccumulator): CoverageTable<S, A> => ({
    hits: k.hits.slice(),
    witnesses: k.witnessState.map((st, id) => {
      if (st < 0) return undefined;
      const trace = traceOf(st);
      const j = k.witnessAction[id]!;
      if (j < 0) return { trace };
      let acts = actionsAt.get(st);
      if (!acts) {
        acts = model.actions(lastState(trace));
        actionsAt.set(st, acts);
      }
      const action = acts[j];
      return action === undefined ? { trace } : { trace, action };
    }),
  });
  return { transitions: table(acc.kinds.transitions), guards: table(acc.kinds.guards), states: table(acc.kinds.states) };
}
