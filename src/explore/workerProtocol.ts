/**
 * The messages between workers.ts (main thread) and worker.ts (each worker thread). Buffers of the shared table,
 * arenas, frontier and control block travel as SharedArrayBuffers (shared, not copied); a worker's output travels
 * as transferred ArrayBuffers.
 */
import type { LevelOutput } from './expand.ts';
import type { ModelSource } from './loadModel.ts';
import type { ArenaBuffers, TableBuffers } from './store.ts';

/** A LevelJob with its objects replaced by their buffers. */
export interface WireJob {
  readonly depth: number;
  readonly frontierArena: ArenaBuffers;
  readonly frontier: Int32Array;
  readonly count: number;
  readonly table: TableBuffers;
  readonly nextArena: ArenaBuffers;
  readonly control: Int32Array;
  readonly chunkSize: number;
  readonly checkOnly: boolean;
  readonly skip: Uint8Array;
}

export type ToWorker =
  | { readonly type: 'init'; readonly source: ModelSource; readonly options: { readonly symmetry: boolean; readonly observe: boolean } }
  | { readonly type: 'segment'; readonly newLevel: boolean; readonly job: WireJob }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready'; readonly invariants: readonly string[]; readonly checkDeadlock: boolean }
  | { readonly type: 'done'; readonly output: LevelOutput }
  | {
      readonly type: 'failed';
      readonly message: string;
      readonly name: string;
      readonly stack?: string;
      /** Set when the worker could not load the model (ModelShapeError). */
      readonly file?: string;
      readonly field?: string;
      readonly problem?: string;
    };
