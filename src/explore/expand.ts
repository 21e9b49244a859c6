/**
 * Expanding one breadth-first level: the search's inner loop, run by each thread (the main thread when there is
 * one worker, worker threads otherwise) over chunks of the frontier it takes from a shared counter.
 *
 * For each frontier state (decoded from its encoding): check the invariants not yet violated, compute the
 * successor of every candidate action, encode and fingerprint it, and insert it into the shared table. What the
 * thread learns goes into its LevelOutput, never into shared state other than the table:
 * - a *claim* (slot, frontier index, action index) each time it becomes the smallest reacher of a new state
 *   (store.ts `claim`); the winning claims give each new state its parent (merge.ts);
 * - an *insert* (slot, arena offset) for each new state whose encoding it wrote;
 * - per invariant, the smallest frontier index that violates it (chunks are taken in increasing order, so the
 *   first one this thread finds is its smallest).
 * Nothing here depends on timing: the merged result is the same for any number of threads.
 */
import { ByteBuffer, ByteReader } from './bytes.ts';
import { fingerprintWordsInto } from './fingerprint.ts';
import type { StatePredicate } from './model.ts';
import { StepRecorder, type ObservedLevel } from './observe.ts';
import { ARENA_FULL, TABLE_FULL, type Arena, type FingerprintTable } from './store.ts';
import type { SearchSpec } from './types.ts';

// The control block's words sit 16 apart (64 bytes, a cache line each): ABORT is read at every state, and must
// not share a line with the counters every thread writes.
/** control[CONTROL_NEXT_CHUNK]: the next chunk to take. */
export const CONTROL_NEXT_CHUNK = 0;
/** control[CONTROL_ABORT]: non-zero (an Abort) when the level must stop. */
export const CONTROL_ABORT = 16;
/** control[CONTROL_EXPANDED]: frontier states expanded so far in this level (progress). */
export const CONTROL_EXPANDED = 32;
/** control[CONTROL_TRANSITIONS]: transitions taken so far in this level (progress). */
export const CONTROL_TRANSITIONS = 48;
export const CONTROL_INTS = 64;

/** Why a level stopped early: a full table or arena pauses it (it resumes once they are bigger); the others end the search. */
export const Abort = { None: 0, TableFull: 1, ArenaFull: 2, Stopped: 3, ModelError: 4 } as const;
export type Abort = (typeof Abort)[keyof typeof Abort];

/** One level's work, as every thread sees it. */
export interface LevelJob {
  /** Depth of the frontier states. */
  readonly depth: number;
  /** Arena holding the frontier states' encodings. */
  readonly frontierArena: Arena;
  /** Entry offsets of the frontier states, in order (at least `count` entries). */
  readonly frontier: Int32Array;
  readonly count: number;
  readonly table: FingerprintTable;
  /** Where new states' encodings go (in exact mode, the one arena the table compares against). */
  readonly nextArena: Arena;
  /** Shared counters and flags (CONTROL_*). */
  readonly control: Int32Array;
  readonly chunkSize: number;
  /** Do not insert: only look successors up (the last level under a bound) and report whether any is new. */
  readonly checkOnly: boolean;
  /** Per check (invariants in order, then deadlock): 1 when already violated in an earlier level. */
  readonly skip: Uint8Array;
}

/** A model error caught while expanding: where it happened, to be reported with a trace. */
export interface ExpandError {
  /** Frontier index of the state being expanded. */
  readonly index: number;
  /** Action index being taken, or -1 when the error came from checking the state itself. */
  readonly action: number;
  /** What was being done: `invariant NAME`, `actions`, `nextState`, `representative`, `encode`, `decode`, `isFinal`. */
  readonly during: string;
  readonly message: string;
  readonly stack?: string;
}

/** What one thread found in one level. */
export interface LevelOutput {
  /** Triples (slot, frontier index, action index), `claimCount` ints. */
  readonly claims: Int32Array;
  readonly claimCount: number;
  /** Pairs (slot, arena offset), `insertCount` ints. */
  readonly inserts: Int32Array;
  readonly insertCount: number;
  /** Per check: smallest violating frontier index found by this thread, or -1. */
  readonly violations: Int32Array;
  readonly transitions: number;
  /** Check-only levels: some successor is not in the table. */
  readonly sawNew: boolean;
  readonly abort: Abort;
  readonly error?: ExpandError;
  readonly observed?: ObservedLevel;
}

