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
 */
import { ByteBuffer } from './bytes.ts';
import { ModelRunError } from './errors.ts';
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
import { collisionProbability, fingerprintInto } from './fingerprint.ts';
import { mergeLevel } from './merge.ts';
import type { Model } from './model.ts';
import { CoverageAccumulator, StepRecorder, type KindAccumulator } from './observe.ts';
import { rebuildTrace } from './path.ts';
import { ARENA_FULL, Arena, FingerprintTable, NO_KEY, NO_PARENT, StateLinks, TABLE_FULL } from './store.ts';
import {
  DEADLOCK,
  type BoundReport,
  type CoverageCounts,
  type CoverageTable,
  type Progress,
  type SearchOptions,
  type SearchResult,
  type SearchSpec,
  type SearchStats,
  type Violation,
} from './types.ts';

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
  const model = spec.model;
  const exact = options.exact ?? false;
  const symmetry = (options.symmetry ?? true) && model.representative !== undefined;
  const observe = options.observe ?? false;
  const maxStates = options.maxStates ?? spec.bounds?.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? spec.bounds?.maxDepth ?? Infinity;
  const maxMemory = options.maxMemoryBytes ?? Infinity;
  const shared = runner.shared;
  const names = Object.keys(spec.invariants);
  if (names.includes(DEADLOCK)) throw new RangeError(`invariant name "${DEADLOCK}" is reserved for deadlock detection`);
  const nChecks = names.length + 1;
  const enabledChecks = names.length + (spec.checkDeadlock ? 1 : 0);
  /** Global index of the first violating state per check, or -1. */
  const violationAt = new Array<number>(nChecks).fill(-1);
  const skip = new Uint8Array(nChecks);
  const warnings: string[] = [...(spec.warnings ?? [])];

  let table = FingerprintTable.create(INITIAL_TABLE, shared, exact);
  /** Fingerprint mode: the frontier's encodings; exact mode: every state's. */
  let arena = Arena.create(4096, shared);
  let spareArena: Arena | undefined;
  const links = new StateLinks(64);
  const coverage = observe ? new CoverageAccumulator() : undefined;
  const control = new Int32Array(shared ? new SharedArrayBuffer(CONTROL_INTS * 4) : new ArrayBuffer(CONTROL_INTS * 4));
  let peakMemory = 0;
  const memoryOf = (extra = 0): number =>
    table.bytes + links.bytes + arena.capacity + (spareArena?.capacity ?? 0) + extra;

  // Level 0: the initial states, deduplicated in order.
  const buf = new ByteBuffer();
  const fp = new Uint32Array(2);
  const initRecorder = observe ? new StepRecorder() : undefined;
  if (initRecorder) initRecorder.action = -1;
  const inits = model.initStates(initRecorder);
  if (initRecorder && coverage) coverage.addLevel([initRecorder.take()], 0);
  const initOffsets: number[] = [];
  for (let x = 0; x < inits.length; x++) {
    const s = symmetry ? model.representative!(inits[x]!) : inits[x]!;
    buf.reset();
    model.encode(s, buf);
    fingerprintInto(buf.buf, 0, buf.length, fp);
    for (;;) {
      const res = table.insert(fp[0]! | 0, fp[1]! | 0, 0, buf.buf, 0, buf.length, arena);
      if (res === TABLE_FULL) table = table.rehashed(table.capacity * 2, shared).table;
      else if (res === ARENA_FULL) arena = arena.grownTo(arena.capacity * 2, shared);
      else {
        if (res >= 0) {
          table.key[res] = NO_KEY;
          initOffsets.push(table.lastOffset);
          links.push(NO_PARENT, x);
        }
        break;
      }
    }
  }
  let frontierCount = Math.min(initOffsets.length, maxStates);
  let statesCut = initOffsets.length > maxStates;
  links.truncate(frontierCount);
  let frontier = allocInt32(Math.max(1, frontierCount), shared);
  for (let x = 0; x < frontierCount; x++) frontier[x] = initOffsets[x]!;
  let frontierArena = arena;
  let base = 0;
  let distinct = frontierCount;
  let depth = 0;
  let levels = 0;
  let transitions = 0;
  let exhaustive = false;
  let bound: BoundReport | undefined;
  /** Largest new-states-per-frontier-state ratio seen, to size the next level. */
  let growth = 4;
  let bytesPerEncoding = 64;

  for (;;) {
    peakMemory = Math.max(peakMemory, memoryOf(frontier.byteLength));
    if (frontierCount === 0) {
      if (statesCut) bound = statesBound(maxStates, depth);
      else exhaustive = true;
      break;
    }
    if (enabledChecks > 0 && violationAt.every((v, k) => v >= 0 || (k === names.length && !spec.checkDeadlock))) break;
    const checkOnly = statesCut || depth >= maxDepth;

    // Size the table and the next arena for this level's expected new states.
    // Underestimates are cheap (the level pauses and grows), so stay within twice what exists.
    const expected = Math.ceil(Math.min(frontierCount * growth, 2 * distinct) * 1.2) + 16;
    if (!checkOnly) {
      const want = nextPow2(Math.ceil((table.used + expected) / TARGET_LOAD));
      if (want > table.capacity) {
        if (want > MAX_TABLE || memoryOf() + (want - table.capacity) * FingerprintTable.slotBytes(exact) > maxMemory) {
          bound = memoryBound(maxMemory, distinct, depth);
          break;
        }
        table = table.rehashed(want, shared).table;
      }
    }
    let nextArena: Arena;
    const nextBytes = Math.min(MAX_ARENA, Math.ceil(expected * (bytesPerEncoding + 4) * 1.2));
    if (exact) {
      if (arena.capacity - arena.used < nextBytes) {
        if (memoryOf() + nextBytes > maxMemory) {
          bound = memoryBound(maxMemory, distinct, depth);
          break;
        }
        const cap = Math.min(MAX_ARENA, Math.max(arena.capacity * 2, arena.used + nextBytes));
        if (cap - arena.used < nextBytes / 4) {
          bound = memoryBound(maxMemory, distinct, depth);
          break;
        }
        arena = arena.grownTo(cap, shared);
      }
      frontierArena = arena;
      nextArena = arena;
    } else if (checkOnly) {
      nextArena = spareArena ?? Arena.create(64, shared);
    } else {
      if (!spareArena || spareArena.capacity < nextBytes) {
        if (memoryOf() - (spareArena?.capacity ?? 0) + nextBytes > maxMemory) {
          bound = memoryBound(maxMemory, distinct, depth);
          break;
        }
        spareArena = Arena.create(nextBytes, shared);
      }
      spareArena.clear();
      nextArena = spareArena;
    }

    const levelStartUsed = table.used;
    const levelStartCapacity = table.capacity;
    control.fill(0);
    let job: LevelJob = {
      depth,
      frontierArena,
      frontier,
      count: frontierCount,
      table,
      nextArena,
      control,
      chunkSize: Math.max(16, Math.min(1024, Math.ceil(frontierCount / (runner.threads * 32)))),
      checkOnly,
      skip,
    };
    let stopReason: 'time' | 'stopped' | undefined;
    const tick = (): boolean => {
      if (!options.onProgress) return false;
      const p: Progress = {
        distinctStates: distinct + (table.used - levelStartUsed),
        queued: frontierCount - Atomics.load(control, CONTROL_EXPANDED),
        depth,
        transitions: transitions + Atomics.load(control, CONTROL_TRANSITIONS),
        memoryBytes: memoryOf(frontier.byteLength),
      };
      const r = options.onProgress(p);
      if (r && r.stop) {
        stopReason = r.stop;
        Atomics.compareExchange(control, CONTROL_ABORT, Abort.None, Abort.Stopped);
        return true;
      }
      return false;
    };

    const outputs: LevelOutput[] = [];
    let newLevel = true;
    let memoryStop = false;
    for (;;) {
      const outs = await runner.runSegment(job, newLevel, tick);
      newLevel = false;
      outputs.push(...outs);
      const failed = outs.find((o) => o.error);
      if (failed?.error) throw modelError(model, links, base, failed.error, symmetry);
      const abort = Atomics.load(control, CONTROL_ABORT) as Abort;
      if (abort === Abort.None) break;
      if (abort === Abort.Stopped) {
        stopReason ??= 'stopped';
        break;
      }
      // Paused on a full table or arena: double it and resume. Plain doubling keeps the sizes a function of the
      // level's content, not of when a thread noticed (see the normalisation after the level).
      if (abort === Abort.TableFull) {
        const want = table.capacity * 2;
        if (want > MAX_TABLE || memoryOf() + (want - table.capacity) * FingerprintTable.slotBytes(exact) > maxMemory) {
          memoryStop = true;
          break;
        }
        const { table: bigger, slotMap } = table.rehashed(want, shared);
        for (const o of outputs) remapSlots(o, slotMap);
        table = bigger;
      } else {
        const want = Math.min(MAX_ARENA, nextArena.capacity * 2);
        if (want <= nextArena.capacity || memoryOf() + want - nextArena.capacity > maxMemory) {
          memoryStop = true;
          break;
        }
        const grown = nextArena.grownTo(want, shared);
        if (exact) {
          arena = grown;
          frontierArena = grown;
        } else {
          spareArena = grown;
        }
        nextArena = grown;
      }
      Atomics.store(control, CONTROL_ABORT, Abort.None);
      job = { ...job, table, nextArena, frontierArena };
    }
    if (stopReason) {
      bound = {
        kind: stopReason,
        detail: `stopped (${stopReason === 'time' ? 'time limit' : 'interrupted'}) while expanding depth ${depth}; ` +
          `reported: ${distinct} states at depths 0..${depth}, of which those at depth ${depth} were not all checked`,
      };
      // Keep what the completed levels found; this level's partial findings are dropped (they depend on timing).
      break;
    }
    if (memoryStop) {
      bound = memoryBound(maxMemory, distinct, depth);
      break;
    }

    // The level is complete: its findings are deterministic.
    levels++;
    for (const o of outputs) transitions += o.transitions;
    for (let k = 0; k < nChecks; k++) {
      if (violationAt[k]! >= 0) continue;
      let min = -1;
      for (const o of outputs) {
        const v = o.violations[k]!;
        if (v >= 0 && (min < 0 || v < min)) min = v;
      }
      if (min >= 0) {
        violationAt[k] = base + min;
        skip[k] = 1;
      }
    }
    if (coverage) coverage.addLevel(outputs.flatMap((o) => (o.observed ? [o.observed] : [])), base);
    if (checkOnly) {
      if (statesCut) bound = statesBound(maxStates, depth);
      else if (outputs.some((o) => o.sawNew)) bound = depthBound(maxDepth, distinct);
      else exhaustive = true;
      break;
    }

    // Normalise the table to the size the doubling policy gives for this level's content: whether a thread saw
    // the soft limit before the level ended is a matter of timing, and sizes (bytes per state) must not be.
    let settled = levelStartCapacity;
    while (table.used > Math.floor(settled * 0.75)) settled *= 2;
    if (settled > table.capacity) {
      if (settled > MAX_TABLE || memoryOf() + (settled - table.capacity) * FingerprintTable.slotBytes(exact) > maxMemory) {
        bound = memoryBound(maxMemory, distinct, depth);
        break;
      }
      table = table.rehashed(settled, shared).table;
    }
    const merged = mergeLevel(outputs, table, frontierCount, (n) => allocInt32(Math.max(1, n), shared));
    growth = Math.max(merged.count / frontierCount, 0.5);
    if (merged.count > 0) {
      let bytes = 0;
      for (let w = 0; w < merged.count; w++) bytes += nextArena.lengthAt(merged.offsets[w]!);
      bytesPerEncoding = Math.max(8, Math.ceil(bytes / merged.count));
    }
    let keep = merged.count;
    if (distinct + keep > maxStates) {
      keep = maxStates - distinct;
      statesCut = true;
    }
    links.reserve(keep);
    for (let w = 0; w < keep; w++) links.push(base + merged.parent[w]!, merged.action[w]!);
    if (!exact) {
      // The old frontier's arena becomes the spare for the level after next.
      spareArena = frontierArena;
      frontierArena = nextArena;
      arena = nextArena;
    }
    frontier = merged.offsets;
    base = distinct;
    distinct += keep;
    frontierCount = keep;
    depth++;
  }

  // Depth of the deepest explored state: the last level expanded (or reached, when the search stopped at it).
  // Depth of the deepest state counted in distinctStates.
  const maxDepthSeen = frontierCount > 0 ? depth : Math.max(0, depth - 1);
  const generated = inits.length + transitions;
  const violations: Violation<S, A>[] = [];
  for (let k = 0; k < nChecks; k++) {
    const at = violationAt[k]!;
    if (at < 0) continue;
    const name = k < names.length ? names[k]! : DEADLOCK;
    const { trace, warning } = rebuildTrace(model, links, at, symmetry);
    if (warning) warnings.push(`${name}: ${warning}`);
    const last = trace.steps.length > 0 ? trace.steps[trace.steps.length - 1]!.state : trace.init;
    if (!replaysToViolation(model, spec, name, last)) {
      warnings.push(`${name}: the trace found does not replay to a violation (a fingerprint collision?); rerun with --exact`);
    }
    violations.push({ invariant: name, trace });
  }
  const storeBytes = table.bytes + links.bytes;
  const stats: SearchStats = {
    distinctStates: distinct,
    transitions,
    maxDepth: maxDepthSeen,
    levels,
    mode: exact ? 'exact' : 'fingerprint',
    workers: runner.threads,
    bytesPerState: distinct > 0 ? storeBytes / distinct : 0,
    peakMemoryBytes: peakMemory,
    collisionProbability: exact ? 0 : collisionProbability(distinct, generated),
    fingerprintCollisions: table.collisions,
    exhaustive,
    warnings,
  };
  const cov = coverage ? coverageCounts(coverage, model, links, symmetry) : undefined;
  const extra = cov ? { coverage: cov } : {};
  if (violations.length > 0) return { ...stats, verdict: 'VIOLATED', violations, ...(bound ? { bound } : {}), ...extra };
  if (bound) return { ...stats, verdict: 'INCOMPLETE', bound, ...extra };
  return { ...stats, verdict: 'HOLDS', ...extra };
}

