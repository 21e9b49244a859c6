/**
 * Microstep plans: for a configuration, a history value and the transitions selected, everything a microstep does
 * that does not depend on the context — which transitions survive conflict resolution, which states are exited
 * (and the history they record), which are entered (by default or not), which done events entering them raises, and
 * the resulting configuration. A plan is computed once and cached on the configuration; macrostep.ts then only runs
 * the actions the plan lists.
 *
 * The algorithm is xstate v5's (`microstep()`, `removeConflictingTransitions()`, `computeExitSet()`,
 * `getTransitionDomain()`, `exitStates()`, `enterStates()`, `computeEntrySet()`, `addDescendantStatesToEnter()`,
 * `addAncestorStatesToEnter()`), ported function by function over NodeRecs so that the two can be read side by side;
 * where xstate departs from the SCXML algorithm it is modelled on (the transition domain is the least common
 * ancestor, not the least common compound ancestor; a reentering root transition re-enters the root), we follow xstate.
 */
import { type ConfigurationTable, type HistoryTable, isAtomic, isInFinalState } from './configuration.ts';
import type { Configuration, EntryStep, HistoryRec, NodeRec, StepPlan, TransitionLike, TransitionRec } from './types.ts';

/** Computes and caches microstep plans for one machine. */
export class StepPlanner {
  constructor(
    private readonly root: NodeRec,
    private readonly configs: ConfigurationTable,
    private readonly histories: HistoryTable,
    /** The machine has history nodes: plans then also depend on the history value. */
    private readonly keyByHistory: boolean,
  ) {}

  /** The plan for taking `selected` (as selected, before conflict resolution) in `config` with `history`. */
  planFor(config: Configuration, history: HistoryRec, selected: readonly TransitionRec[]): StepPlan {
    let key: number | string;
    if (selected.length === 1 && !this.keyByHistory) key = selected[0]!.index;
    else {
      key = this.keyByHistory ? `${history.id}|` : '';
      for (let i = 0; i < selected.length; i++) key += (i ? ',' : '') + selected[i]!.index;
    }
    let plan = config.steps.get(key);
    if (plan === undefined) {
      plan = this.compute(config, history, [...selected], false);
      config.steps.set(key, plan);
    }
    return plan;
  }

  /** planFor() for a single selected transition. */
  planForOne(config: Configuration, history: HistoryRec, t: TransitionRec): StepPlan {
    if (this.keyByHistory) return this.planFor(config, history, [t]);
    let plan = config.steps.get(t.index);
    if (plan === undefined) {
      plan = this.compute(config, history, [t], false);
      config.steps.set(t.index, plan);
    }
    return plan;
  }

  /**
   * The initial microstep (xstate initialMicrostep()): from the pre-initial snapshot (only the root active) a
   * reentering root transition to every default initial state; nothing is exited and the root is entered by default.
   */
  initialPlan(preInitial: Configuration, history: HistoryRec, targets: readonly NodeRec[]): StepPlan {
    const t: TransitionLike = { source: this.root, target: targets, reenter: true };
    return this.compute(preInitial, history, [t], true);
  }

