/**
 * Reads an XState v5 machine's state-node tree into the compiled engine's tables: one NodeRec per state node (in
 * document order), one TransitionRec per transition definition (each entry of an `on` list — `onDone` included — and
 * of an `always` list, per source node), compiled guards and actions, the static universe tables that coverage
 * counts against (issue 7), and the list of features the engine does not run, each with where it was found.
 *
 * It reads xstate's own StateNode objects (`root`, `states`, `transitions`, `always`, `initial`, `entry`, `exit`,
 * `invoke`, `after`, `order`) rather than the raw config, so that transition targets, descriptors, defaults and
 * document order are exactly what xstate resolved.
 */
import type { AnyStateMachine } from 'xstate';
import { compileActions, customActionNames, type ActionContext } from './actions.ts';
import { compileGuard, type GuardContext } from './guards.ts';
import type { ActionOp, GuardInfo, NodeKind, NodeRec, StateNodeInfo, TransitionInfo, TransitionRec } from './types.ts';

/** The parts of xstate's StateNode this module reads (xstate types them as internal). */
interface XsNode {
  id: string;
  key: string;
  path: string[];
  type: NodeKind;
  order: number;
  parent?: XsNode;
  states: Record<string, XsNode>;
  history: 'shallow' | 'deep' | false;
  entry: unknown[];
  exit: unknown[];
  initial: { target: XsNode[]; actions: unknown[] };
  transitions: Map<string, XsTransition[]>;
  always?: XsTransition[];
  invoke: { id: string }[];
  after: unknown[];
  output: unknown;
  tags?: string[];
  config: { target?: unknown; after?: unknown; [k: string]: unknown };
}

interface XsTransition {
  target?: XsNode[];
  reenter: boolean;
  guard?: unknown;
  actions: unknown[];
  eventType: string;
}

/** A feature the compiled engine does not run, and where it was found. */
export interface UnsupportedUse {
  readonly feature: string;
  readonly where: string;
}

/** Everything compile.ts needs about a machine, built once. */
export interface Statechart {
  readonly machine: AnyStateMachine;
  readonly root: NodeRec;
  /** By index (document order). */
  readonly nodes: readonly NodeRec[];
  /** History nodes by history slot. */
  readonly historyNodes: readonly NodeRec[];
  readonly transitions: readonly TransitionRec[];
  readonly stateNodeTable: readonly StateNodeInfo[];
  readonly transitionTable: readonly TransitionInfo[];
  readonly guardTable: readonly GuardInfo[];
  readonly unsupported: readonly UnsupportedUse[];
  /** Custom (side-effect) actions, which the engine does not run (nor does xstate's transition()). */
  readonly customActions: readonly string[];
  readonly actionContext: ActionContext;
  /** xstate StateNode → NodeRec, and xstate transition object → TransitionRec (for the interpreted mode). */
  readonly nodeOf: Map<unknown, NodeRec>;
  readonly transitionOf: Map<unknown, TransitionRec>;
}

