/**
 * The breadth-first search: level by level, each level expanded by one or more threads (a LevelRunner), then
 * merged into the next frontier in the order a sequential search finds the states (merge.ts). So the distinct
 * states, transitions, depth, counterexamples and coverage witnesses are the same for any number of threads.
 *
 * This file owns the bookkeeping between levels: table and arena sizes (grown before a level from the growth seen
 * so far, and during a level when it fills them: the level pauses and resumes, nothing is lost or redone), bounds
 * (a bound is reached at a level boundary, so `states` and `depth` bounds are deterministic; `time` is not),
 * violations (per check, the first violating state in breadth-first order: a shortest trace), and the verdict.
 * It never imports xstate, never reads a clock and does no I/O: progress and stopping go through
 * `options.onProgress`, owned by the caller.
 *
 * At a little over 400 lines it is kept whole: the level loop's steps (prepare, expand with pauses, record,
 * advance) share the store and the frontier, and reading them side by side is how their invariants are checked.
 * The inner loop lives in expand.ts, the merge in merge.ts, the result in outcome.ts.
 */
import { ByteBuffer } from './bytes.ts';
import {
  Abort,
  CONTROL_ABORT,
  CONTROL_EXPANDED,
  CONTROL_INTS,
  CONTROL_NEXT_CHUNK,
  CONTROL_TRANSITIONS,
  LevelExpander,
  type LevelJob,
  type LevelOutput,
} from './expand.ts';
import { fingerprintInto } from './fingerprint.ts';
import { MergeScratch, mergeLevel } from './merge.ts';
import { CoverageAccumulator, StepRecorder } from './observe.ts';
import { buildResult, depthBound, memoryBound, modelRunError, statesBound, stopBound } from './outcome.ts';
import { ARENA_FULL, Arena, FingerprintTable, NO_KEY, NO_PARENT, StateLinks, TABLE_FULL } from './store.ts';
import { DEADLOCK, type BoundReport, type Progress, type SearchOptions, type SearchResult, type SearchSpec } from './types.ts';

/** Runs a level's expansion on some threads. bfs.ts drives it; workers.ts and `inThreadRunner` implement it. */
export interface LevelRunner {
  /** Threads expanding each level. */
  readonly threads: number;
  /** Whether the search's tables must live in SharedArrayBuffers. */
  readonly shared: boolean;
  /**
   * Expands (`newLevel`) or resumes `job` on every thread until the level is done or aborted; resolves with each
   * thread's output. `tick` reports progress and returns true to stop the search.
   */
  runSegment(job: LevelJob, newLevel: boolean, tick: () => boolean): Promise<LevelOutput[]>;
  close(): Promise<void>;
}

/** A LevelRunner that expands on the calling thread. */
export function inThreadRunner<S, A>(spec: SearchSpec<S, A>, options: SearchOptions): LevelRunner {
  const expander = new LevelExpander(spec, { symmetry: options.symmetry ?? true, observe: options.observe ?? false });
  return {
    threads: 1,
    shared: false,
    runSegment(job, newLevel, tick) {
      if (newLevel) expander.startLevel();
      return Promise.resolve([expander.expand(job, tick)]);
    },
    close: () => Promise.resolve(),
  };
}

/** Searches `spec` breadth-first on the calling thread. */
export function searchBfs<S, A>(spec: SearchSpec<S, A>, options: SearchOptions = {}): Promise<SearchResult<S, A>> {
  return searchLevels(spec, options, inThreadRunner(spec, options));
}

const INITIAL_TABLE = 64;
/** The table's slot indexes and the arena's offsets are int32: past these, the search reports a memory bound. */
const MAX_TABLE = 2 ** 30;
const MAX_ARENA = 2 ** 31 - 64;
/** Load the table is grown to stay under before a level (the soft limit pauses a level at 0.75). */
const TARGET_LOAD = 0.6;

/**
 * The level loop, with any LevelRunner (the caller closes it). `spec` must be the same model the runner's threads
 * run: the main thread uses it for initial states and to replay traces.
 */
