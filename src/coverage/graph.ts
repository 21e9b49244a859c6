/**
 * Transition pairs and phase paths need the explored graph (which transition follows which along a path; the phase
 * sequence of a path), which the explorer does not keep. This is a separate, single-threaded, exact breadth-first
 * pass over the reachable graph: states are stored by their canonical encoding (no fingerprints), each edge with the
 * transitions its step took, in the order the engine took them. It applies the same bounds as the search of the
 * same source, and a state cap of its own: past the cap it stops, and what it did not reach is `uncovered` ("pair
 * analysis stopped at N states"), never unreachable.
 *
 * A pair (t1, t2) is reached when t2 is the next transition taken after t1 on some path: within one step (an event
 * transition then an eventless one, two regions of a parallel state) or across two steps (t1 the last transition of
 * the step into a state, t2 the first of a step out of it). Its witness is a shortest such path. A phase path is
 * reached when a path's sequence of phases (each transition taken that lands in another phase appends it) reaches
 * a final phase without repeating one.
 */
import type { EventObject } from 'xstate';
import { ByteBuffer, type MachineState, type StepObserver } from '../explore/index.ts';
import type { CoverageTarget } from './coverageModel.ts';
import type { MachineUniverse, PhaseStructure } from './universe.ts';

/** How a graph-pass item was reached: the path to `state`, then the events of `tail`. */
export interface GraphWitness {
  /** A state index of the pass (-1: none, the tail starts at the initial state). */
  readonly state: number;
  readonly tail: readonly EventObject[];
}

/** What the pass reached. */
export interface GraphResult {
  /** Distinct states stored. */
  readonly states: number;
  /** The whole reachable graph (within the source's bounds) was built. */
  readonly complete: boolean;
  /** When not complete: what stopped it. */
  readonly cut?: string;
  /** Pairs reached (key t1·T + t2), each with a shortest witness and how many edges realise it. */
  readonly pairs: ReadonlyMap<number, { witness: GraphWitness; hits: number }>;
  /** Phase paths reached (key: phase node indexes joined with ','), each with a shortest witness. */
  readonly paths: ReadonlyMap<string, { witness: GraphWitness }>;
  /** Phase-path search nodes (state, phase sequence) that did not fit: the paths are then not all known. */
  readonly pathsCut?: string;
  /** The events from the initial state to state `index`. */
  eventsTo(w: GraphWitness): EventObject[];
}

/** Options of the pass. */
export interface GraphOptions {
  /** Stop past this many states (the pass's own cap). */
  readonly cap: number;
  /** The source's bounds (as its search applies them). */
  readonly maxStates?: number;
  readonly maxDepth?: number;
  /** Called now and then with the states stored (progress). */
  readonly onProgress?: (states: number) => void;
}

interface Edge {
  /** The state reached, or -1 when it was not stored (a step from a state at the depth bound). */
  readonly to: number;
  readonly event: EventObject;
  readonly taken: readonly number[];
}

/**
 * The phase sequence `seq` after a step that took transitions `ts`: each one that lands in another phase appends it;
 * null when that phase is already in the sequence (the path is no longer simple).
 */
export function extendPhases(ph: PhaseStructure, seq: readonly number[], ts: readonly number[]): number[] | null {
  let out: number[] | null = null;
  for (const t of ts) {
    const p = ph.targetPhase[t]!;
    const cur: readonly number[] = out ?? seq;
    if (p < 0 || p === cur[cur.length - 1]) continue;
    if (cur.includes(p)) return null;
    out = [...cur, p];
  }
  return out ?? (seq as number[]);
}

