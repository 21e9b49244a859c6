/**
 * Transition selection plans: for one configuration and one event type, which transitions are candidates and in
 * what order their guards are tried (xstate `transitionNode()` / `StateNode.next()` / `getCandidates()`), and for
 * one configuration the eventless chains (xstate `selectEventlessTransitions()`). Plans are computed once per event
 * type and set of active nodes that have candidates for it (SelectPlans); eventless chains once per configuration;
 * guards are evaluated by macrostep.ts.
 *
 * XSTATE'S RULES, MIRRORED
 * - An atomic node tries its own candidates, then its parent's, and so on up; a parallel node collects what each of
 *   its regions selects, and tries its own candidates (then its ancestors') only when no region selected anything.
 *   (This differs from SCXML, where a parallel node's own transition can compete with a region's.)
 * - A node's candidates for an event type: the exact descriptor's transitions first, then those of matching
 *   wildcard descriptors (`*`, `a.*`) ordered by descriptor length, longest first; the first whose guard passes wins.
 * - Eventless: for each active atomic node, the first `always` transition whose guard passes on the node or its
 *   ancestors, each transition once.
 *
 * THE ONE PLACE XSTATE'S ORDER IS HIDDEN. xstate visits atomic nodes for eventless transitions in `snapshot._nodes`
 * order, which is the order states were entered: not part of a snapshot's identity (value, context, history), and
 * not kept by `machine.resolveState` / `restoreSnapshot`, which give document order (SCXML's). The plan lists chains
 * in document order; when two or more eventless transitions are enabled together, macrostep.ts tries every order
 * and accepts the result only if they all agree (otherwise the next state depends on the path, and it refuses).
 * Everywhere else xstate's `_nodes` order cannot show: regions of a parallel state are entered and exited together,
 * so a state value's keys, and so external transition selection, always follow document order.
 */
import type { Configuration, NodeRec, SelectPlan, TransitionRec } from './types.ts';

