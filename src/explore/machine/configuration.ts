/**
 * Configurations and history values, interned: every distinct set of active state nodes becomes one Configuration
 * object (with its state value computed once, frozen and shared), and every distinct history value one HistoryRec.
 * Machine states then hold two references and a context, and the engine's caches hang off the configuration.
 *
 * The state value is xstate's (getStateValue(): getAllStateNodes() then getValueFromAdj()), with the children of
 * each node in document order. xstate orders them by `snapshot._nodes`; for the children of one node the two orders
 * agree, because parallel regions are only ever exited and entered together (see select.ts for the one place where
 * xstate's `_nodes` order is observable, and what we do there).
 */
import type { StateValue } from 'xstate';
import type { Configuration, HistoryRec, NodeRec } from './types.ts';

/** Is `node` atomic for xstate (atomic or final)? */
export function isAtomic(node: NodeRec): boolean {
  return node.kind === 'atomic' || node.kind === 'final';
}

/** xstate isInFinalState() over a membership test. */
export function isInFinalState(has: (n: NodeRec) => boolean, node: NodeRec): boolean {
  if (node.kind === 'compound') return node.children.some((c) => c.kind === 'final' && has(c));
  if (node.kind === 'parallel') return node.children.every((c) => isInFinalState(has, c));
  return node.kind === 'final';
}

/** Interns configurations of one machine. */
export class ConfigurationTable {
  private readonly byKey = new Map<string, Configuration>();
  private readonly byAtomics = new Map<string, Configuration>();
  private nextId = 0;

  constructor(
    private readonly nodes: readonly NodeRec[],
    private readonly root: NodeRec,
  ) {}

  /** The configuration with exactly these active nodes (which must be closed under parents). */
  intern(active: Iterable<NodeRec>): Configuration {
    const sorted = [...new Set(active)].sort((a, b) => a.index - b.index);
    const key = keyOf(sorted);
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const has = new Uint8Array(this.nodes.length);
    for (const n of sorted) has[n.index] = 1;
    const atomics = sorted.filter(isAtomic);
    const config: Configuration = {
      id: this.nextId++,
      nodes: sorted,
      has,
      atomics,
      value: deepFreeze(stateValueOf(this.root, sorted)),
      rootFinal: isInFinalState((n) => has[n.index] === 1, this.root),
      tags: new Set(sorted.flatMap((n) => n.tags)),
      selectPlans: [],
      alwaysPlan: undefined,
      steps: new Map(),
      stateIn: undefined,
    };
    this.byKey.set(key, config);
    return config;
  }

  /** The configuration whose atomic nodes are these node indexes (decoding); throws on an invalid list. */
  fromAtomics(indexes: readonly number[]): Configuration {
    let key = '';
    for (const i of indexes) key += String.fromCharCode(i);
    const hit = this.byAtomics.get(key);
    if (hit) return hit;
    const active = new Set<NodeRec>();
    for (const i of indexes) {
      const n = this.nodes[i];
      if (!n || !isAtomic(n)) throw new RangeError(`not an atomic state node index: ${i}`);
      for (let m: NodeRec | undefined = n; m; m = m.parent) active.add(m);
    }
    const config = this.intern(active);
    if (config.atomics.length !== indexes.length) throw new RangeError('atomic state node indexes do not form a configuration');
    this.byAtomics.set(key, config);
    return config;
  }

  /**
   * The configuration of a state value (xstate getStateNodes() then getAllStateNodes(), as `machine.resolveState`
   * does): a partial value is completed with initial states.
   */
  fromValue(value: StateValue): Configuration {
    return this.intern(completeConfiguration(nodesOfValue(this.root, value, this.root)));
  }
}

/** xstate getAllStateNodes(): adds default descendants of nodes that have none active, then all ancestors. */
export function completeConfiguration(nodes: Iterable<NodeRec>): Set<NodeRec> {
  const set = new Set(nodes);
  const hasChildIn = (s: NodeRec) => s.children.some((c) => set.has(c));
  for (const s of set) {
    if (s.kind === 'compound' && !hasChildIn(s)) {
      for (const n of initialNodesWithAncestors(s)) set.add(n);
    } else if (s.kind === 'parallel') {
      for (const child of s.children) {
        if (!set.has(child)) for (const n of initialNodesWithAncestors(child)) set.add(n);
      }
    }
  }
  for (const s of set) for (let m = s.parent; m; m = m.parent) set.add(m);
  return set;
}

