/**
 * A statechart as the visualiser draws it: the compiled machine's tables (src/explore: state nodes, transition
 * definitions, guards; the same indexes and ids as coverage's universe), the actions xstate's definition gives each
 * transition, the kernel-model rules each transition can drive (src/kernel RULES, by the op the transition handles),
 * and a layout computed once on the server by elkjs (the layered algorithm with `hierarchyHandling: INCLUDE_CHILDREN`,
 * so compound and parallel states are laid out nested, with edges crossing their borders).
 *
 * Readability. The lifecycle has one transition per (phase, op, outcome): hundreds of definitions between a dozen
 * phases. Parallel definitions between the same source and targets are drawn as ONE edge, labelled with how many
 * events it carries and its guard(s); targetless definitions (a call that does not change the phase) are drawn as a
 * compact loop badge on their state, not as edges. Selecting an edge or a badge lists every definition in it.
 *
 * Collapsing. A collapsed compound state is laid out as a leaf; the transitions of its descendants are re-attached to
 * it (and those that stay inside it become its loop badge). Each set of collapsed states is laid out once and kept.
 */
import type { AnyStateMachine } from 'xstate';
import ElkModule from 'elkjs';
import type { CompiledMachine } from '../explore/index.ts';
import { RULES } from '../kernel/index.ts';
import type { MachineUniverse } from '../coverage/index.ts';

/** One state node of a chart. */
export interface ChartNode {
  index: number;
  id: string;
  key: string;
  kind: string;
  /** Parent node id, or null for the root. */
  parent: string | null;
  children: string[];
  /** This node is its parent's initial child. */
  initial: boolean;
}

/** One transition definition. */
export interface ChartTransition {
  index: number;
  /** Coverage's id of it (`<source> <event>[ [<guard>]] -> <targets>`). */
  id: string;
  source: string;
  event: string | null;
  guard: string | null;
  targets: string[];
  /** Actions, as `type(params)`. */
  actions: string[];
}

/** The static chart of one machine. */
export interface Chart {
  machine: string;
  nodes: ChartNode[];
  transitions: ChartTransition[];
  /** Kernel rule ids a transition's event can end on (by RULES' op field), per event. */
  rulesByEvent: Record<string, string[]>;
}

/** A drawn edge: transitions grouped by (visible source, visible targets). */
export interface LaidEdge {
  id: string;
  source: string;
  targets: string[];
  /** Transition indexes. */
  transitions: number[];
  label: string;
  /** Polyline points (absolute). */
  points: { x: number; y: number }[];
  labelBox: { x: number; y: number; width: number; height: number } | null;
}

/** A drawn node. */
export interface LaidNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Compound/parallel drawn as a container (false when collapsed or atomic). */
  container: boolean;
  collapsed: boolean;
  /** Targetless transitions (or ones that stay inside a collapsed node): its loop badge. */
  loops: number[];
}

/** A layout for one set of collapsed nodes. */
export interface Layout {
  collapsed: string[];
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
  /** Initial markers: a dot in a container pointing at its initial child. */
  initials: { parent: string; target: string; x: number; y: number; points: { x: number; y: number }[] }[];
}

type XsNode = {
  id: string;
  key: string;
  type: string;
  states: Record<string, XsNode>;
  transitions: Map<string, XsTransition[]>;
  always?: XsTransition[];
  initial?: { target?: readonly { id: string }[] };
};
type XsTransition = { actions?: readonly unknown[] };

function actionText(a: unknown): string {
  if (typeof a === 'string') return a;
  if (typeof a === 'function') return (a as { type?: string }).type ?? (a.name || 'inline');
  if (a && typeof a === 'object') {
    const o = a as { type?: unknown; params?: unknown };
    const type = typeof o.type === 'string' ? o.type : 'inline';
    if (o.params === undefined || typeof o.params === 'function') return type;
    return `${type}(${Object.entries(o.params as Record<string, unknown>).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')})`;
  }
  return String(a);
}

/** Rule ids by event: every rule whose `op` lists the event, or applies to any call (`*`). */
function rulesFor(events: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) {
    out[e] = RULES.filter((r) => {
      if (r.op === '*') return true;
      const ops = r.op.split(/,\s*/);
      return ops.includes(e) || new RegExp(`\\b${e}\\b`).test(r.op);
    }).map((r) => r.id);
  }
  return out;
}

