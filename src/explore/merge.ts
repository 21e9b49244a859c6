/**
 * Merging a level's outputs from every thread into the next frontier, in the order a sequential breadth-first
 * search would have found the states: by (parent frontier index, action index) of their smallest reacher.
 *
 * A new state's winning claim is the one whose frontier index equals the slot's final key (store.ts); exactly one
 * claim wins per new state, because one thread expands a given frontier index and claims a slot at most once for
 * it. Claims of one frontier index come from one thread in increasing action order, so a stable counting sort by
 * frontier index yields the (index, action) order. Runs on the main thread between levels.
 */
import type { LevelOutput } from './expand.ts';
import { NO_KEY, type FingerprintTable } from './store.ts';

/** The next frontier, in breadth-first order. */
export interface MergedLevel {
  readonly count: number;
  /** Arena entry offsets of the new states. */
  readonly offsets: Int32Array;
  /** Frontier index of each new state's parent. */
  readonly parent: Int32Array;
  /** Action index (in the parent's actions) that reached each new state. */
  readonly action: Int32Array;
}

/**
 * Working arrays mergeLevel reuses from one level to the next: on a machine where fresh memory costs a page fault
 * per 4 KiB, allocating them anew each level was a visible part of the time the main thread spends between levels.
 */
export class MergeScratch {
  private readonly arrays: Int32Array[] = [];

  /** Array `k`, at least `n` long; its content is garbage. Valid until the next call with the same `k`. */
  take(k: number, n: number): Int32Array {
    let a = this.arrays[k];
    if (a === undefined || a.length < n) {
      a = new Int32Array(Math.max(1024, Math.ceil(n * 1.5)));
      this.arrays[k] = a;
    }
    return a;
  }
}

const WIN_INDEX = 0;
const WIN_ACTION = 1;
const WIN_SLOT = 2;
const PER_INDEX = 3;
const PARENT = 4;
const ACTION = 5;

/**
 * Orders the new states of a level and resets their keys to NO_KEY. `offsets` is allocated with `allocateOffsets`
 * (shared memory when worker threads read the next frontier); `parent` and `action` live in `scratch`, valid until
 * its next use.
 */
export function mergeLevel(
  outputs: readonly LevelOutput[],
  table: FingerprintTable,
  frontierCount: number,
  allocateOffsets: (n: number) => Int32Array,
  scratch: MergeScratch = new MergeScratch(),
): MergedLevel {
  let claimInts = 0;
  let insertInts = 0;
  for (const o of outputs) {
    claimInts += o.claimCount;
    insertInts += o.insertCount;
  }
  const newCount = insertInts / 2;
  // Winners, in the order found (per thread, increasing frontier index).
  const winIndex = scratch.take(WIN_INDEX, newCount);
  const winAction = scratch.take(WIN_ACTION, newCount);
  const winSlot = scratch.take(WIN_SLOT, newCount);
  const perIndex = scratch.take(PER_INDEX, frontierCount + 1).fill(0, 0, frontierCount + 1);
  let w = 0;
  for (const o of outputs) {
    const c = o.claims;
    for (let p = 0; p < o.claimCount; p += 3) {
      const slot = c[p]!;
      const i = c[p + 1]!;
      if (table.keyAt(slot) !== i) continue;
      if (w >= newCount) throw new Error('mergeLevel: more winning claims than new states (store corrupted)');
      winSlot[w] = slot;
      winIndex[w] = i;
      winAction[w] = c[p + 2]!;
      perIndex[i + 1]!++;
      w++;
    }
  }
  if (w !== newCount) throw new Error(`mergeLevel: ${w} winning claims for ${newCount} new states (store corrupted)`);
  void claimInts;
  for (let i = 0; i < frontierCount; i++) perIndex[i + 1]! += perIndex[i]!;
  const parent = scratch.take(PARENT, newCount);
  const action = scratch.take(ACTION, newCount);
  const offsets = allocateOffsets(newCount);
  for (let x = 0; x < newCount; x++) {
    const i = winIndex[x]!;
    const pos = perIndex[i]!++;
    parent[pos] = i;
    action[pos] = winAction[x]!;
    // Park the position in the key (negative: below every frontier index) until the inserts are read.
    table.setKey(winSlot[x]!, -(pos + 2));
  }
  for (const o of outputs) {
    const ins = o.inserts;
    for (let p = 0; p < o.insertCount; p += 2) {
      const slot = ins[p]!;
      const k = table.keyAt(slot);
      if (k > -2) throw new Error('mergeLevel: an inserted state has no winning claim (store corrupted)');
      offsets[-k - 2] = ins[p + 1]!;
      table.setKey(slot, NO_KEY);
    }
  }
  return { count: newCount, offsets, parent: parent.subarray(0, newCount), action: action.subarray(0, newCount) };
}