export async function searchLevels<S, A>(spec: SearchSpec<S, A>, options: SearchOptions, runner: LevelRunner): Promise<SearchResult<S, A>> {
  return new LevelSearch(spec, options, runner).run();
}

/** Why a level did not complete. */
type LevelStop = { readonly bound: BoundReport };

/** One search: its bounds, its store, and the frontier between levels. */
class LevelSearch<S, A> {
  private readonly exact: boolean;
  private readonly symmetry: boolean;
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly maxMemory: number;
  private readonly shared: boolean;
  private readonly names: string[];
  /** Per check (invariants in order, then deadlock): global index of the first violating state, or -1. */
  private readonly violationAt: number[];
  /** Per check: 1 once violated (the threads stop checking it). */
  private readonly skip: Uint8Array;
  private readonly links = new StateLinks(64);
  private readonly coverage: CoverageAccumulator | undefined;
  private readonly control: Int32Array;
  private readonly mergeScratch = new MergeScratch();

  private table: FingerprintTable;
  /** Fingerprint mode: the frontier's encodings; exact mode: every state's. */
  private arena: Arena;
  /** Fingerprint mode: the arena the next level is written to (the one before last, cleared). */
  private spareArena: Arena | undefined;
  /** Entry offsets of the frontier states, in breadth-first order. */
  private frontier: Int32Array = new Int32Array(1);
  private frontierCount = 0;
  /** Global index of frontier state 0. */
  private base = 0;
  private distinct = 0;
  private depth = 0;
  private levels = 0;
  private transitions = 0;
  private initCount = 0;
  private statesCut = false;
  private peakMemory = 0;
  /** New states per frontier state in the last level, and bytes per encoding: to size the next level. */
  private growth = 4;
  private bytesPerEncoding = 64;

  constructor(
    private readonly spec: SearchSpec<S, A>,
    private readonly options: SearchOptions,
    private readonly runner: LevelRunner,
  ) {
    const model = spec.model;
    this.exact = options.exact ?? false;
    this.symmetry = (options.symmetry ?? true) && model.representative !== undefined;
    this.maxStates = options.maxStates ?? spec.bounds?.maxStates ?? Infinity;
    this.maxDepth = options.maxDepth ?? spec.bounds?.maxDepth ?? Infinity;
    this.maxMemory = options.maxMemoryBytes ?? Infinity;
    this.shared = runner.shared;
    this.names = Object.keys(spec.invariants);
    if (this.names.includes(DEADLOCK)) throw new RangeError(`invariant name "${DEADLOCK}" is reserved for deadlock detection`);
    this.violationAt = new Array<number>(this.names.length + 1).fill(-1);
    this.skip = new Uint8Array(this.names.length + 1);
    this.coverage = options.observe ? new CoverageAccumulator() : undefined;
    this.control = this.int32(CONTROL_INTS);
    this.table = FingerprintTable.create(INITIAL_TABLE, this.shared, this.exact);
    this.arena = Arena.create(4096, this.shared);
  }

