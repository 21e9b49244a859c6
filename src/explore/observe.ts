/**
 * Counting what a search exercises (issue 7): a StepObserver that the search hands to `model.nextState`, counting
 * transitions taken, guard outcomes and state nodes entered, and remembering, per level, the first (frontier index,
 * action index) at which each item was exercised. Since each thread takes frontier chunks in increasing order, its
 * first hit is its smallest; merging takes the smallest over threads, which makes every witness the one a
 * sequential breadth-first search would find first, whatever the number of threads.
 *
 * Items are identified by the model's own ids (StepObserver); the arrays grow to the highest id seen.
 */
import type { StepObserver } from './model.ts';

/** Hits and per-level first hits of one kind of item, as flat arrays (sent between threads as they are). */
export interface ObservedKind {
  /** Hits per item id, summed over the search (this thread, this level). */
  hits: Float64Array;
  /** Per item: frontier index of the first hit in this level, or -1. */
  firstIndex: Int32Array;
  /** Per item: action index of that hit. */
  firstAction: Int32Array;
  /** Items with an id below this were seen (the arrays may be longer). */
  size: number;
}

/** What one thread observed in one level. */
export interface ObservedLevel {
  readonly transitions: ObservedKind;
  readonly guards: ObservedKind;
  readonly states: ObservedKind;
}

function emptyKind(): ObservedKind {
  return { hits: new Float64Array(64), firstIndex: new Int32Array(64).fill(-1), firstAction: new Int32Array(64), size: 0 };
}

/** Counts a hit; returns true when it was the item's first in this level. */
function hit(k: ObservedKind, id: number, index: number, action: number): boolean {
  if (id >= k.hits.length) grow(k, id);
  if (id >= k.size) k.size = id + 1;
  k.hits[id]!++;
  if (k.firstIndex[id]! < 0) {
    k.firstIndex[id] = index;
    k.firstAction[id] = action;
    return true;
  }
  return false;
}

function grow(k: ObservedKind, id: number): void {
  let cap = k.hits.length * 2;
  while (cap <= id) cap *= 2;
  const hits = new Float64Array(cap);
  hits.set(k.hits);
  const fi = new Int32Array(cap).fill(-1);
  fi.set(k.firstIndex);
  const fa = new Int32Array(cap);
  fa.set(k.firstAction);
  k.hits = hits;
  k.firstIndex = fi;
  k.firstAction = fa;
}

/**
 * A StepObserver that records into ObservedKinds; the search sets `index`/`action` before each step. Hits since
 * `begin()` can be undone with `rollback()` (a state whose expansion was cut short is expanded again).
 */
export class StepRecorder implements StepObserver {
  /** Frontier index of the state being expanded (for initial states: its index among them). */
  index = 0;
  /** Action index being taken, or -1 for the initial transition. */
  action = 0;
  level: ObservedLevel = { transitions: emptyKind(), guards: emptyKind(), states: emptyKind() };
  /** Undo log since begin(): (kind, id, first) triples. */
  private log: number[] = [];

  transition(id: number): void {
    this.log.push(0, id, hit(this.level.transitions, id, this.index, this.action) ? 1 : 0);
  }
  guard(id: number, outcome: boolean): void {
    const item = 2 * id + (outcome ? 1 : 0);
    this.log.push(1, item, hit(this.level.guards, item, this.index, this.action) ? 1 : 0);
  }
  enter(id: number): void {
    this.log.push(2, id, hit(this.level.states, id, this.index, this.action) ? 1 : 0);
  }

  /** Starts the undo log afresh (at each state). */
  begin(): void {
    this.log.length = 0;
  }

  /** Undoes every hit since begin(). */
  rollback(): void {
    const kinds = [this.level.transitions, this.level.guards, this.level.states];
    for (let p = 0; p < this.log.length; p += 3) {
      const k = kinds[this.log[p]!]!;
      const id = this.log[p + 1]!;
      k.hits[id]!--;
      if (this.log[p + 2] === 1) k.firstIndex[id] = -1;
    }
    this.log.length = 0;
  }

  /** Hands over this level's record and starts a fresh one. */
  take(): ObservedLevel {
    const out = this.level;
    this.level = { transitions: emptyKind(), guards: emptyKind(), states: emptyKind() };
    return out;
  }
}

/** Search-wide coverage: summed hits and, per item, the (state index, action index) of its first hit. */
export class CoverageAccumulator {
  readonly kinds = { transitions: new KindAccumulator(), guards: new KindAccumulator(), states: new KindAccumulator() };

  /** Adds one level's records from every thread; `base` is the global index of frontier index 0. */
  addLevel(levels: readonly ObservedLevel[], base: number): void {
    for (const name of ['transitions', 'guards', 'states'] as const) {
      this.kinds[name].add(levels.map((l) => l[name]), base);
    }
  }
}

/** One kind's search-wide record. */
export class KindAccumulator {
  hits: number[] = [];
  witnessState: number[] = [];
  witnessAction: number[] = [];

  add(parts: readonly ObservedKind[], base: number): void {
    const size = Math.max(0, ...parts.map((p) => p.size));
    while (this.hits.length < size) {
      this.hits.push(0);
      this.witnessState.push(-1);
      this.witnessAction.push(-1);
    }
    for (let id = 0; id < size; id++) {
      let bestI = -1;
      let bestJ = -1;
      for (const p of parts) {
        if (id >= p.size) continue;
        this.hits[id]! += p.hits[id]!;
        const i = p.firstIndex[id]!;
        if (i < 0) continue;
        const j = p.firstAction[id]!;
        if (bestI < 0 || i < bestI || (i === bestI && j < bestJ)) {
          bestI = i;
          bestJ = j;
        }
      }
      if (bestI >= 0 && this.witnessState[id]! < 0) {
        this.witnessState[id] = base + bestI;
        this.witnessAction[id] = bestJ;
      }
    }
  }
}
