/**
 * The universe of a coverage report, computed statically before anything runs (issue 7): from a compiled
 * statechart's tables (src/explore: state nodes, transition definitions, guards) and from the kernel model's rules
 * (src/kernel/rules.ts RULES).
 *
 * - states: every state node but the root and history pseudo-states (compound, parallel, atomic, final);
 * - transitions: every transition definition (each entry of an `on`, `onDone` or `always` list, per source node);
 * - guards: each guarded transition's guard, taken true and taken false;
 * - rules: every outcome of the kernel model (each errno path and each success); `not-modelled` is excluded, being
 *   the model's refusal of a call it does not implement and no outcome of the kernel;
 * - pairs: (t1, t2) where t2 may follow t1: t2's source is where t1 lands (its targets, or its source when it has
 *   none), an ancestor or a descendant of it, or in a region orthogonal to it. An over-approximation: what a search
 *   does not reach of it is unreachable only within that search's bounds, like everything else;
 * - paths: the simple paths through the top-level phases (the children of the root, or of its first region when
 *   the root is parallel: the lifecycle's `lifecycle` region) from the initial phase to a final one, along the
 *   statechart's own transitions.
 */
import type { AnyStateMachine } from 'xstate';
import type { CompiledMachine, TransitionInfo } from '../explore/index.ts';
import { RULES } from '../kernel/rules.ts';
import type { DimensionName, ItemKind } from './types.ts';

/** An item of the universe, before any source says anything about it. */
export interface UniverseItem {
  readonly dimension: DimensionName;
  readonly kind: ItemKind;
  readonly id: string;
  readonly machine?: string;
  readonly parent?: string;
  readonly detail?: string;
  /** Set when the item is excluded, with why. */
  readonly excluded?: string;
}

/** Why `not-modelled` is not counted. */
export const NOT_MODELLED_REASON = "not an outcome of the kernel: the model's refusal of a call it does not implement";

/** Every kernel rule, in table order; the index is the rule's number in the coverage model (coverageModel.ts). */
export const RULE_ITEMS: readonly UniverseItem[] = RULES.map((r) => ({
  dimension: 'rules',
  kind: 'rule',
  id: r.id,
  detail: `${r.op} -> ${r.result} (${r.kernelFunction})`,
  ...(r.id === 'not-modelled' ? { excluded: NOT_MODELLED_REASON } : {}),
}));

/** Rule id -> its index in RULE_ITEMS. */
export const RULE_INDEX: ReadonlyMap<string, number> = new Map(RULE_ITEMS.map((r, i) => [r.id, i]));

/** Stop enumerating simple phase paths past this many (the universe says so in a warning). */
export const MAX_PATHS = 20_000;

/** The phase structure paths are counted over. */
export interface PhaseStructure {
  /** The region whose children are the phases (node index). */
  readonly region: number;
  /** Phase node indexes, in document order. */
  readonly phases: readonly number[];
  readonly initial: number;
  readonly finals: ReadonlySet<number>;
  /** Per transition index: the phase its target lies in (node index), or -1 (no target, or outside the region). */
  readonly targetPhase: Int32Array;
  /** Per transition index: the phase its source lies in, or -1 (the region itself or above: any phase). */
  readonly sourcePhase: Int32Array;
  /** Phase name (the node's key) by node index. */
  readonly name: ReadonlyMap<number, string>;
}

/** The static universe of one statechart. */
export interface MachineUniverse {
  readonly machine: string;
  readonly compiled: CompiledMachine;
  /** Per state node index: its item, or undefined for the root and history nodes. */
  readonly stateItems: readonly (UniverseItem | undefined)[];
  /** Per transition index. */
  readonly transitionItems: readonly UniverseItem[];
  /** Per guard index: [taken false, taken true] (the explorer's guard item is 2·index + outcome). */
  readonly guardItems: readonly (readonly [UniverseItem, UniverseItem])[];
  /** Pairs by t1·T + t2 (T the number of transitions). */
  readonly pairItems: ReadonlyMap<number, UniverseItem>;
  /** Paths by their phase sequence (node indexes joined with ','). */
  readonly pathItems: ReadonlyMap<string, UniverseItem>;
  readonly phases: PhaseStructure | undefined;
  readonly warnings: readonly string[];
}

