/**
 * The reference the differential tests hold the compiler to: a breadth-first search over xstate's own pure
 * `transition()` (and `initialTransition()`), with a state identified by its value, context and history values.
 *
 * "Enabled" is decided from xstate itself: the event is sent once more through `machine.transition()` with an inert
 * actor scope (what `transition()` builds) that records xstate's `@xstate.microstep` inspection events; the event is
 * enabled when some microstep selected a transition that is not forbidden (no target, no actions, no reenter: what
 * `snapshot.can()` calls not allowed). Both runs must agree on the next snapshot.
 *
 * The compiled side of the comparison (`compiledGraph`) runs the same BFS over a CompiledMachine, so that the two
 * graphs can be compared state by state and edge by edge.
 */
import { createActor, initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { getAdjacencyMap } from '@xstate/graph';
import { ByteBuffer } from '../../../src/explore/bytes.ts';
import { encodeCanonical } from '../../../src/explore/canonical.ts';
import type { CompiledMachine, MachineState } from '../../../src/explore/compile.ts';

/** Events to try in a state: a fixed list, or a function of the state's `{ value, context }`. */
export type Events = readonly EventObject[] | ((s: { value: unknown; context: unknown }) => readonly EventObject[]);

/** A reachable graph: states by identity key, and per state the enabled events (by index) and their successors. */
export interface Graph {
  readonly initial: string;
  /** Identity key → the enabled events' successors (event key → successor key). */
  readonly edges: Map<string, Map<string, string>>;
  /** Keys of final (done) states. */
  readonly finals: Set<string>;
}

const buf = new ByteBuffer(1024);

/** The identity of a state: value, context and history values (ids sorted), canonically encoded. */
export function identityKey(value: unknown, context: unknown, historyValue: Record<string, readonly string[]>): string {
  const history: Record<string, string[]> = {};
  for (const k of Object.keys(historyValue)) history[k] = [...historyValue[k]!].sort();
  buf.reset();
  encodeCanonical({ value, context, history }, buf);
  return Buffer.from(buf.view()).toString('latin1');
}

/** The identity key of an xstate snapshot. */
export function snapshotKey(snap: AnyMachineSnapshot): string {
  const hv: Record<string, string[]> = {};
  const raw = (snap as unknown as { historyValue?: Record<string, { id: string }[]> }).historyValue ?? {};
  for (const k of Object.keys(raw)) hv[k] = raw[k]!.map((n) => n.id);
  return identityKey(snap.value, snap.context, hv);
}

/** The identity key of a compiled state. */
export function stateKey(s: MachineState): string {
  return identityKey(s.value, s.context, s.historyValue);
}

/** A readable key for an event (JSON, bigint-safe). */
export function eventKey(e: EventObject): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

function eventsIn(events: Events, s: { value: unknown; context: unknown }): readonly EventObject[] {
  return typeof events === 'function' ? events(s) : events;
}

/** xstate's transition(), plus whether it took a transition (see the header). */
export function referenceStep(machine: AnyStateMachine, snap: AnyMachineSnapshot, event: EventObject): { next: AnyMachineSnapshot; taken: boolean } {
  const [next] = transition(machine, snap, event);
  const steps: { _transitions: { target?: unknown; actions: unknown[]; reenter: boolean }[] }[] = [];
  const self = createActor(machine, {
    inspect: (ev) => {
      if (ev.type === '@xstate.microstep') steps.push(ev as never);
    },
  });
  steps.length = 0;
  const noop = () => {};
  const scope = { self, defer: noop, id: '', logger: noop, sessionId: '', stopChild: noop, system: self.system, emit: noop, actionExecutor: noop };
  const again = machine.transition(snap, event, scope as never) as AnyMachineSnapshot;
  if (snapshotKey(again) !== snapshotKey(next)) throw new Error('reference: two runs of transition() disagree');
  const taken = steps.some((m) => m._transitions.some((t) => t.target !== undefined || t.actions.length > 0 || t.reenter));
  return { next, taken };
}

/** BFS over xstate's transition() from initialTransition(); final (done) states are not expanded. */
export function referenceGraph(machine: AnyStateMachine, events: Events, limit = 20_000): Graph & { snapshots: Map<string, AnyMachineSnapshot> } {
  const [init] = initialTransition(machine);
  if (init.status === 'error') throw init.error;
  const initial = snapshotKey(init);
  const snapshots = new Map<string, AnyMachineSnapshot>([[initial, init]]);
  const edges = new Map<string, Map<string, string>>();
  const finals = new Set<string>();
  const queue: AnyMachineSnapshot[] = [init];
  for (let head = 0; head < queue.length; head++) {
    const snap = queue[head]!;
    const key = snapshotKey(snap);
    const out = new Map<string, string>();
    edges.set(key, out);
    if (snap.status === 'done') {
      finals.add(key);
      continue;
    }
    for (const e of eventsIn(events, snap)) {
      const { next, taken } = referenceStep(machine, snap, e);
      if (!taken) {
        if (snapshotKey(next) !== key) throw new Error(`reference: ${eventKey(e)} took no transition but changed the state`);
        continue;
      }
      if (next.status === 'error') throw next.error;
      const nk = snapshotKey(next);
      out.set(eventKey(e), nk);
      if (!snapshots.has(nk)) {
        if (snapshots.size >= limit) throw new Error(`reference: more than ${limit} states`);
        snapshots.set(nk, next);
        queue.push(next);
      }
    }
  }
  return { initial, edges, finals, snapshots };
}

/** The same BFS over a compiled machine. */
export function compiledGraph(c: CompiledMachine, events: Events, limit = 20_000): Graph & { states: Map<string, MachineState> } {
  const [init] = c.initStates();
  const initial = stateKey(init!);
  const states = new Map<string, MachineState>([[initial, init!]]);
  const edges = new Map<string, Map<string, string>>();
  const finals = new Set<string>();
  const queue: MachineState[] = [init!];
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    const key = stateKey(s);
    const out = new Map<string, string>();
    edges.set(key, out);
    if (c.isFinal(s)) {
      finals.add(key);
      continue;
    }
    for (const e of eventsIn(events, s)) {
      const next = c.nextState(s, e);
      if (!next) continue;
      const nk = stateKey(next);
      out.set(eventKey(e), nk);
      if (!states.has(nk)) {
        if (states.size >= limit) throw new Error(`compiled: more than ${limit} states`);
        states.set(nk, next);
        queue.push(next);
      }
    }
  }
  return { initial, edges, finals, states };
}

