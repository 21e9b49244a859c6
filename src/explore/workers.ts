/**
 * `--workers N`: the level runner that expands each level on N worker threads sharing the search's tables
 * (SharedArrayBuffers). Each worker imports the model module itself (functions cannot cross threads) through
 * worker.js, which registers the TypeScript loader first. The results are the same as with one thread: bfs.ts
 * merges the workers' outputs in breadth-first order (merge.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { searchBfs, searchLevels, type LevelRunner } from './bfs.ts';
import { LevelExpander, type LevelJob, type LevelOutput } from './expand.ts';
import { loadSearchSpec, ModelShapeError, type ModelSource } from './loadModel.ts';
import type { SearchOptions, SearchResult, SearchSpec } from './types.ts';
import type { FromWorker, ToWorker, WireJob } from './workerProtocol.ts';

/** The machine's cores: the default worker count. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** How often the main thread reports progress (and checks for a stop) while the workers run a level. */
const PROGRESS_MS = 200;

/** A running pool of explorer workers; a LevelRunner over shared memory. */
export class WorkerPool implements LevelRunner {
  readonly shared = true;
  private readonly workers: Worker[];
  private pending: ((msg: FromWorker) => void)[] = [];
  private failure: Error | undefined;
  private closed = false;

  /** Spawns `threads` worker threads; `init` then loads the model in each. */
  constructor(readonly threads: number) {
    const entry = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: threads }, () => new Worker(entry));
    this.workers.forEach((w, i) => {
      w.on('message', (msg: FromWorker) => this.pending[i]?.(msg));
      w.on('error', (err) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.pending[i]?.({ type: 'failed', message: this.failure.message, name: this.failure.name });
      });
      w.on('exit', () => this.pending[i]?.({ type: 'failed', message: 'worker thread exited', name: 'Error' }));
    });
  }

  /** Starts `threads` workers and loads `source` in each (see init). */
  static async start(source: ModelSource, threads: number, options: SearchOptions, spec: SearchSpec<unknown, unknown>): Promise<WorkerPool> {
    const pool = new WorkerPool(threads);
    await pool.init(source, options, spec);
    return pool;
  }

  /** Loads `source` in every worker; checks they agree with `spec` on the invariants. Closes the pool on failure. */
  async init(source: ModelSource, options: SearchOptions, spec: SearchSpec<unknown, unknown>): Promise<void> {
    try {
      const replies = await this.broadcast({
        type: 'init',
        source,
        options: { symmetry: options.symmetry ?? true, observe: options.observe ?? false },
      });
      const names = Object.keys(spec.invariants).join(',');
      for (const r of replies) {
        if (r.type !== 'ready') throw this.errorOf(r);
        if (r.invariants.join(',') !== names || r.checkDeadlock !== spec.checkDeadlock) {
          throw new Error(`worker: the model loaded in a worker differs from the main thread's (invariants ${r.invariants.join(',')} vs ${names}): the module must be deterministic`);
        }
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private errorOf(r: FromWorker): Error {
    if (r.type === 'failed') {
      if (r.file !== undefined && r.field !== undefined && r.problem !== undefined) return new ModelShapeError(r.file, r.field, r.problem);
      const e = new Error(`worker: ${r.message}`);
      if (r.stack) e.stack = r.stack;
      return e;
    }
    return new Error(`worker: unexpected reply ${r.type}`);
  }

  private broadcast(msg: ToWorker): Promise<FromWorker[]> {
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<FromWorker>((resolve) => {
            this.pending[i] = (m) => {
              this.pending[i] = () => {};
              resolve(m);
            };
            w.postMessage(msg);
          }),
      ),
    );
  }

  async runSegment(job: LevelJob, newLevel: boolean, tick: () => boolean): Promise<LevelOutput[]> {
    const wire: WireJob = {
      depth: job.depth,
      frontierArena: job.frontierArena.buffers(),
      frontier: job.frontier,
      count: job.count,
      table: job.table.buffers(),
      nextArena: job.nextArena.buffers(),
      control: job.control,
      chunkSize: job.chunkSize,
      checkOnly: job.checkOnly,
      skip: job.skip,
    };
    const timer = setInterval(() => {
      tick();
    }, PROGRESS_MS);
    try {
      const replies = await this.broadcast({ type: 'segment', newLevel, job: wire });
      return replies.map((r) => {
        if (r.type !== 'done') throw this.errorOf(r);
        return r.output;
      });
    } finally {
      clearInterval(timer);
    }
  }

  /** Terminates the workers (also while they are still starting). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * A LevelRunner that expands small levels on the calling thread and large ones on the pool, once the pool has
 * started: worker threads take a while to load TypeScript and the model, and a small model is done before they are.
 * Which thread expands a level does not change its outcome (bfs.ts), so this changes timing only.
 */
class HybridRunner implements LevelRunner {
  readonly shared = true;
  private readonly spawned: WorkerPool;
  private pool: WorkerPool | undefined;
  private poolError: unknown;
  private readonly local: LevelRunner;
  private current: LevelRunner | undefined;

  constructor(
    readonly threads: number,
    spec: SearchSpec<unknown, unknown>,
    source: ModelSource,
    options: SearchOptions,
    private readonly minLevel: number,
  ) {
    const local = new LevelExpander(spec, { symmetry: options.symmetry ?? true, observe: options.observe ?? false });
    this.local = {
      threads: 1,
      shared: true,
      runSegment: (job, newLevel, tick) => {
        if (newLevel) local.startLevel();
        return Promise.resolve([local.expand(job, tick)]);
      },
      close: () => Promise.resolve(),
    };
    this.spawned = new WorkerPool(threads);
    this.spawned.init(source, options, spec).then(
      () => {
        this.pool = this.spawned;
      },
      (err: unknown) => {
        this.poolError = err;
      },
    );
  }

  async runSegment(job: LevelJob, newLevel: boolean, tick: () => boolean): Promise<LevelOutput[]> {
    if (newLevel) {
      // Let the pool's start-up messages in (they are macrotasks), then pick the runner for the whole level.
      await new Promise((r) => setImmediate(r));
      if (this.poolError !== undefined) throw this.poolError;
      this.current = this.pool && job.count >= this.minLevel ? this.pool : this.local;
    }
    return this.current!.runSegment(job, newLevel, tick);
  }

  /** Waits until the pool has started (or failed to). */
  async ready(): Promise<void> {
    while (this.pool === undefined && this.poolError === undefined) await new Promise((r) => setTimeout(r, 5));
    if (this.poolError !== undefined) throw this.poolError;
  }

  /** Terminates the pool, started or not: a search that finished before the workers were ready does not wait. */
  async close(): Promise<void> {
    await this.spawned.close();
  }
}

/** Levels smaller than this are expanded on the main thread even when the pool is ready. */
const POOL_MIN_LEVEL = 1024;

/** Options of a search on worker threads. */
export interface WorkerSearchOptions extends SearchOptions {
  /** Worker threads; default the machine's cores. 1 searches on the calling thread. */
  readonly workers?: number;
  /**
   * Wait for the workers to start before the first level, and expand every level on them, however small (tests
   * and benchmarks; by default small levels, and those before the workers are ready, run on the calling thread).
   */
  readonly onlyWorkers?: boolean;
  /** Called once the workers have started, before the first level when `onlyWorkers` is set (benchmark timing). */
  readonly onWorkersReady?: () => void;
}

/**
 * Loads `source` (main thread and each worker) and searches it on `workers` threads; with one worker the search
 * runs on the calling thread. The result is the same for any worker count (timing figures aside).
 */
export async function searchSource(source: ModelSource, options: WorkerSearchOptions = {}): Promise<SearchResult<unknown, unknown>> {
  const spec = await loadSearchSpec(source);
  return searchSpecFrom(spec, source, options);
}

/**
 * As searchSource, with the main thread's spec already loaded from `source`. With several workers, levels are
 * expanded on the main thread until the worker threads have started (and while levels are small).
 */
export async function searchSpecFrom(
  spec: SearchSpec<unknown, unknown>,
  source: ModelSource,
  options: WorkerSearchOptions,
): Promise<SearchResult<unknown, unknown>> {
  const n = options.workers ?? defaultWorkers();
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`workers must be a positive integer, got ${n}`);
  if (n === 1) {
    options.onWorkersReady?.();
    return searchBfs(spec, options);
  }
  const runner = new HybridRunner(n, spec, source, options, options.onlyWorkers ? 0 : POOL_MIN_LEVEL);
  let result: SearchResult<unknown, unknown>;
  try {
    if (options.onlyWorkers) await runner.ready();
    options.onWorkersReady?.();
    result = await searchLevels(spec, options, runner);
  } catch (err) {
    await runner.close().catch(() => undefined);
    throw err;
  }
  await runner.close();
  return result;
}