function statesBound(maxStates: number, depth: number): BoundReport {
  return {
    kind: 'states',
    limit: maxStates,
    detail: `state bound ${maxStates} reached at depth ${depth}: the first ${maxStates} states in breadth-first order were checked; more exist`,
  };
}

function depthBound(maxDepth: number, distinct: number): BoundReport {
  return {
    kind: 'depth',
    limit: maxDepth,
    detail: `depth bound ${maxDepth} reached: the ${distinct} states within ${maxDepth} steps were checked; states at depth ${maxDepth} have successors not explored`,
  };
}

function memoryBound(maxMemory: number, distinct: number, depth: number): BoundReport {
  return {
    kind: 'memory',
    limit: maxMemory,
    detail: `memory bound ${Math.round(maxMemory / 2 ** 20)} MB would be exceeded expanding depth ${depth}: ${distinct} states at depths 0..${depth} found, those at depth ${depth} not checked`,
  };
}

function remapSlots(o: LevelOutput, slotMap: Int32Array): void {
  for (let p = 0; p < o.claimCount; p += 3) o.claims[p] = slotMap[o.claims[p]!]!;
  for (let p = 0; p < o.insertCount; p += 2) o.inserts[p] = slotMap[o.inserts[p]!]!;
}

function replaysToViolation<S, A>(model: Model<S, A>, spec: SearchSpec<S, A>, name: string, s: S): boolean {
  if (name !== DEADLOCK) return !spec.invariants[name]!(s);
  if (model.isFinal(s)) return false;
  return model.actions(s).every((a) => model.nextState(s, a) === undefined);
}