  async run(): Promise<SearchResult<S, A>> {
    this.seedInitialStates();
    let bound: BoundReport | undefined;
    let exhaustive = false;
    for (;;) {
      this.peakMemory = Math.max(this.peakMemory, this.memory(this.frontier.byteLength));
      if (this.frontierCount === 0) {
        if (this.statesCut) bound = statesBound(this.maxStates, this.depth);
        else exhaustive = true;
        break;
      }
      if (this.everyCheckViolated()) break;
      const checkOnly = this.statesCut || this.depth >= this.maxDepth;
      const nextArena = this.prepareLevel(checkOnly);
      if ('bound' in nextArena) {
        bound = nextArena.bound;
        break;
      }
      const level = await this.expandLevel(checkOnly, nextArena);
      if ('bound' in level) {
        bound = level.bound;
        break;
      }
      const { outputs } = level;
      this.recordLevel(outputs);
      if (checkOnly) {
        if (this.statesCut) bound = statesBound(this.maxStates, this.depth);
        else if (outputs.some((o) => o.sawNew)) bound = depthBound(this.maxDepth, this.distinct);
        else exhaustive = true;
        break;
      }
      const stop = this.advance(outputs, level.nextArena);
      if (stop) {
        bound = stop.bound;
        break;
      }
    }
    return buildResult(this.spec, {
      distinct: this.distinct,
      transitions: this.transitions,
      initCount: this.initCount,
      maxDepth: this.frontierCount > 0 ? this.depth : Math.max(0, this.depth - 1),
      levels: this.levels,
      exhaustive,
      bound,
      violationAt: this.violationAt,
      links: this.links,
      exact: this.exact,
      symmetry: this.symmetry,
      workers: this.runner.threads,
      // In exact mode the arena holding every encoding is part of the store.
      storeBytes: this.table.bytes + this.links.bytes + (this.exact ? this.arena.capacity : 0),
      peakMemoryBytes: this.peakMemory,
      fingerprintCollisions: this.table.collisions,
      coverage: this.coverage,
    });
  }

  /** Level 0: the initial states, deduplicated, in order (the first maxStates of them). */
  private seedInitialStates(): void {
    const { model } = this.spec;
    const buf = new ByteBuffer();
    const fp = new Uint32Array(2);
    const recorder = this.coverage ? new StepRecorder() : undefined;
    if (recorder) recorder.action = -1;
    const inits = model.initStates(recorder);
    if (recorder) this.coverage!.addLevel([recorder.take()], 0);
    this.initCount = inits.length;
    const offsets: number[] = [];
    for (let x = 0; x < inits.length; x++) {
      const s = this.symmetry ? model.representative!(inits[x]!) : inits[x]!;
      buf.reset();
      model.encode(s, buf);
      fingerprintInto(buf.buf, 0, buf.length, fp);
      for (;;) {
        const res = this.table.insert(fp[0]! | 0, fp[1]! | 0, 0, buf.buf, 0, buf.length, this.arena);
        if (res === TABLE_FULL) this.table = this.table.rehashed(this.table.capacity * 2, this.shared).table;
        else if (res === ARENA_FULL) this.arena = this.arena.grownTo(this.arena.capacity * 2, this.shared);
        else {
          if (res >= 0) {
            this.table.setKey(res, NO_KEY);
            offsets.push(this.table.lastOffset);
            this.links.push(NO_PARENT, x);
          }
          break;
        }
      }
    }
    this.table.flush();
    this.frontierCount = Math.min(offsets.length, this.maxStates);
    this.statesCut = offsets.length > this.maxStates;
    this.links.truncate(this.frontierCount);
    this.frontier = this.int32(Math.max(1, this.frontierCount));
    for (let x = 0; x < this.frontierCount; x++) this.frontier[x] = offsets[x]!;
    this.distinct = this.frontierCount;
  }

  private everyCheckViolated(): boolean {
    const dl = this.names.length;
    const enabled = dl + (this.spec.checkDeadlock ? 1 : 0);
    return enabled > 0 && this.violationAt.every((v, k) => v >= 0 || (k === dl && !this.spec.checkDeadlock));
  }

