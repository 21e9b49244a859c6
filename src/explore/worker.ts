/**
 * An explorer worker thread (started by workers.ts through worker.js): loads the model from its ModelSource,
 * then expands the level segments the main thread sends, over the shared table and arenas, and posts back its
 * LevelOutput. It holds no search state of its own besides the resume point of a paused level (expand.ts).
 */
import { parentPort } from 'node:worker_threads';
import { LevelExpander, type LevelJob, type LevelOutput } from './expand.ts';
import { loadSearchSpec } from './loadModel.ts';
import { Arena, FingerprintTable } from './store.ts';
import type { ToWorker, FromWorker, WireJob } from './workerProtocol.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

let expander: LevelExpander<unknown, unknown> | undefined;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

/** Views on the shared buffers (each message brings new SharedArrayBuffer objects over the same memory). */
function jobOf(w: WireJob): LevelJob {
  return {
    depth: w.depth,
    frontierArena: new Arena(w.frontierArena),
    frontier: w.frontier,
    count: w.count,
    table: new FingerprintTable(w.table),
    nextArena: new Arena(w.nextArena),
    control: w.control,
    chunkSize: w.chunkSize,
    checkOnly: w.checkOnly,
    skip: w.skip,
  };
}

port.on('message', (msg: ToWorker) => {
  void (async () => {
    try {
      switch (msg.type) {
        case 'init': {
          const spec = await loadSearchSpec(msg.source);
          expander = new LevelExpander(spec, msg.options);
          post({ type: 'ready', invariants: Object.keys(spec.invariants), checkDeadlock: spec.checkDeadlock });
          return;
        }
        case 'segment': {
          if (!expander) throw new Error('worker: segment before init');
          if (msg.newLevel) expander.startLevel();
          const out: LevelOutput = expander.expand(jobOf(msg.job));
          const transfer: ArrayBuffer[] = [out.claims.buffer as ArrayBuffer, out.inserts.buffer as ArrayBuffer];
          if (out.observed) {
            for (const k of [out.observed.transitions, out.observed.guards, out.observed.states]) {
              transfer.push(k.hits.buffer as ArrayBuffer, k.firstIndex.buffer as ArrayBuffer, k.firstAction.buffer as ArrayBuffer);
            }
          }
          post({ type: 'done', output: out }, transfer);
          return;
        }
        case 'close':
          port.close();
          return;
      }
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ type: 'failed', message: e.message, name: e.name, ...(e.stack ? { stack: e.stack } : {}), ...fieldsOf(e) });
    }
  })();
});

function fieldsOf(e: Error): { file?: string; field?: string; problem?: string } {
  const x = e as Error & { file?: unknown; field?: unknown; problem?: unknown };
  return typeof x.file === 'string' && typeof x.field === 'string' && typeof x.problem === 'string'
    ? { file: x.file, field: x.field, problem: x.problem }
    : {};
}