function modelError<S, A>(
  model: Model<S, A>,
  links: StateLinks,
  base: number,
  e: NonNullable<LevelOutput['error']>,
  symmetry: boolean,
): ModelRunError<S, A> {
  let trace;
  let action: A | undefined;
  try {
    trace = rebuildTrace(model, links, base + e.index, symmetry).trace;
    if (e.action >= 0) {
      const last = trace.steps.length > 0 ? trace.steps[trace.steps.length - 1]!.state : trace.init;
      action = model.actions(last)[e.action];
    }
  } catch {
    trace = undefined;
  }
  return new ModelRunError<S, A>(e.during, e.message, trace, action, e.stack);
}

function coverageCounts<S, A>(acc: CoverageAccumulator, model: Model<S, A>, links: StateLinks, symmetry: boolean): CoverageCounts<S, A> {
  const cache = new Map<number, ReturnType<typeof rebuildTrace<S, A>>['trace']>();
  const table = (k: KindAccumulator): CoverageTable<S, A> => ({
    hits: k.hits.slice(),
    witnesses: k.witnessState.map((st, id) => {
      if (st < 0) return undefined;
      let trace = cache.get(st);
      if (!trace) {
        trace = rebuildTrace(model, links, st, symmetry).trace;
        cache.set(st, trace);
      }
      const j = k.witnessAction[id]!;
      if (j < 0) return { trace };
      const last = trace.steps.length > 0 ? trace.steps[trace.steps.length - 1]!.state : trace.init;
      const action = model.actions(last)[j];
      return action === undefined ? { trace } : { trace, action };
    }),
  });
  return { transitions: table(acc.kinds.transitions), guards: table(acc.kinds.guards), states: table(acc.kinds.states) };
}

function allocInt32(n: number, shared: boolean): Int32Array {
  return new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