/** The chart of a compiled machine (`universe` gives coverage's transition ids). */
export function buildChart(compiled: CompiledMachine, machine: AnyStateMachine, universe: MachineUniverse): Chart {
  const nodesByIndex = compiled.stateNodes;
  const xsById = new Map<string, XsNode>();
  const visit = (n: XsNode): void => {
    xsById.set(n.id, n);
    for (const c of Object.values(n.states ?? {})) visit(c);
  };
  visit((machine as unknown as { root: XsNode }).root);
  const nodes: ChartNode[] = nodesByIndex.filter((n) => n.kind !== 'history').map((n) => {
    const parent = n.parent >= 0 ? nodesByIndex[n.parent]!.id : null;
    const parentXs = parent === null ? undefined : xsById.get(parent);
    return {
      index: n.index,
      id: n.id,
      key: n.path[n.path.length - 1] ?? n.id,
      kind: n.kind,
      parent,
      children: nodesByIndex.filter((c) => c.parent === n.index && c.kind !== 'history').map((c) => c.id),
      initial: parentXs?.initial?.target?.some((t) => t.id === n.id) ?? false,
    };
  });
  // Actions from xstate's definitions: the k-th compiled transition of (source, event) is xstate's k-th.
  const ordinal = new Map<string, number>();
  const transitions: ChartTransition[] = compiled.transitions.map((t) => {
    const key = `${t.sourceId}\u0000${t.event ?? ''}`;
    const k = ordinal.get(key) ?? 0;
    ordinal.set(key, k + 1);
    const xs = xsById.get(t.sourceId);
    const defs = t.event === null ? xs?.always : xs?.transitions.get(t.event);
    const actions = (defs?.[k]?.actions ?? []).map(actionText);
    return { index: t.index, id: universe.transitionItems[t.index]!.id, source: t.sourceId, event: t.event, guard: t.guard, targets: [...t.targets], actions };
  });
  const events = [...new Set(transitions.flatMap((t) => (t.event === null ? [] : [t.event])))].sort();
  const root = nodes.find((n) => n.parent === null)!;
  return { machine: root.id, nodes, transitions, rulesByEvent: rulesFor(events) };
}

const CHAR_W = 6.6;
const LINE_H = 14;

function edgeLabel(chart: Chart, members: readonly number[]): string {
  const ts = members.map((i) => chart.transitions[i]!);
  const events = [...new Set(ts.map((t) => t.event ?? 'always'))];
  const guards = [...new Set(ts.map((t) => t.guard).filter((g): g is string => g !== null))];
  const ev = events.length === 1 ? events[0]! : `${events.length} events`;
  const gd = guards.length === 0 ? '' : guards.length === 1 ? ` [${guards[0]}]` : ` [${guards.length} guards]`;
  return `${ev}${gd}`;
}