/**
 * What a model may offer beyond model.ts's interface to be expanded faster: the indexes, in increasing order, of
 * the actions of `actions` (what `model.actions(s)` returned) that may be enabled in `s`, a superset of those
 * enabled, or undefined for all of them. The search calls `nextState` for these only. compile.ts's machines offer
 * it: an event for which no active state node has a transition is never enabled, and most events of a parallel
 * machine are such events in most states.
 */
export interface ActionCandidates<S, A> {
  candidates(s: S, actions: readonly A[]): ArrayLike<number> | undefined;
}

/** Growable Int32 list. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow();
    const d = this.data;
    d[this.length] = a;
    d[this.length + 1] = b;
    d[this.length + 2] = c;
    this.length += 3;
  }
  push2(a: number, b: number): void {
    if (this.length + 2 > this.data.length) this.grow();
    this.data[this.length] = a;
    this.data[this.length + 1] = b;
    this.length += 2;
  }
  private grow(): void {
    const next = new Int32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
}

/**
 * A thread's expander: the spec and reusable buffers. `expand` runs its share of one level; a level paused for a
 * bigger table or arena is resumed by calling `expand` again, from the state where this thread stopped (a state
 * cut short is expanded again from its start: its successors already inserted are found, and claimed at most once).
 */
export class LevelExpander<S, A> {
  private readonly buf = new ByteBuffer(1024);
  private readonly reader = new ByteReader(new Uint8Array(0));
  private readonly fp = new Uint32Array(2);
  private readonly checks: StatePredicate<S>[];
  private readonly checkLabels: string[];
  private readonly recorder: StepRecorder | undefined;
  /** Chunk and state index to resume at, or chunk -1 to take a fresh chunk. */
  private resumeChunk = -1;
  private resumeIndex = 0;

  constructor(
    private readonly spec: SearchSpec<S, A>,
    private readonly opts: { readonly symmetry: boolean; readonly observe: boolean },
  ) {
    const names = Object.keys(spec.invariants);
    this.checks = names.map((n) => spec.invariants[n]!);
    this.checkLabels = names.map((n) => `invariant ${n}`);
    this.recorder = opts.observe ? new StepRecorder() : undefined;
  }

  /** Forgets any resume point: the next `expand` starts a new level. */
  startLevel(): void {
    this.resumeChunk = -1;
    this.recorder?.take();
  }

