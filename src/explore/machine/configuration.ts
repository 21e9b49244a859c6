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
import { ByteBuffer } from '../bytes.ts';
import { writeAtomics } from './encode.ts';
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
  /**
   * Configurations by a hash of their atomic node indexes, open addressing: decoding a state finds its
   * configuration from the indexes it read, without building a key string per state.
   */
  private byAtomics: (Configuration | undefined)[] = new Array<Configuration | undefined>(256).fill(undefined);
  private byAtomicsCount = 0;
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
      encoded: encodeAtomics(atomics),
      value: deepFreeze(stateValueOf(this.root, sorted)),
      rootFinal: isInFinalState((n) => has[n.index] === 1, this.root),
      tags: new Set(sorted.flatMap((n) => n.tags)),
      selectPlans: [],
      candidates: undefined,
      alwaysPlan: undefined,
      steps: new Map(),
      stateIn: undefined,
    };
    this.byKey.set(key, config);
    return config;
  }

  /** The configuration whose atomic nodes are `indexes[0, n)` (decoding); throws on an invalid list. */
  fromAtomics(indexes: ArrayLike<number>, n: number): Configuration {
    const table = this.byAtomics;
    const mask = table.length - 1;
    let slot = hashAtomics(indexes, n) & mask;
    for (let c = table[slot]; c !== undefined; c = table[slot]) {
      if (sameAtomics(c.atomics, indexes, n)) return c;
      slot = (slot + 1) & mask;
    }
    const active = new Set<NodeRec>();
    for (let i = 0; i < n; i++) {
      const node = this.nodes[indexes[i]!];
      if (!node || !isAtomic(node)) throw new RangeError(`not an atomic state node index: ${indexes[i]}`);
      for (let m: NodeRec | undefined = node; m; m = m.parent) active.add(m);
    }
    const config = this.intern(active);
    if (!sameAtomics(config.atomics, indexes, n)) throw new RangeError('atomic state node indexes do not form a configuration');
    table[slot] = config;
    if (++this.byAtomicsCount * 2 > table.length) this.rehashAtomics();
    return config;
  }

  private rehashAtomics(): void {
    const old = this.byAtomics;
    const table = new Array<Configuration | undefined>(old.length * 2).fill(undefined);
    const mask = table.length - 1;
    for (const c of old) {
      if (c === undefined) continue;
      const idx = c.atomics.map((a) => a.index);
      let slot = hashAtomics(idx, idx.length) & mask;
      while (table[slot] !== undefined) slot = (slot + 1) & mask;
      table[slot] = c;
    }
    this.byAtomics = table;
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

function encodeAtomics(atomics: readonly NodeRec[]): Uint8Array {
  const buf = new ByteBuffer(16);
  writeAtomics(atomics, buf);
  return buf.copy();
}

function hashAtomics(indexes: ArrayLike<number>, n: number): number {
  let h = n | 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ indexes[i]!, 0x9e3779b1) ^ (h >>> 15);
  return h;
}

function sameAtomics(atomics: readonly NodeRec[], indexes: ArrayLike<number>, n: number): boolean {
  if (atomics.length !== n) return false;
  for (let i = 0; i < n; i++) if (atomics[i]!.index !== indexes[i]) return false;
  return true;
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