/** Reads `machine` (throws a TypeError when it is not an XState v5 machine). */
export function readStatechart(machine: AnyStateMachine): Statechart {
  const xsRoot = (machine as unknown as { root?: XsNode }).root;
  if (!xsRoot || typeof xsRoot !== 'object' || !(xsRoot.transitions instanceof Map)) {
    throw new TypeError('not an XState v5 machine (no `root` state node): build it with createMachine() or setup().createMachine()');
  }
  const impl = (machine as unknown as { implementations: { guards: Record<string, unknown>; actions: Record<string, unknown> } })
    .implementations;

  // Nodes, in document order.
  const nodes: NodeRec[] = [];
  const nodeOf = new Map<unknown, NodeRec>();
  const xsOf: XsNode[] = [];
  const walk = (xs: XsNode, parent: NodeRec | undefined): NodeRec => {
    const rec: NodeRec = {
      index: nodes.length,
      id: xs.id,
      key: xs.key,
      path: [...xs.path],
      kind: xs.type,
      parent,
      children: [],
      historyChildren: [],
      history: xs.type === 'history' ? (xs.history === 'deep' ? 'deep' : 'shallow') : false,
      historySlot: -1,
      historyDefault: undefined,
      initialTarget: undefined,
      initialActions: [],
      entry: [],
      exit: [],
      on: new Map(),
      always: [],
      output: xs.type === 'final' ? xs.output : undefined,
      tags: [...(xs.tags ?? [])],
      candidates: new Map(),
    };
    if (xs.order !== rec.index) {
      throw new TypeError(`state node #${xs.id}: document order ${xs.order} where ${rec.index} was expected (two state nodes with the same id?)`);
    }
    nodes.push(rec);
    xsOf.push(xs);
    nodeOf.set(xs, rec);
    for (const child of Object.values(xs.states)) {
      const c = walk(child, rec);
      if (c.kind === 'history') rec.historyChildren.push(c);
      else rec.children.push(c);
    }
    return rec;
  };
  const root = walk(xsRoot, undefined);
  const historyNodes = nodes.filter((n) => n.kind === 'history');
  historyNodes.forEach((h, slot) => (h.historySlot = slot));

  const nodeByXs = (xs: XsNode): NodeRec => {
    const n = nodeOf.get(xs);
    if (!n) throw new TypeError(`state node #${xs.id} is not part of this machine`);
    return n;
  };
  let stateInIds = 0;
  const guardContext: GuardContext = {
    guards: impl.guards ?? {},
    nodeById: (id) => nodeByXs((machine as unknown as { getStateNodeById(id: string): XsNode }).getStateNodeById(id)),
    nextStateInId: () => stateInIds++,
  };
  const actionContext: ActionContext = { actions: impl.actions ?? {}, guardContext };

  const unsupported: UnsupportedUse[] = [];
  const customActions = new Set<string>();
  const noteOps = (ops: readonly ActionOp[]) => {
    for (const op of ops) if (op.kind === 'unsupported') unsupported.push({ feature: op.feature, where: op.where });
  };
  const compileList = (raw: readonly unknown[], where: string): ActionOp[] => {
    const ops = compileActions(raw, actionContext, where);
    noteOps(ops);
    for (const name of customActionNames(raw, actionContext)) customActions.add(name);
    return ops;
  };

  // Per node: entry/exit/initial, history defaults, unsupported features.
  for (const n of nodes) {
    const xs = xsOf[n.index]!;
    const at = `#${n.id}`;
    if (xs.invoke.length) unsupported.push({ feature: `invoke (${xs.invoke.map((i) => i.id).join(', ')})`, where: at });
    if (xs.config.after !== undefined) unsupported.push({ feature: 'delayed transitions (after)', where: at });
    n.entry = compileList(xs.entry, `entry of ${at}`);
    n.exit = compileList(xs.exit, `exit of ${at}`);
    if (n.kind === 'compound') {
      n.initialTarget = nodeByXs(xs.initial.target[0]!);
      n.initialActions = compileList(xs.initial.actions, `initial of ${at}`);
    }
    if (n.kind === 'history') n.historyDefault = historyDefaultOf(n, xs, machine, nodeByXs);
  }

  // Transitions, in node order; within a node, xstate's `transitions` Map order, then `always`.
  const transitions: TransitionRec[] = [];
  const transitionTable: TransitionInfo[] = [];
  const guardTable: GuardInfo[] = [];
  const transitionOf = new Map<unknown, TransitionRec>();
  const addTransition = (n: NodeRec, t: XsTransition, descriptor: string | null, where: string): TransitionRec => {
    const index = transitions.length;
    let guardIndex = -1;
    let guard;
    let guardDescription: string | null = null;
    if (t.guard !== undefined) {
      const g = compileGuard(t.guard, guardContext);
      for (const f of g.unsupported) unsupported.push({ feature: f, where });
      guard = g.fn;
      guardDescription = g.description;
      guardIndex = guardTable.length;
      guardTable.push({ index: guardIndex, transition: index, description: g.description });
    }
    const target = t.target?.map(nodeByXs);
    const rec: TransitionRec = {
      index,
      source: n,
      descriptor,
      target,
      reenter: t.reenter,
      actions: compileList(t.actions, where),
      guard,
      guardIndex,
      forbidden: !t.target && t.actions.length === 0 && !t.reenter,
      where,
    };
    transitions.push(rec);
    transitionOf.set(t, rec);
    transitionTable.push({
      index,
      source: n.index,
      sourceId: n.id,
      event: descriptor,
      guard: guardDescription,
      guardIndex,
      targets: (target ?? []).map((x) => x.id),
      reenter: t.reenter,
    });
    return rec;
  };
  for (const n of nodes) {
    const xs = xsOf[n.index]!;
    for (const [descriptor, list] of xs.transitions) {
      n.on.set(
        descriptor,
        list.map((t, i) => addTransition(n, t, descriptor, `#${n.id} on ${descriptor}${list.length > 1 ? `[${i}]` : ''}`)),
      );
    }
    n.always = (xs.always ?? []).map((t, i, all) => addTransition(n, t, null, `#${n.id} always${all.length > 1 ? `[${i}]` : ''}`));
  }

  const stateNodeTable: StateNodeInfo[] = nodes.map((n) => ({
    index: n.index,
    id: n.id,
    path: n.path,
    kind: n.kind,
    root: n === root,
    parent: n.parent ? n.parent.index : -1,
  }));

  return {
    machine,
    root,
    nodes,
    historyNodes,
    transitions,
    stateNodeTable,
    transitionTable,
    guardTable,
    unsupported: dedupe(unsupported),
    customActions: [...customActions],
    actionContext,
    nodeOf,
    transitionOf,
  };
}

/** xstate resolveHistoryDefaultTransition(): the configured `target`, else the parent (parallel) or its initial. */
function historyDefaultOf(
  n: NodeRec,
  xs: XsNode,
  machine: AnyStateMachine,
  nodeByXs: (xs: XsNode) => NodeRec,
): { target: NodeRec[]; parentInitial: boolean } {
  const parent = n.parent!;
  const raw = xs.config.target;
  if (raw === undefined || raw === '') {
    if (parent.kind === 'parallel') return { target: [parent], parentInitial: false };
    return { target: [parent.initialTarget!], parentInitial: true };
  }
  const list = Array.isArray(raw) ? raw : [raw];
  const xsParent = xs.parent!;
  return {
    target: list.map((t) => {
      if (typeof t !== 'string') return nodeByXs(t as XsNode);
      if (t[0] === '#') {
        try {
          return nodeByXs((machine as unknown as { getStateNodeById(id: string): XsNode }).getStateNodeById(t));
        } catch {
          // xstate's getStateNodeByPath falls back to a relative path: so do we.
        }
      }
      let cur = xsParent;
      for (const key of t.split('.')) {
        if (!key.length) break;
        const next = cur.states[key];
        if (!next) throw new TypeError(`history state #${n.id}: target '${t}' does not exist under #${xsParent.id}`);
        cur = next;
      }
      return nodeByXs(cur);
    }),
    parentInitial: false,
  };
}

function dedupe(list: UnsupportedUse[]): UnsupportedUse[] {
  const seen = new Set<string>();
  return list.filter((u) => {
    const k = `${u.feature}\u0000${u.where}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