  /**
   * Takes chunks of `job`'s frontier until none is left or the level is aborted. `onChunk` (in-thread searches)
   * is called after each chunk and may return true to stop the search.
   */
  expand(job: LevelJob, onChunk?: () => boolean): LevelOutput {
    const { model, checkDeadlock } = this.spec;
    const { frontierArena, frontier, count, table, nextArena, control, chunkSize, checkOnly, skip } = job;
    const checks = this.checks;
    const nChecks = checks.length;
    const violations = new Int32Array(nChecks + 1).fill(-1);
    const checkDead = checkDeadlock && skip[nChecks] === 0;
    const claims = new IntList();
    const inserts = new IntList();
    const buf = this.buf;
    const reader = this.reader;
    const fp = this.fp;
    const rec = this.recorder;
    const representative = this.opts.symmetry && model.representative ? model.representative.bind(model) : undefined;
    const offered = (model as Partial<ActionCandidates<S, A>>).candidates;
    const candidates = typeof offered === 'function' ? offered.bind(model) : undefined;
    const arenaBytes = frontierArena.bytes;
    const softLimit = table.softLimit;
    const meta = table.meta;
    let transitions = 0;
    let sawNew = false;
    let abort: Abort = Abort.None;
    let error: ExpandError | undefined;
    const nChunks = Math.ceil(count / chunkSize);

    let c = this.resumeChunk;
    let i = this.resumeIndex;
    if (c < 0) {
      c = Atomics.add(control, CONTROL_NEXT_CHUNK, 1);
      i = c * chunkSize;
    }
    let expanded = 0;
    let levelTransitions = 0;
    chunks: while (c < nChunks) {
      const end = Math.min(count, (c + 1) * chunkSize);
      for (; i < end; i++) {
        if (Atomics.load(control, CONTROL_ABORT) !== Abort.None) break chunks;
        if (!checkOnly && Atomics.load(meta, 0) > softLimit) {
          Atomics.compareExchange(control, CONTROL_ABORT, Abort.None, Abort.TableFull);
          break chunks;
        }
        let during = 'decode';
        let j = -1;
        rec?.begin();
        try {
          const off = frontier[i]!;
          const len = frontierArena.lengthAt(off);
          reader.reset(arenaBytes, off + 4, off + 4 + len);
          const s = model.decode(reader);
          for (let k = 0; k < nChecks; k++) {
            if (violations[k]! >= 0 || skip[k] !== 0) continue;
            during = this.checkLabels[k]!;
            if (!checks[k]!(s)) violations[k] = i;
          }
          during = 'actions';
          const acts = model.actions(s);
          const only = candidates?.(s, acts);
          const tries = only ? only.length : acts.length;
          let enabled = 0;
          for (let x = 0; x < tries; x++) {
            j = only ? only[x]! : x;
            during = 'nextState';
            if (rec) {
              rec.index = i;
              rec.action = j;
            }
            const t = model.nextState(s, acts[j]!, rec);
            if (t === undefined) continue;
            enabled++;
            // A step that returns the very state it started from (the compiled machine does so when nothing
            // changed) leads to a state of this level, already stored and never claimable: nothing to do. Not
            // with symmetry reduction, where the representative is the one stored.
            if (t === s && !representative) continue;
            during = 'representative';
            const r = representative ? representative(t) : t;
            during = 'encode';
            buf.reset();
            model.encode(r, buf);
            const bytes = buf.buf;
            const blen = buf.length;
            fingerprintWordsInto(buf.words, bytes, 0, blen, fp);
            const lo = fp[0]! | 0;
            const hi = fp[1]! | 0;
            if (checkOnly) {
              if (!sawNew && table.find(lo, hi, bytes, 0, blen, nextArena) < 0) sawNew = true;
              continue;
            }
            const res = table.insert(lo, hi, i, bytes, 0, blen, nextArena);
            if (res >= 0) {
              if (res === TABLE_FULL || res === ARENA_FULL) {
                // Pause: this state is expanded again from its start when the level resumes.
                rec?.rollback();
                Atomics.compareExchange(control, CONTROL_ABORT, Abort.None, res === TABLE_FULL ? Abort.TableFull : Abort.ArenaFull);
                break chunks;
              }
              inserts.push2(res, table.lastOffset);
              claims.push3(res, i, j);
            } else {
              const slot = -res - 1;
              if (table.claim(slot, i)) claims.push3(slot, i, j);
            }
          }
          j = -1;
          transitions += enabled;
          levelTransitions += enabled;
          expanded++;
          if (enabled === 0 && checkDead && violations[nChecks]! < 0) {
            during = 'isFinal';
            if (!model.isFinal(s)) violations[nChecks] = i;
          }
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          error = { index: i, action: j, during, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
          abort = Abort.ModelError;
          Atomics.store(control, CONTROL_ABORT, Abort.ModelError);
          break chunks;
        }
      }
      Atomics.add(control, CONTROL_EXPANDED, expanded);
      Atomics.add(control, CONTROL_TRANSITIONS, levelTransitions);
      expanded = 0;
      levelTransitions = 0;
      if (onChunk && onChunk()) {
        Atomics.compareExchange(control, CONTROL_ABORT, Abort.None, Abort.Stopped);
        c = Atomics.add(control, CONTROL_NEXT_CHUNK, 1);
        i = c * chunkSize;
        break;
      }
      c = Atomics.add(control, CONTROL_NEXT_CHUNK, 1);
      i = c * chunkSize;
    }
    if (expanded > 0 || levelTransitions > 0) {
      Atomics.add(control, CONTROL_EXPANDED, expanded);
      Atomics.add(control, CONTROL_TRANSITIONS, levelTransitions);
    }
    table.flush();
    if (c < nChunks) {
      this.resumeChunk = c;
      this.resumeIndex = i;
    } else {
      this.resumeChunk = nChunks;
      this.resumeIndex = 0;
    }
    if (abort === Abort.None) abort = Atomics.load(control, CONTROL_ABORT) as Abort;
    return {
      claims: claims.data,
      claimCount: claims.length,
      inserts: inserts.data,
      insertCount: inserts.length,
      violations,
      transitions,
      sawNew,
      abort,
      ...(error ? { error } : {}),
      ...(rec ? { observed: rec.take() } : {}),
    };
  }
}