  /**
   * Sizes the table and the next level's arena for the new states this level is expected to find (underestimates
   * are cheap: the level pauses and grows). Returns the arena new states go to, or the memory bound.
   */
  private prepareLevel(checkOnly: boolean): Arena | LevelStop {
    const expected = Math.ceil(Math.min(this.frontierCount * this.growth, 2 * this.distinct) * 1.2) + 16;
    if (!checkOnly) {
      const want = nextPow2(Math.ceil((this.table.used + expected) / TARGET_LOAD));
      if (want > this.table.capacity) {
        if (!this.growTable(want)) return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
      }
    }
    const nextBytes = Math.min(MAX_ARENA, Math.ceil(expected * (this.bytesPerEncoding + 4) * 1.2));
    if (this.exact) {
      // One arena holds every state's encoding: the table compares against it.
      if (this.arena.capacity - this.arena.used < nextBytes) {
        const cap = Math.min(MAX_ARENA, Math.max(this.arena.capacity * 2, this.arena.used + nextBytes));
        if (cap - this.arena.used < nextBytes / 4 || this.memory() + cap - this.arena.capacity > this.maxMemory) {
          return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
        }
        this.arena = this.arena.grownTo(cap, this.shared);
      }
      return this.arena;
    }
    if (checkOnly) return this.spareArena ?? Arena.create(64, this.shared);
    if (!this.spareArena || this.spareArena.capacity < nextBytes) {
      if (this.memory() - (this.spareArena?.capacity ?? 0) + nextBytes > this.maxMemory) {
        return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
      }
      this.spareArena = Arena.create(nextBytes, this.shared);
    }
    this.spareArena.clear();
    return this.spareArena;
  }

  /**
   * Runs the level on the runner's threads, pausing to double the table or the arena when they fill (plain
   * doubling keeps sizes a function of the level's content, see advance()). Returns every thread's outputs, or
   * the bound (time, memory) that stopped the level; a model error is thrown with the trace to its state. The
   * arena the new states went to is returned too: it may have grown.
   */
  private async expandLevel(checkOnly: boolean, nextArena: Arena): Promise<{ outputs: LevelOutput[]; nextArena: Arena } | LevelStop> {
    const control = this.control;
    const levelStartUsed = this.table.used;
    control.fill(0);
    let job: LevelJob = {
      depth: this.depth,
      frontierArena: this.arena,
      frontier: this.frontier,
      count: this.frontierCount,
      table: this.table,
      nextArena,
      control,
      chunkSize: Math.max(16, Math.min(1024, Math.ceil(this.frontierCount / (this.runner.threads * 32)))),
      checkOnly,
      skip: this.skip,
    };
    let stopReason: 'time' | 'stopped' | undefined;
    const onProgress = this.options.onProgress;
    const tick = (): boolean => {
      if (!onProgress) return false;
      const p: Progress = {
        distinctStates: this.distinct + (this.table.used - levelStartUsed),
        queued: this.frontierCount - Atomics.load(control, CONTROL_EXPANDED),
        depth: this.depth,
        transitions: this.transitions + Atomics.load(control, CONTROL_TRANSITIONS),
        memoryBytes: this.memory(this.frontier.byteLength),
      };
      const r = onProgress(p);
      if (r && r.stop) {
        stopReason = r.stop;
        Atomics.compareExchange(control, CONTROL_ABORT, Abort.None, Abort.Stopped);
        return true;
      }
      return false;
    };

    const outputs: LevelOutput[] = [];
    for (let newLevel = true; ; newLevel = false) {
      const outs = await this.runner.runSegment(job, newLevel, tick);
      outputs.push(...outs);
      const failed = outs.find((o) => o.error);
      if (failed?.error) throw modelRunError(this.spec.model, this.links, this.base, failed.error, this.symmetry);
      const abort = Atomics.load(control, CONTROL_ABORT) as Abort;
      if (abort === Abort.None) return { outputs, nextArena };
      if (abort === Abort.Stopped) {
        // This level's partial findings depend on timing: they are dropped, the completed levels are reported.
        return { bound: stopBound(stopReason ?? 'stopped', this.distinct, this.depth) };
      }
      if (abort === Abort.TableFull) {
        const old = this.table;
        if (!this.growTable(old.capacity * 2, (slotMap) => outputs.forEach((o) => remapSlots(o, slotMap)))) {
          return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
        }
      } else {
        const want = Math.min(MAX_ARENA, nextArena.capacity * 2);
        if (want <= nextArena.capacity || this.memory() + want - nextArena.capacity > this.maxMemory) {
          return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
        }
        const grown = nextArena.grownTo(want, this.shared);
        if (this.exact) this.arena = grown;
        else this.spareArena = grown;
        nextArena = grown;
      }
      Atomics.store(control, CONTROL_ABORT, Abort.None);
      job = { ...job, table: this.table, nextArena, frontierArena: this.arena };
    }
  }

