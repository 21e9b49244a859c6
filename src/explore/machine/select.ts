/**
 * Transition selection plans: for one configuration and one event type, which transitions are candidates and in
 * what order their guards are tried (xstate `transitionNode()` / `StateNode.next()` / `getCandidates()`), and for
 * one configuration the eventless chains (xstate `selectEventlessTransitions()`). Plans are computed once per
 * (configuration, event type) and cached on the configuration; guards are evaluated by macrostep.ts.
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

/**
 * Dense ids of event types, process-local (never encoded): a configuration caches its plans in an array indexed by
 * them, so that the lookup per step reads one small hot map instead of one map per configuration.
 */
const eventTypeIds = new Map<string, number>();

/** The selection plan for `eventType` in `config` (cached), or null when no active node has a candidate. */
export function selectPlanFor(config: Configuration, root: NodeRec, eventType: string): SelectPlan | null {
  let id = eventTypeIds.get(eventType);
  if (id === undefined) {
    id = eventTypeIds.size;
    eventTypeIds.set(eventType, id);
  }
  const plans = config.selectPlans;
  let plan = plans[id];
  if (plan !== undefined) return plan;
  plan = planAt(root, config, eventType);
  // Fill holes first so that the array stays packed (V8 keeps holey arrays slower).
  while (plans.length < id) plans.push(undefined);
  plans[id] = plan;
  return plan;
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