/** Builds the reachable graph of `target` and the pairs and phase paths it realises. */
export function graphPass(target: CoverageTarget, universe: MachineUniverse, opts: GraphOptions): GraphResult {
  const model = target.spec.model;
  const T = target.compiled.transitions.length;
  const rep = model.representative?.bind(model);
  const taken: number[] = [];
  const recorder: StepObserver = {
    transition: (id) => {
      if (id < T) taken.push(id);
    },
    guard: () => {},
    enter: () => {},
  };
  const index = new Map<string, number>();
  const parent: number[] = [];
  const via: (EventObject | undefined)[] = [];
  const depth: number[] = [];
  const edges: Edge[][] = [];
  const queue: (MachineState | undefined)[] = [];
  const buf = new ByteBuffer();
  const keyOf = (s: MachineState): string => {
    buf.reset();
    model.encode(s, buf);
    return Buffer.from(buf.view()).toString('latin1');
  };
  const limit = Math.min(opts.cap, opts.maxStates ?? Infinity);
  let cut: string | undefined;
  const add = (s: MachineState, p: number, e: EventObject | undefined): number => {
    const r = rep ? rep(s) : s;
    const k = keyOf(r);
    const known = index.get(k);
    if (known !== undefined) return known;
    if (parent.length >= limit) {
      cut ??= parent.length >= opts.cap
        ? `pair analysis stopped at ${opts.cap} states`
        : `the source's state bound ${opts.maxStates} cut the pair analysis`;
      return -1;
    }
    const i = parent.length;
    index.set(k, i);
    parent.push(p);
    via.push(e);
    depth.push(p < 0 ? 0 : depth[p]! + 1);
    edges.push([]);
    queue.push(r);
    return i;
  };

  const inits = model.initStates(recorder);
  const initTaken = taken.slice();
  for (const s of inits) add(s, -1, undefined);
  const maxDepth = opts.maxDepth ?? Infinity;
  for (let u = 0; u < queue.length && cut === undefined; u++) {
    const s = queue[u]!;
    queue[u] = undefined;
    if (u % 2048 === 0) opts.onProgress?.(queue.length);
    const atBound = depth[u]! >= maxDepth;
    for (const e of model.actions(s)) {
      taken.length = 0;
      const next = model.nextState(s, e, recorder);
      if (next === undefined) continue;
      if (atBound) {
        // As the search does at its depth bound: the step is taken (what it exercised counts), its state not stored.
        const known = index.get(keyOf(rep ? rep(next) : next));
        if (known === undefined) cut ??= `the source's depth bound ${maxDepth} cut the pair analysis`;
        edges[u]!.push({ to: known ?? -1, event: e, taken: taken.slice() });
        continue;
      }
      const to = add(next, u, e);
      if (to < 0) break;
      edges[u]!.push({ to, event: e, taken: taken.slice() });
    }
  }
  const complete = cut === undefined;
  const n = parent.length;

  const eventsTo = (w: GraphWitness): EventObject[] => {
    const out: EventObject[] = [];
    for (let x = w.state; x >= 0 && parent[x]! >= 0; x = parent[x]!) out.push(via[x]!);
    return [...out.reverse(), ...w.tail];
  };
  const lengthOf = (w: GraphWitness): number => (w.state >= 0 ? depth[w.state]! : 0) + w.tail.length;

  // Pairs. lastIn[v]: the last transition of a step into v -> a shortest path ending with such a step.
  const lastIn: Map<number, GraphWitness>[] = Array.from({ length: n }, () => new Map());
  const initLast = initTaken[initTaken.length - 1];
  for (let i = 0; i < inits.length && i < n; i++) if (initLast !== undefined) lastIn[i]!.set(initLast, { state: -1, tail: [] });
  for (let u = 0; u < n; u++) {
    for (const e of edges[u]!) {
      const last = e.taken[e.taken.length - 1];
      if (last !== undefined && e.to >= 0 && !lastIn[e.to]!.has(last)) lastIn[e.to]!.set(last, { state: u, tail: [e.event] });
    }
  }
  const pairs = new Map<number, { witness: GraphWitness; hits: number }>();
  const note = (t1: number, t2: number, w: GraphWitness): void => {
    const key = t1 * T + t2;
    const known = pairs.get(key);
    if (!known) pairs.set(key, { witness: w, hits: 1 });
    else {
      known.hits++;
      if (lengthOf(w) < lengthOf(known.witness)) known.witness = w;
    }
  };
  for (let i = 1; i < initTaken.length; i++) note(initTaken[i - 1]!, initTaken[i]!, { state: -1, tail: [] });
  for (let u = 0; u < n; u++) {
    for (const e of edges[u]!) {
      if (e.taken.length === 0) continue;
      const w: GraphWitness = { state: u, tail: [e.event] };
      for (let i = 1; i < e.taken.length; i++) note(e.taken[i - 1]!, e.taken[i]!, w);
      for (const [x, wx] of lastIn[u]!) note(x, e.taken[0]!, { state: wx.state, tail: [...wx.tail, e.event] });
    }
  }

  // Phase paths: a breadth-first search over (state, phase sequence so far).
  const paths = new Map<string, { witness: GraphWitness }>();
  let pathsCut: string | undefined;
  const ph = universe.phases;
  if (ph && n > 0) {
    const extend = (seq: readonly number[], ts: readonly number[]): number[] | null => extendPhases(ph, seq, ts);
    const start = extend([ph.initial], initTaken);
    const seqIds = new Map<string, number>();
    const seqs: number[][] = [];
    const seqId = (s: number[]): number => {
      const k = s.join(',');
      let id = seqIds.get(k);
      if (id === undefined) {
        id = seqs.length;
        seqIds.set(k, id);
        seqs.push(s);
      }
      return id;
    };
    const nodeState: number[] = [];
    const nodeSeq: number[] = [];
    const nodeParent: number[] = [];
    const nodeVia: (EventObject | undefined)[] = [];
    const seen = new Set<string>();
    const nodeCap = 4 * opts.cap;
    const push = (state: number, seq: number, p: number, e: EventObject | undefined): void => {
      const k = `${state}|${seq}`;
      if (seen.has(k)) return;
      if (nodeState.length >= nodeCap) {
        pathsCut ??= `phase-path analysis stopped at ${nodeCap} (state, phase sequence) pairs`;
        return;
      }
      seen.add(k);
      nodeState.push(state);
      nodeSeq.push(seq);
      nodeParent.push(p);
      nodeVia.push(e);
    };
    if (start) for (let i = 0; i < inits.length && i < n; i++) push(i, seqId(start), -1, undefined);
    const nodeEvents = (x: number): EventObject[] => {
      const out: EventObject[] = [];
      for (; x >= 0 && nodeParent[x]! >= 0; x = nodeParent[x]!) out.push(nodeVia[x]!);
      return out.reverse();
    };
    for (let x = 0; x < nodeState.length; x++) {
      const seq = seqs[nodeSeq[x]!]!;
      const last = seq[seq.length - 1]!;
      if (ph.finals.has(last)) {
        const k = seq.join(',');
        if (!paths.has(k)) paths.set(k, { witness: { state: -1, tail: nodeEvents(x) } });
        continue;
      }
      for (const e of edges[nodeState[x]!]!) {
        const next = extend(seq, e.taken);
        if (next === null || e.to < 0) continue;
        push(e.to, seqId(next), x, e.event);
      }
    }
  }
  return { states: n, complete, ...(cut !== undefined ? { cut } : {}), pairs, paths, ...(pathsCut !== undefined ? { pathsCut } : {}), eventsTo };
}