/** Lays out `chart` with the nodes in `collapsed` (compound ids) drawn as leaves. */
export async function layoutChart(chart: Chart, collapsedIn: readonly string[]): Promise<Layout> {
  const byId = new Map(chart.nodes.map((n) => [n.id, n]));
  const collapsed = new Set(collapsedIn.filter((id) => (byId.get(id)?.children.length ?? 0) > 0 && byId.get(id)!.parent !== null));
  // The visible representative of a node: its outermost collapsed ancestor, or itself.
  const rep = (id: string): string => {
    let r = id;
    for (let n = byId.get(id); n && n.parent !== null; n = byId.get(n.parent)) if (collapsed.has(n.parent)) r = n.parent;
    return r;
  };
  const visible = (n: ChartNode): boolean => rep(n.id) === n.id;
  const isContainer = (n: ChartNode): boolean => n.children.length > 0 && !collapsed.has(n.id);

  const loops = new Map<string, number[]>();
  const groups = new Map<string, { source: string; targets: string[]; members: number[] }>();
  for (const t of chart.transitions) {
    const s = rep(t.source);
    const targets = [...new Set(t.targets.map(rep))];
    if (targets.length === 0 || (targets.length === 1 && targets[0] === s)) {
      (loops.get(s) ?? loops.set(s, []).get(s)!).push(t.index);
      continue;
    }
    const key = `${s}\u0000${targets.join('\u0000')}`;
    const g = groups.get(key) ?? groups.set(key, { source: s, targets, members: [] }).get(key)!;
    g.members.push(t.index);
  }

  const labelOf = (n: ChartNode): string => n.key;
  type ElkNode = { id: string; width?: number; height?: number; x?: number; y?: number; children?: ElkNode[]; layoutOptions?: Record<string, string>; labels?: unknown[] };
  const elkNode = (n: ChartNode): ElkNode => {
    if (isContainer(n)) {
      const kids = n.children.map((c) => byId.get(c)!).filter(visible).map(elkNode);
      const init = n.kind !== 'parallel' ? n.children.map((c) => byId.get(c)!).find((c) => c.initial) : undefined;
      if (init) kids.unshift({ id: `init:${n.id}`, width: 10, height: 10 });
      const title = Math.max(60, labelOf(n).length * CHAR_W + 60);
      return {
        id: n.id,
        children: kids,
        layoutOptions: {
          'elk.padding': `[top=${n.parent === null ? 34 : 28},left=14,bottom=14,right=14]`,
          'elk.nodeSize.minimum': `(${title}, 40)`,
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          ...(n.kind === 'parallel' ? { 'elk.direction': 'DOWN' } : {}),
        },
      };
    }
    const loopCount = loops.get(n.id)?.length ?? 0;
    const text = labelOf(n) + (collapsed.has(n.id) ? ' ⊕' : '');
    const w = Math.max(96, text.length * CHAR_W + 28, loopCount ? 96 : 0);
    return { id: n.id, width: Math.round(w), height: loopCount ? 46 : 34 };
  };
  const root = chart.nodes.find((n) => n.parent === null)!;
  const edges = [...groups.values()].map((g, i) => {
    const label = edgeLabel(chart, g.members);
    return {
      id: `g${i}`,
      sources: [g.source],
      targets: g.targets,
      labels: [{ id: `g${i}:l`, text: label, width: Math.round(label.length * CHAR_W + 6), height: LINE_H }],
      members: g.members,
      label,
    };
  });
  const initEdges: { id: string; sources: string[]; targets: string[]; parent: string }[] = [];
  for (const n of chart.nodes) {
    if (!isContainer(n) || !visible(n) || n.kind === 'parallel') continue;
    const init = n.children.map((c) => byId.get(c)!).find((c) => c.initial);
    if (init) initEdges.push({ id: `ie:${n.id}`, sources: [`init:${n.id}`], targets: [init.id], parent: n.id });
  }
  const graph = {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.direction': 'RIGHT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '22',
      'elk.spacing.edgeLabel': '3',
      'elk.spacing.edgeNode': '14',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: [elkNode(root)],
    edges: [...edges.map(({ id, sources, targets, labels }) => ({ id, sources, targets, labels })), ...initEdges.map(({ id, sources, targets }) => ({ id, sources, targets }))],
  };
  // elkjs is CommonJS: its module object is the constructor (with itself as `default`).
  const Elk = ((ElkModule as unknown as { default?: unknown }).default ?? ElkModule) as unknown as new () => { layout(g: unknown): Promise<unknown> };
  const elk = new Elk();
  const out = (await elk.layout(graph as never)) as unknown as ElkNode & { edges: { id: string; sections?: { startPoint: P; endPoint: P; bendPoints?: P[] }[]; labels?: { x: number; y: number; width: number; height: number }[] }[] };
  type P = { x: number; y: number };

  const laidNodes: LaidNode[] = [];
  const initials: Layout['initials'] = [];
  const pos = new Map<string, ElkNode>();
  const walk = (n: ElkNode): void => {
    pos.set(n.id, n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(out);
  for (const n of chart.nodes) {
    if (!visible(n)) continue;
    const p = pos.get(n.id)!;
    laidNodes.push({
      id: n.id, x: p.x ?? 0, y: p.y ?? 0, width: p.width ?? 0, height: p.height ?? 0,
      container: isContainer(n), collapsed: collapsed.has(n.id), loops: loops.get(n.id) ?? [],
    });
  }
  const pointsOf = (e: { sections?: { startPoint: P; endPoint: P; bendPoints?: P[] }[] }): P[] =>
    (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]).map((q) => ({ x: Math.round(q.x * 10) / 10, y: Math.round(q.y * 10) / 10 }));
  const laidEdges: LaidEdge[] = [];
  for (const e of out.edges) {
    const g = edges.find((x) => x.id === e.id);
    if (g) {
      const l = e.labels?.[0];
      laidEdges.push({
        id: g.id, source: g.sources[0]!, targets: g.targets, transitions: g.members, label: g.label, points: pointsOf(e),
        labelBox: l ? { x: l.x, y: l.y, width: l.width, height: l.height } : null,
      });
      continue;
    }
    const ie = initEdges.find((x) => x.id === e.id);
    if (ie) {
      const dot = pos.get(`init:${ie.parent}`)!;
      initials.push({ parent: ie.parent, target: ie.targets[0]!, x: (dot.x ?? 0) + 5, y: (dot.y ?? 0) + 5, points: pointsOf(e) });
    }
  }
  return { collapsed: [...collapsed].sort(), width: out.width ?? 0, height: out.height ?? 0, nodes: laidNodes, edges: laidEdges, initials };
}