/** Differences between two graphs, as readable lines (empty when they are equal). */
export function graphDifferences(expected: Graph, actual: Graph, show: (key: string) => string): string[] {
  const diffs: string[] = [];
  if (expected.initial !== actual.initial) diffs.push(`initial: expected ${show(expected.initial)}, got ${show(actual.initial)}`);
  for (const k of expected.edges.keys()) if (!actual.edges.has(k)) diffs.push(`missing state ${show(k)}`);
  for (const k of actual.edges.keys()) if (!expected.edges.has(k)) diffs.push(`extra state ${show(k)}`);
  for (const [k, out] of expected.edges) {
    const got = actual.edges.get(k);
    if (!got) continue;
    for (const [e, nk] of out) {
      const g = got.get(e);
      if (g === undefined) diffs.push(`in ${show(k)}: ${e} should be enabled (to ${show(nk)})`);
      else if (g !== nk) diffs.push(`in ${show(k)}: ${e} should lead to ${show(nk)}, got ${show(g)}`);
    }
    for (const e of got.keys()) if (!out.has(e)) diffs.push(`in ${show(k)}: ${e} should not be enabled`);
  }
  for (const k of expected.finals) if (!actual.finals.has(k)) diffs.push(`${show(k)} should be final`);
  for (const k of actual.finals) if (!expected.finals.has(k)) diffs.push(`${show(k)} should not be final`);
  return diffs.slice(0, 20);
}

/**
 * @xstate/graph's adjacency map over the same identity, done states not expanded. It records a successor for every
 * event (an event that takes no transition leaves the snapshot as it is), so it is compared with a graph as: every
 * enabled edge leads where the graph says, and every other event leads back to the same state.
 */
export function adjacencyDifferences(machine: AnyStateMachine, events: Events, g: Graph, show: (key: string) => string): string[] {
  const adj = getAdjacencyMap(machine, {
    events: ((s: AnyMachineSnapshot) => eventsIn(events, s)) as never,
    serializeState: (s: unknown) => snapshotKey(s as AnyMachineSnapshot),
    stopWhen: (s: unknown) => (s as AnyMachineSnapshot).status === 'done',
  } as never) as unknown as Record<string, { transitions: Record<string, { state: unknown }> }>;
  const diffs: string[] = [];
  const keys = new Set(Object.keys(adj));
  for (const k of keys) if (!g.edges.has(k)) diffs.push(`adjacency map has extra state ${show(k)}`);
  for (const k of g.edges.keys()) if (!keys.has(k)) diffs.push(`adjacency map lacks state ${show(k)}`);
  for (const [k, v] of Object.entries(adj)) {
    const out = g.edges.get(k);
    if (!out || g.finals.has(k)) continue;
    for (const [e, t] of Object.entries(v.transitions)) {
      const nk = snapshotKey(t.state as AnyMachineSnapshot);
      const expected = out.get(e) ?? k;
      if (nk !== expected) diffs.push(`adjacency map: in ${show(k)}, ${e} leads to ${show(nk)}, graph says ${show(expected)}`);
    }
  }
  return diffs.slice(0, 20);
}