/** xstate matchesEventDescriptor(): exact, `*`, or a trailing `.*` matching any event with that token prefix. */
export function matchesEventDescriptor(eventType: string, descriptor: string): boolean {
  if (descriptor === eventType || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const partial = descriptor.split('.');
  const tokens = eventType.split('.');
  for (let i = 0; i < partial.length; i++) {
    const p = partial[i];
    if (p === '*') return i === partial.length - 1;
    if (p !== tokens[i]) return false;
  }
  return true;
}

/** xstate getCandidates(node, eventType), memoised on the node as xstate memoises it. */
export function candidatesOf(node: NodeRec, eventType: string): TransitionRec[] {
  let c = node.candidates.get(eventType);
  if (c) return c;
  const exact = node.on.get(eventType);
  const wild = [...node.on.keys()]
    .filter((d) => d !== eventType && matchesEventDescriptor(eventType, d))
    .sort((a, b) => b.length - a.length)
    .flatMap((d) => node.on.get(d)!);
  c = exact ? [...exact, ...wild] : wild;
  node.candidates.set(eventType, c);
  return c;
}

/** Event types with more owners than this cache their plans per configuration instead (2^owners plans at most). */
const MAX_OWNERS = 12;

/** What the engine knows about one event type of one machine, computed the first time the type is seen. */
export interface EventType {
  readonly type: string;
  /** An actor error event (`xstate.error.actor...`): unhandled, it is xstate's error status, not modelled. */
  readonly error: boolean;
  /** Index into a configuration's `selectPlans` (when `owners` is null). */
  readonly id: number;
  /**
   * The nodes with candidates for this type, by index, or null when there are more than MAX_OWNERS. A plan is a
   * function of which of them are active: a node without candidates only passes on what its active descendants
   * select (planAt), so the other nodes of a configuration cannot change it.
   */
  readonly owners: Int32Array | null;
  /** Plans by active owners (bit i: owners[i] is active); undefined: not computed yet. */
  readonly plans: (SelectPlan | null | undefined)[];
}

/**
 * The selection plans of one machine, cached per event type and set of active owners: a handful per event type,
 * where a cache per configuration would hold one per (configuration, event type), each computed and stored anew
 * in every worker (a parallel machine has thousands of configurations).
 */
export class SelectPlans {
  private readonly types = new Map<string, EventType>();

  constructor(
    private readonly root: NodeRec,
    private readonly nodes: readonly NodeRec[],
  ) {}

  /** The event type's record (one map lookup once seen). */
  eventType(type: string): EventType {
    let ev = this.types.get(type);
    if (ev !== undefined) return ev;
    const owners = this.nodes.filter((n) => n.kind !== 'history' && candidatesOf(n, type).length > 0).map((n) => n.index);
    const projected = owners.length <= MAX_OWNERS;
    ev = {
      type,
      error: type.startsWith('xstate.error.actor'),
      id: this.types.size,
      owners: projected ? Int32Array.from(owners) : null,
      plans: projected ? new Array<SelectPlan | null | undefined>(1 << owners.length).fill(undefined) : [],
    };
    this.types.set(type, ev);
    return ev;
  }

  /** The selection plan for `ev` in `config`, or null when no active node has a candidate. */
  planFor(config: Configuration, ev: EventType): SelectPlan | null {
    const owners = ev.owners;
    if (owners !== null) {
      const has = config.has;
      let key = 0;
      for (let i = 0; i < owners.length; i++) if (has[owners[i]!] === 1) key |= 1 << i;
      let plan = ev.plans[key];
      if (plan === undefined) plan = ev.plans[key] = planAt(this.root, config, ev.type);
      return plan;
    }
    const plans = config.selectPlans;
    let plan = plans[ev.id];
    if (plan !== undefined) return plan;
    plan = planAt(this.root, config, ev.type);
    // Fill holes first so that the array stays packed (V8 keeps holey arrays slower).
    while (plans.length < ev.id) plans.push(undefined);
    plans[ev.id] = plan;
    return plan;
  }
}

function planAt(node: NodeRec, config: Configuration, eventType: string): SelectPlan | null {
  const own = candidatesOf(node, eventType);
  if (node.kind === 'compound') {
    const child = node.children.find((c) => config.has[c.index] === 1);
    const sub = child ? planAt(child, config, eventType) : null;
    return combine(sub ? [sub] : [], own);
  }
  if (node.kind === 'parallel') {
    const subs: SelectPlan[] = [];
    for (const c of node.children) {
      const p = planAt(c, config, eventType);
      if (p) subs.push(p);
    }
    return combine(subs, own);
  }
  return own.length ? { regions: null, list: own } : null;
}

/** A node whose descendants' plans are `subs`, falling back to its own candidates. */
function combine(subs: SelectPlan[], own: readonly TransitionRec[]): SelectPlan | null {
  if (subs.length === 0) return own.length ? { regions: null, list: own } : null;
  if (subs.length === 1) {
    // One region (or a compound's child): "what it selects, else our first passing" is one longer fallback list.
    const s = subs[0]!;
    return own.length ? { regions: s.regions, list: [...s.list, ...own] } : s;
  }
  return { regions: subs, list: own };
}

/** The eventless chains of `config` (cached): per active atomic node in document order, its and its ancestors' `always`. */
export function alwaysPlanFor(config: Configuration): readonly (readonly TransitionRec[])[] | null {
  let plan = config.alwaysPlan;
  if (plan !== undefined) return plan;
  const chains: TransitionRec[][] = [];
  for (const a of config.atomics) {
    const chain: TransitionRec[] = [];
    for (let s: NodeRec | undefined = a; s; s = s.parent) chain.push(...s.always);
    if (chain.length) chains.push(chain);
  }
  plan = chains.length ? chains : null;
  config.alwaysPlan = plan;
  return plan;
}