  /** Adds a completed level's transitions, first violations and coverage (deterministic: the level is whole). */
  private recordLevel(outputs: readonly LevelOutput[]): void {
    this.levels++;
    for (const o of outputs) this.transitions += o.transitions;
    for (let k = 0; k < this.violationAt.length; k++) {
      if (this.violationAt[k]! >= 0) continue;
      let min = -1;
      for (const o of outputs) {
        const v = o.violations[k]!;
        if (v >= 0 && (min < 0 || v < min)) min = v;
      }
      if (min >= 0) {
        this.violationAt[k] = this.base + min;
        this.skip[k] = 1;
      }
    }
    this.coverage?.addLevel(outputs.flatMap((o) => (o.observed ? [o.observed] : [])), this.base);
  }

  /** Merges the level into the next frontier (the first maxStates states overall), and records their parents. */
  private advance(outputs: readonly LevelOutput[], nextArena: Arena): LevelStop | undefined {
    // Settle the table at the size the doubling policy gives for this level's content: whether a thread saw the
    // soft limit before the level ended is timing, and sizes (bytes per state) must not depend on it.
    let settled = this.table.capacity;
    while (this.table.used > Math.floor(settled * 0.75)) settled *= 2;
    if (settled > this.table.capacity && !this.growTable(settled)) return { bound: memoryBound(this.maxMemory, this.distinct, this.depth) };
    const merged = mergeLevel(outputs, this.table, this.frontierCount, (n) => this.int32(Math.max(1, n)), this.mergeScratch);
    this.growth = Math.max(merged.count / this.frontierCount, 0.5);
    if (merged.count > 0) {
      let bytes = 0;
      for (let w = 0; w < merged.count; w++) bytes += nextArena.lengthAt(merged.offsets[w]!);
      this.bytesPerEncoding = Math.max(8, Math.ceil(bytes / merged.count));
    }
    let keep = merged.count;
    if (this.distinct + keep > this.maxStates) {
      keep = this.maxStates - this.distinct;
      this.statesCut = true;
    }
    this.links.reserve(keep);
    for (let w = 0; w < keep; w++) this.links.push(this.base + merged.parent[w]!, merged.action[w]!);
    if (!this.exact) {
      // The old frontier's arena becomes the spare for the level after next.
      this.spareArena = this.arena;
      this.arena = nextArena;
    }
    this.frontier = merged.offsets;
    this.base = this.distinct;
    this.distinct += keep;
    this.frontierCount = keep;
    this.depth++;
    return undefined;
  }

  /** Rehashes the table into `capacity` slots, unless that would pass a bound; `remap` gets the slot map. */
  private growTable(capacity: number, remap?: (slotMap: Int32Array) => void): boolean {
    const extra = (capacity - this.table.capacity) * FingerprintTable.slotBytes(this.exact);
    if (capacity > MAX_TABLE || this.memory() + extra > this.maxMemory) return false;
    const { table, slotMap } = this.table.rehashed(capacity, this.shared, remap !== undefined);
    if (remap) remap(slotMap!);
    this.table = table;
    return true;
  }

  /** Bytes held by the search's tables (plus `extra`). */
  private memory(extra = 0): number {
    return this.table.bytes + this.links.bytes + this.arena.capacity + (this.spareArena?.capacity ?? 0) + extra;
  }

  private int32(n: number): Int32Array {
    return new Int32Array(this.shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  }
}

function remapSlots(o: LevelOutput, slotMap: Int32Array): void {
  for (let p = 0; p < o.claimCount; p += 3) o.claims[p] = slotMap[o.claims[p]!]!;
  for (let p = 0; p < o.insertCount; p += 2) o.inserts[p] = slotMap[o.inserts[p]!]!;
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