/** The universe of a compiled statechart (`machine` is the xstate machine it was compiled from: initial states). */
export function machineUniverse(compiled: CompiledMachine, machine: AnyStateMachine): MachineUniverse {
  const nodes = compiled.stateNodes;
  const rootId = nodes.find((n) => n.root)?.id ?? nodes[0]!.id;
  const warnings: string[] = [];
  const stateItems = nodes.map((n) => (n.root || n.kind === 'history'
    ? undefined
    : { dimension: 'states', kind: 'state', id: n.id, machine: rootId, ...(n.parent >= 0 && !nodes[n.parent]!.root ? { parent: nodes[n.parent]!.id } : {}), detail: n.kind } as UniverseItem));

  const seen = new Map<string, number>();
  const transitionItems = compiled.transitions.map((t) => {
    let id = transitionId(t);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id} #${n + 1}`;
    return { dimension: 'transitions', kind: 'transition', id, machine: rootId, parent: t.sourceId } as UniverseItem;
  });

  const guardItems = compiled.guards.map((g) => {
    const t = transitionItems[g.transition]!;
    const item = (v: boolean): UniverseItem => ({ dimension: 'guards', kind: 'guard', id: `${t.id} : ${v}`, machine: rootId, parent: t.id, detail: `${g.description} taken ${v}` });
    return [item(false), item(true)] as const;
  });

  const pairItems = pairUniverse(compiled, transitionItems, rootId);
  const phases = phaseStructure(compiled, machine);
  const pathItems = new Map<string, UniverseItem>();
  if (phases) {
    const paths = simplePaths(phases, compiled.transitions);
    if (paths.truncated) warnings.push(`more than ${MAX_PATHS} simple phase paths: only the first ${MAX_PATHS} are counted`);
    for (const p of paths.paths) {
      const id = `${rootId}: ${p.map((x) => phases.name.get(x)).join(' -> ')}`;
      pathItems.set(p.join(','), { dimension: 'paths', kind: 'path', id, machine: rootId, detail: `${p.length} phases` });
    }
  }
  return { machine: rootId, compiled, stateItems, transitionItems, guardItems, pairItems, pathItems, phases, warnings };
}

/** `<source> <event|always>[ [<guard>]] -> <targets|(no target)>`. */
export function transitionId(t: TransitionInfo): string {
  return `${t.sourceId} ${t.event ?? 'always'}${t.guard !== null ? ` [${t.guard}]` : ''} -> ${t.targets.length ? t.targets.join(', ') : '(no target)'}`;
}

/** Node relations over the compiled table. */
class Tree {
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  readonly byId = new Map<string, number>();
  constructor(private readonly compiled: CompiledMachine) {
    const n = compiled.stateNodes.length;
    this.parent = new Int32Array(n);
    this.depth = new Int32Array(n);
    for (const s of compiled.stateNodes) {
      this.parent[s.index] = s.parent;
      this.byId.set(s.id, s.index);
    }
    for (const s of compiled.stateNodes) {
      let d = 0;
      for (let x = s.parent; x >= 0; x = this.parent[x]!) d++;
      this.depth[s.index] = d;
    }
  }
  /** `a` is `b` or one of its ancestors. */
  ancestorOrSelf(a: number, b: number): boolean {
    for (let x = b; x >= 0; x = this.parent[x]!) if (x === a) return true;
    return false;
  }
  lca(a: number, b: number): number {
    while (this.depth[a]! > this.depth[b]!) a = this.parent[a]!;
    while (this.depth[b]! > this.depth[a]!) b = this.parent[b]!;
    while (a !== b) {
      a = this.parent[a]!;
      b = this.parent[b]!;
    }
    return a;
  }
  /** In two different regions of a parallel state. */
  orthogonal(a: number, b: number): boolean {
    if (this.ancestorOrSelf(a, b) || this.ancestorOrSelf(b, a)) return false;
    return this.compiled.stateNodes[this.lca(a, b)]!.kind === 'parallel';
  }
  /** A history target lands on its parent. */
  landing(id: string): number {
    const x = this.byId.get(id);
    if (x === undefined) return -1;
    return this.compiled.stateNodes[x]!.kind === 'history' ? this.parent[x]! : x;
  }
}