/** xstate getInitialStateNodes(): the node and its default descendants (a history node as initial is included as is). */
export function initialNodes(node: NodeRec): Set<NodeRec> {
  const set = new Set<NodeRec>();
  const iter = (n: NodeRec): void => {
    if (set.has(n)) return;
    set.add(n);
    if (n.kind === 'compound') iter(n.initialTarget!);
    else if (n.kind === 'parallel') for (const c of n.children) iter(c);
  };
  iter(node);
  return set;
}

function initialNodesWithAncestors(node: NodeRec): Set<NodeRec> {
  const set = initialNodes(node);
  for (const n of [...set]) for (let m = n.parent; m && m !== node; m = m.parent) set.add(m);
  return set;
}

/** xstate getStateNodes(stateNode, stateValue), over NodeRecs. */
function nodesOfValue(node: NodeRec, value: StateValue, root: NodeRec): NodeRec[] {
  if (typeof value === 'string') {
    const child = childByKey(node, value);
    return [node, child];
  }
  const out: NodeRec[] = [root, node];
  const keys = Object.keys(value);
  for (const k of keys) out.push(childByKey(node, k));
  for (const k of keys) out.push(...nodesOfValue(childByKey(node, k), value[k] as StateValue, root));
  return out;
}

function childByKey(node: NodeRec, key: string): NodeRec {
  const child = node.children.find((c) => c.key === key) ?? node.historyChildren.find((c) => c.key === key);
  if (!child) throw new Error(`State '${key}' does not exist on '${node.id}'`);
  return child;
}

/** xstate getStateValue(root, nodes) for nodes sorted in document order. */
export function stateValueOf(root: NodeRec, nodes: readonly NodeRec[]): StateValue {
  const all = [...completeConfiguration(nodes)].sort((a, b) => a.index - b.index);
  const adj = new Map<NodeRec, NodeRec[]>();
  for (const s of all) {
    if (!adj.has(s)) adj.set(s, []);
    if (s.parent) {
      if (!adj.has(s.parent)) adj.set(s.parent, []);
      adj.get(s.parent)!.push(s);
    }
  }
  const fromAdj = (base: NodeRec): StateValue => {
    const children = adj.get(base);
    if (!children) return {};
    if (base.kind === 'compound') {
      const child = children[0];
      if (!child) return {};
      if (isAtomic(child)) return child.key;
    }
    const v: Record<string, StateValue> = {};
    for (const c of children) v[c.key] = fromAdj(c);
    return v;
  };
  return fromAdj(root);
}

function keyOf(sorted: readonly NodeRec[]): string {
  let key = '';
  for (const n of sorted) key += String.fromCharCode(n.index);
  return key;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Interns history values of one machine (one slot per history node). */
export class HistoryTable {
  private readonly byKey = new Map<string, HistoryRec>();
  private nextId = 0;
  /** The history value with nothing recorded. */
  readonly empty: HistoryRec;

  constructor(readonly historyNodes: readonly NodeRec[]) {
    this.empty = this.intern(new Array<readonly NodeRec[] | undefined>(historyNodes.length).fill(undefined));
  }

  /** The history record with these slots (each list is sorted into document order). */
  intern(slots: readonly (readonly NodeRec[] | undefined)[]): HistoryRec {
    const norm = slots.map((s) => (s ? [...s].sort((a, b) => a.index - b.index) : undefined));
    let key = '';
    for (const s of norm) {
      if (s === undefined) key += '\uffff';
      else {
        key += String.fromCharCode(s.length);
        for (const n of s) key += String.fromCharCode(n.index);
      }
    }
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const rec: HistoryRec = { id: this.nextId++, slots: norm, key, historyNodes: this.historyNodes };
    this.byKey.set(key, rec);
    return rec;
  }
}