  private compute(config: Configuration, history: HistoryRec, selected: TransitionLike[], isInitial: boolean): StepPlan {
    const mut = new Set<NodeRec>(config.nodes);
    const filtered = isInitial ? selected : this.removeConflictingTransitions(selected, mut, history);

    // Exit states (xstate exitStates()): record history for every exited node that has history children.
    let exits: NodeRec[] = [];
    let slots: (readonly NodeRec[] | undefined)[] | undefined;
    if (!isInitial) {
      exits = this.computeExitSet(filtered, mut, history).sort((a, b) => b.index - a.index);
      for (const exiting of exits) {
        for (const h of exiting.historyChildren) {
          slots ??= [...history.slots];
          const all = [...mut];
          slots[h.historySlot] =
            h.history === 'deep' ? all.filter((sn) => isAtomic(sn) && isDescendant(sn, exiting)) : all.filter((sn) => sn.parent === exiting);
        }
      }
      for (const s of exits) mut.delete(s);
    }
    const nextHistory = slots ? this.histories.intern(slots) : history;

    // Enter states (xstate enterStates()).
    const toEnter = new Set<NodeRec>();
    const forDefaultEntry = new Set<NodeRec>();
    this.computeEntrySet(filtered, nextHistory, forDefaultEntry, toEnter);
    if (isInitial) forDefaultEntry.add(this.root);
    const entries: EntryStep[] = [];
    const completed = new Set<NodeRec>();
    let becomesDone = false;
    for (const s of [...toEnter].sort((a, b) => a.index - b.index)) {
      mut.add(s);
      const doneEvents: { type: string; outputOf: NodeRec | null }[] = [];
      let setsDone = false;
      if (s.kind === 'final') {
        const parent = s.parent;
        let marker = parent?.kind === 'parallel' ? parent : parent?.parent;
        if (parent?.kind === 'compound') doneEvents.push({ type: `xstate.done.state.${parent.id}`, outputOf: s.output !== undefined ? s : null });
        while (marker?.kind === 'parallel' && !completed.has(marker) && isInFinalState((n) => mut.has(n), marker)) {
          completed.add(marker);
          doneEvents.push({ type: `xstate.done.state.${marker.id}`, outputOf: null });
          marker = marker.parent;
        }
        if (!marker) setsDone = becomesDone = true;
      }
      entries.push({ node: s, defaultEntry: forDefaultEntry.has(s), doneEvents, setsDone });
    }
    const next = this.configs.intern(mut);
    const transitions = isInitial ? [] : (filtered as TransitionRec[]);
    return {
      transitions,
      taken: !isInitial && transitions.some((t) => !t.forbidden),
      exits,
      entries,
      doneExits: becomesDone ? [...next.nodes].sort((a, b) => b.index - a.index) : null,
      next,
      nextHistory,
      structural: next !== config || slots !== undefined,
      inert:
        !becomesDone &&
        exits.every((n) => n.exit.length === 0) &&
        transitions.every((t) => t.actions.length === 0) &&
        entries.every((e) => e.node.entry.length === 0 && !(e.defaultEntry && e.node.initialActions.length) && e.doneEvents.length === 0),
    };
  }

  /** xstate removeConflictingTransitions(): a later transition preempts an earlier one only from a descendant source. */
  private removeConflictingTransitions(enabled: TransitionLike[], config: Set<NodeRec>, history: HistoryRec): TransitionLike[] {
    const filtered = new Set<TransitionLike>();
    for (const t1 of enabled) {
      let preempted = false;
      const toRemove = new Set<TransitionLike>();
      for (const t2 of filtered) {
        if (intersects(this.computeExitSet([t1], config, history), this.computeExitSet([t2], config, history))) {
          if (isDescendant(t1.source, t2.source)) toRemove.add(t2);
          else {
            preempted = true;
            break;
          }
        }
      }
      if (!preempted) {
        for (const t3 of toRemove) filtered.delete(t3);
        filtered.add(t1);
      }
    }
    return [...filtered];
  }

  /** xstate computeExitSet(). */
  private computeExitSet(transitions: readonly TransitionLike[], config: Set<NodeRec>, history: HistoryRec): NodeRec[] {
    const out = new Set<NodeRec>();
    for (const t of transitions) {
      if (t.target?.length) {
        const domain = this.getTransitionDomain(t, history);
        if (t.reenter && t.source === domain) out.add(domain);
        for (const s of config) if (isDescendant(s, domain)) out.add(s);
      }
    }
    return [...out];
  }

  /** xstate getTransitionDomain(): undefined means "above the root" (a reentering root transition). */
  private getTransitionDomain(t: TransitionLike, history: HistoryRec): NodeRec | undefined {
    const targets = effectiveTargetStates(t, history);
    if (!t.reenter && targets.every((x) => x === t.source || isDescendant(x, t.source))) return t.source;
    const lca = findLeastCommonAncestor([...targets, t.source]);
    if (lca) return lca;
    if (t.reenter) return undefined;
    return this.root;
  }

  /** xstate computeEntrySet(). */
  private computeEntrySet(transitions: readonly TransitionLike[], history: HistoryRec, forDefault: Set<NodeRec>, toEnter: Set<NodeRec>): void {
    for (const t of transitions) {
      const domain = this.getTransitionDomain(t, history);
      for (const s of t.target ?? []) {
        // A target other than the source, or outside the domain, or a reentering one, is itself entered.
        if (s.kind !== 'history' && (t.source !== s || t.source !== domain || t.reenter)) {
          toEnter.add(s);
          forDefault.add(s);
        }
        addDescendantStatesToEnter(s, history, forDefault, toEnter);
      }
      for (const s of effectiveTargetStates(t, history)) {
        const ancestors = properAncestors(s, domain);
        if (domain?.kind === 'parallel') ancestors.push(domain);
        addAncestorStatesToEnter(toEnter, history, forDefault, ancestors, !t.source.parent && t.reenter ? undefined : domain);
      }
    }
  }
}

