/**
 * Coverage checked against xstate itself: for the differential test machines (test/explore/machines/small.ts), a
 * breadth-first search over xstate's own `transition()` with an inspector that records each microstep (the
 * transitions it took, the states active after it) gives the states entered and the transitions taken; the coverage
 * report must cover exactly those and call every other state and transition unreachable (the search is exhaustive).
 */
import { createActor, initialTransition, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { compileMachine } from '../../src/explore/compile.ts';
import { exploreTarget, mergeSources, targetOfModule } from '../../src/coverage/index.ts';
import { fixtures } from '../explore/machines/small.ts';
import { eventKey, snapshotKey, type Events } from '../explore/machines/reference.ts';

interface XsNode {
  id: string;
  parent?: XsNode;
  transitions: Map<string, unknown[]>;
  always?: unknown[];
}

interface XsTransition {
  source: XsNode;
  target?: XsNode[];
  eventType: string;
}

const ancestors = (n: XsNode | undefined): XsNode[] => (n ? [n, ...ancestors(n.parent)] : []);

/** Strictly inside the subtree a transition exits (its source and targets' common ancestor, or its source's parent). */
function exitedBy(t: XsTransition, other: XsTransition): boolean {
  if (!t.target?.length) return false;
  const srcUp = ancestors(t.source);
  const common = t.target.reduce<XsNode[]>((acc, x) => acc.filter((a) => ancestors(x).includes(a)), srcUp.slice(1));
  const domain = common[0];
  return domain !== undefined && other.source !== domain && ancestors(other.source).includes(domain);
}

/** A transition definition as `<source id> <event|always>#<index among the source's for that event>`. */
function xsKey(t: XsTransition): string {
  const list = t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? []);
  return `${t.source.id} ${t.eventType === '' ? 'always' : t.eventType}#${list.indexOf(t)}`;
}

/** What xstate enters and takes, over every reachable snapshot. */
function xstateReach(machine: AnyStateMachine, events: Events): { entered: Set<string>; taken: Set<string>; preemptable: Set<string> } {
  const entered = new Set<string>();
  const taken = new Set<string>();
  const preemptable = new Set<string>();
  const inspect = (ev: { type: string }): void => {
    if (ev.type !== '@xstate.microstep') return;
    const m = ev as unknown as { _transitions: XsTransition[]; snapshot: { _nodes: { id: string }[] } };
    // xstate lists an event's transitions as selected, before it removes conflicting ones (a region leaving the
    // parallel state preempts another region's): those may or may not have been taken.
    for (const t of m._transitions) {
      taken.add(xsKey(t));
      if (m._transitions.some((o) => o !== t && exitedBy(o, t))) preemptable.add(xsKey(t));
      // Its source was active: a state entered by the initial transition and left by an eventless one at once.
      for (const a of ancestors(t.source)) entered.add(a.id);
    }
    for (const n of m.snapshot._nodes) entered.add(n.id);
  };
  const actor = createActor(machine, { inspect });
  actor.start();
  actor.stop();
  const [init] = initialTransition(machine);
  const noop = () => {};
  const self = createActor(machine, { inspect });
  const scope = { self, defer: noop, id: '', logger: noop, sessionId: '', stopChild: noop, system: self.system, emit: noop, actionExecutor: noop };
  const seen = new Map<string, AnyMachineSnapshot>([[snapshotKey(init), init]]);
  const queue = [init];
  for (let h = 0; h < queue.length; h++) {
    const snap = queue[h]!;
    for (const n of (snap as unknown as { _nodes: { id: string }[] })._nodes) entered.add(n.id);
    if (snap.status === 'done') continue;
    const list = typeof events === 'function' ? events(snap) : events;
    for (const e of list as readonly EventObject[]) {
      const next = machine.transition(snap, e, scope as never) as AnyMachineSnapshot;
      const k = snapshotKey(next);
      if (!seen.has(k)) {
        if (seen.size > 5000) throw new Error(`more than 5000 states (${eventKey(e)})`);
        seen.set(k, next);
        queue.push(next);
      }
    }
  }
  return { entered, taken, preemptable };
}

const usable = fixtures.filter((f) => {
  try {
    return compileMachine(f.machine).mode === 'compiled';
  } catch {
    return false;
  }
});

describe('coverage agrees with a search over xstate transition()', () => {
  it('has machines to check', () => {
    expect(usable.length).toBeGreaterThanOrEqual(10);
  });

  it.each(usable.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    let reach: ReturnType<typeof xstateReach>;
    try {
      reach = xstateReach(f.machine, f.events);
    } catch (err) {
      // A machine whose reference run throws (an error state by design) is the differential tests' business.
      expect(String(err)).toMatch(/./);
      return;
    }
    const target = targetOfModule(f.name, { machine: f.machine, events: f.events as never, invariants: {} });
    const src = await exploreTarget(target, { kind: 'machine', file: f.name }, { workers: 1, graphCap: 10_000 });
    const report = mergeSources([src]);
    expect(report.sources[0]!.exhaustive).toBe(true);
    const states = report.dimensions.states.items;
    expect(states.filter((i) => i.status === 'covered').map((i) => i.id).sort()).toEqual(states.map((i) => i.id).filter((id) => reach.entered.has(id)).sort());
    expect(states.filter((i) => i.status !== 'covered').every((i) => i.status === 'unreachable')).toBe(true);

    // Transitions: the compiled table's i-th definition of a (source, event) is xstate's i-th.
    const c = target.compiled;
    const keyOf = new Map<number, string>();
    const count = new Map<string, number>();
    for (const t of c.transitions) {
      const base = `${t.sourceId} ${t.event ?? 'always'}`;
      const k = count.get(base) ?? 0;
      count.set(base, k + 1);
      keyOf.set(t.index, `${base}#${k}`);
    }
    const items = report.dimensions.transitions.items;
    const covered = items.flatMap((it, i) => (it.status === 'covered' ? [keyOf.get(i)!] : [])).sort();
    const expected = [...keyOf.values()].filter((k) => reach.taken.has(k) && !reach.preemptable.has(k)).sort();
    // Every transition xstate surely took is covered; a covered one is one xstate selected.
    expect(covered.filter((k) => !reach.preemptable.has(k))).toEqual(expected);
    expect(covered.every((k) => reach.taken.has(k))).toBe(true);
    expect(items.filter((i) => i.status !== 'covered').every((i) => i.status === 'unreachable')).toBe(true);
  });
});