function pairUniverse(compiled: CompiledMachine, items: readonly UniverseItem[], machine: string): Map<number, UniverseItem> {
  const tree = new Tree(compiled);
  const ts = compiled.transitions;
  const T = ts.length;
  const out = new Map<number, UniverseItem>();
  for (const t1 of ts) {
    const lands = t1.targets.length ? t1.targets.map((id) => tree.landing(id)).filter((x) => x >= 0) : [t1.source];
    for (const t2 of ts) {
      const s = t2.source;
      const ok = lands.some((l) => tree.ancestorOrSelf(s, l) || tree.ancestorOrSelf(l, s) || tree.orthogonal(s, l));
      if (!ok) continue;
      // No `parent`: the first transition is the id's first half (pairs are many: the report stays smaller).
      const a = items[t1.index]!;
      const b = items[t2.index]!;
      out.set(t1.index * T + t2.index, { dimension: 'pairs', kind: 'pair', id: `${a.id}  =>  ${b.id}`, machine });
    }
  }
  return out;
}

/** The region whose children are the phases, its initial phase and final phases; undefined when there is none. */
function phaseStructure(compiled: CompiledMachine, machine: AnyStateMachine): PhaseStructure | undefined {
  const nodes = compiled.stateNodes;
  const tree = new Tree(compiled);
  const root = nodes.find((n) => n.root);
  if (!root) return undefined;
  const children = (x: number) => nodes.filter((n) => n.parent === x && n.kind !== 'history').map((n) => n.index);
  let region = root.index;
  if (root.kind === 'parallel') {
    const first = children(root.index)[0];
    if (first === undefined || nodes[first]!.kind !== 'compound') return undefined;
    region = first;
  } else if (root.kind !== 'compound') return undefined;
  const phases = children(region);
  if (phases.length === 0) return undefined;
  const xsNode = machine.getStateNodeById(nodes[region]!.id) as unknown as { initial?: { target?: readonly { id: string }[] } };
  const initialId = xsNode.initial?.target?.[0]?.id;
  const initial = initialId === undefined ? -1 : phaseOf(tree, region, tree.landing(initialId));
  if (initial < 0) return undefined;
  const targetPhase = new Int32Array(compiled.transitions.length).fill(-1);
  const sourcePhase = new Int32Array(compiled.transitions.length);
  for (const t of compiled.transitions) {
    sourcePhase[t.index] = phaseOf(tree, region, t.source);
    // The phase a transition moves to: where its (first) target lies under the region.
    for (const id of t.targets) {
      const p = phaseOf(tree, region, tree.landing(id));
      if (p >= 0) {
        targetPhase[t.index] = p;
        break;
      }
    }
  }
  const name = new Map(phases.map((p) => [p, nodes[p]!.path[nodes[p]!.path.length - 1] ?? nodes[p]!.id]));
  return { region, phases, initial, finals: new Set(phases.filter((p) => nodes[p]!.kind === 'final')), targetPhase, sourcePhase, name };
}

/** The child of `region` that `x` lies in (or is), or -1. */
function phaseOf(tree: Tree, region: number, x: number): number {
  for (let y = x; y >= 0; y = tree.parent[y]!) if (tree.parent[y] === region) return y;
  return -1;
}

/** Simple paths from the initial phase to a final one over the phase edges the transitions give. */
function simplePaths(ph: PhaseStructure, transitions: readonly TransitionInfo[]): { paths: number[][]; truncated: boolean } {
  const edges = new Map<number, Set<number>>(ph.phases.map((p) => [p, new Set<number>()]));
  for (const t of transitions) {
    const to = ph.targetPhase[t.index]!;
    if (to < 0) continue;
    // From the phase the source lies in; a transition of the region or above may fire from any phase.
    const from = ph.sourcePhase[t.index]!;
    const sources = from < 0 ? ph.phases : [from];
    for (const f of sources) if (f !== to) edges.get(f)!.add(to);
  }
  const paths: number[][] = [];
  let truncated = false;
  const stack: number[] = [ph.initial];
  const on = new Set<number>([ph.initial]);
  const walk = (p: number): void => {
    if (truncated) return;
    if (ph.finals.has(p)) {
      if (paths.length >= MAX_PATHS) truncated = true;
      else paths.push([...stack]);
      return;
    }
    for (const q of [...edges.get(p)!].sort((a, b) => a - b)) {
      if (on.has(q)) continue;
      on.add(q);
      stack.push(q);
      walk(q);
      stack.pop();
      on.delete(q);
    }
  };
  walk(ph.initial);
  return { paths, truncated };
}
