/**
 * `--workers N`: the level runner that expands each level on N worker threads sharing the search's tables
 * (SharedArrayBuffers). Each worker imports the model module itself (functions cannot cross threads) through
 * worker.js, which registers the TypeScript loader first. The results are the same as with one thread: bfs.ts
 * merges the workers' outputs in breadth-first order (merge.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { searchBfs, searchLevels, type LevelRunner } from './bfs.ts';
import type { LevelJob, LevelOutput } from './expand.ts';
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

  private constructor(readonly threads: number) {
    const entry = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: threads }, () => new Worker(entry));
    this.workers.forEach((w, i) => {
      w.on('message', (msg: FromWorker) => this.pending[i]?.(msg));
      w.on('error', (err) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.pending[i]?.({ type: 'failed', message: this.failure.message, name: this.failure.name });
      });
    });
  }

  /** Starts `threads` workers and loads `source` in each; checks they agree with `spec` on the invariants. */
  static async start(source: ModelSource, threads: number, options: SearchOptions, spec: SearchSpec<unknown, unknown>): Promise<WorkerPool> {
    const pool = new WorkerPool(threads);
    try {
      const replies = await pool.broadcast({
        type: 'init',
        source,
        options: { symmetry: options.symmetry ?? true, observe: options.observe ?? false },
      });
      const names = Object.keys(spec.invariants).join(',');
      for (const r of replies) {
        if (r.type !== 'ready') throw pool.errorOf(r);
        if (r.invariants.join(',') !== names || r.checkDeadlock !== spec.checkDeadlock) {
          throw new Error(`worker: the model loaded in a worker differs from the main thread's (invariants ${r.invariants.join(',')} vs ${names}): the module must be deterministic`);
        }
      }
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
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

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Loads `source` (main thread and each worker) and searches it on `workers` threads; with one worker the search
 * runs on the calling thread. The result is the same for any worker count (timing figures aside).
 */
export async function searchSource(source: ModelSource, options: SearchOptions & { readonly workers?: number } = {}): Promise<SearchResult<unknown, unknown>> {
  const spec = await loadSearchSpec(source);
  return searchSpecFrom(spec, source, options);
}

/** As searchSource, with the main thread's spec already loaded from `source`. */
export async function searchSpecFrom(
  spec: SearchSpec<unknown, unknown>,
  source: ModelSource,
  options: SearchOptions & { readonly workers?: number },
): Promise<SearchResult<unknown, unknown>> {
  const n = options.workers ?? defaultWorkers();
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`workers must be a positive integer, got ${n}`);
  if (n === 1) return searchBfs(spec, options);
  const pool = await WorkerPool.start(source, n, options, spec);
  try {
    return await searchLevels(spec, options, pool);
  } finally {
    await pool.close();
  }
}