/** xstate getProperAncestors(): parent, grandparent, ... stopping before `to` (all of them when `to` is undefined). */
function properAncestors(node: NodeRec, to: NodeRec | undefined): NodeRec[] {
  const out: NodeRec[] = [];
  if (to === node) return out;
  for (let m = node.parent; m && m !== to; m = m.parent) out.push(m);
  return out;
}

/** xstate isDescendant(): strictly below `parent`; every node (the root included) is "below" undefined. */
function isDescendant(child: NodeRec, parent: NodeRec | undefined): boolean {
  let m = child;
  while (m.parent && m.parent !== parent) m = m.parent;
  return m.parent === parent;
}

function intersects(a: readonly NodeRec[], b: readonly NodeRec[]): boolean {
  const set = new Set(a);
  for (const x of b) if (set.has(x)) return true;
  return false;
}

/** xstate findLeastCommonAncestor(): the first proper ancestor of the head containing all the others. */
function findLeastCommonAncestor(nodes: readonly NodeRec[]): NodeRec | undefined {
  const [head, ...tail] = nodes;
  for (const anc of properAncestors(head!, undefined)) if (tail.every((sn) => isDescendant(sn, anc))) return anc;
  return undefined;
}

/** xstate getEffectiveTargetStates(): history targets replaced by what they recorded, or by their default. */
function effectiveTargetStates(t: TransitionLike, history: HistoryRec): NodeRec[] {
  if (!t.target) return [];
  const targets = new Set<NodeRec>();
  for (const tn of t.target) {
    if (tn.kind === 'history') {
      const recorded = history.slots[tn.historySlot];
      if (recorded) for (const n of recorded) targets.add(n);
      else {
        const def = tn.historyDefault!;
        for (const n of effectiveTargetStates({ source: tn.parent!, target: def.target, reenter: false }, history)) targets.add(n);
      }
    } else targets.add(tn);
  }
  return [...targets];
}

/** xstate addDescendantStatesToEnter(). */
function addDescendantStatesToEnter(node: NodeRec, history: HistoryRec, forDefault: Set<NodeRec>, toEnter: Set<NodeRec>): void {
  if (node.kind === 'history') {
    const recorded = history.slots[node.historySlot];
    if (recorded) {
      for (const s of recorded) {
        toEnter.add(s);
        addDescendantStatesToEnter(s, history, forDefault, toEnter);
      }
      for (const s of recorded) addAncestorStatesToEnter(toEnter, history, forDefault, properAncestors(s, node.parent), undefined);
    } else {
      const def = node.historyDefault!;
      for (const s of def.target) {
        toEnter.add(s);
        if (def.parentInitial) forDefault.add(node.parent!);
        addDescendantStatesToEnter(s, history, forDefault, toEnter);
      }
      for (const s of def.target) addAncestorStatesToEnter(toEnter, history, forDefault, properAncestors(s, node.parent), undefined);
    }
    return;
  }
  if (node.kind === 'compound') {
    const initial = node.initialTarget!;
    if (initial.kind !== 'history') {
      toEnter.add(initial);
      forDefault.add(initial);
    }
    addDescendantStatesToEnter(initial, history, forDefault, toEnter);
    addAncestorStatesToEnter(toEnter, history, forDefault, properAncestors(initial, node), undefined);
  } else if (node.kind === 'parallel') {
    for (const child of node.children) {
      if (![...toEnter].some((s) => isDescendant(s, child))) {
        toEnter.add(child);
        forDefault.add(child);
        addDescendantStatesToEnter(child, history, forDefault, toEnter);
      }
    }
  }
}

/** xstate addAncestorStatesToEnter(): ancestors inside the reentrancy domain, and every region of a parallel ancestor. */
function addAncestorStatesToEnter(
  toEnter: Set<NodeRec>,
  history: HistoryRec,
  forDefault: Set<NodeRec>,
  ancestors: readonly NodeRec[],
  reentrancyDomain: NodeRec | undefined,
): void {
  for (const anc of ancestors) {
    if (!reentrancyDomain || isDescendant(anc, reentrancyDomain)) toEnter.add(anc);
    if (anc.kind === 'parallel') {
      for (const child of anc.children) {
        if (![...toEnter].some((s) => isDescendant(s, child))) {
          toEnter.add(child);
          addDescendantStatesToEnter(child, history, forDefault, toEnter);
        }
      }
    }
  }
}
