/**
 * Physical memory: frames with owners, labels and long-term pins.
 *
 * Frames are handed out lowest free pfn first, so that a world is deterministic and a freed frame is the next one
 * reused (the live-update issue relies on this: a frame the new kernel hands to someone else is found by its pfn).
 * A frame's label is set at allocation and never changes: `"<memfd or buffer name>:<page index>"` for data pages,
 * `"pt:d<domain>:l<level>"` for page-table pages, so a DMA that reaches a frame can say whose page it was.
 */
import type { Frame, FrameOwner, Kernel, Pfn, PtEntry } from './types.ts';

/** The frame at `pfn`; throws when it is free (a model bug, never a kernel outcome). */
export function frameAt(k: Kernel, pfn: Pfn): Frame {
  const f = k.frames[pfn];
  if (!f) throw new Error(`model bug: frame ${pfn} is free`);
  return f;
}

/** Allocates the lowest free frame (alloc_pages()); returns the new kernel and its pfn. */
export function allocFrame(k: Kernel, label: string, owner: FrameOwner, table: PtEntry[] | null = null): [Kernel, Pfn] {
  let pfn = k.frames.indexOf(null);
  if (pfn < 0) pfn = k.frames.length;
  const frames = k.frames.slice();
  frames[pfn] = { label, owner, pins: 0, table };
  return [{ ...k, frames }, pfn];
}

/** Frees `pfn`, trimming trailing free frames so that equal memory is equal data. */
export function freeFrame(k: Kernel, pfn: Pfn): Kernel {
  const frames = k.frames.slice();
  frames[pfn] = null;
  while (frames.length > 0 && frames[frames.length - 1] === null) frames.pop();
  return { ...k, frames };
}

/** Replaces the frame at `pfn` with `frame`. */
export function setFrame(k: Kernel, pfn: Pfn, frame: Frame): Kernel {
  const frames = k.frames.slice();
  frames[pfn] = frame;
  return { ...k, frames };
}

/** Adds `delta` long-term pins to `pfn` (pin_user_pages() / unpin_user_page()); a detached frame is freed at zero pins. */
export function pinFrame(k: Kernel, pfn: Pfn, delta: number): Kernel {
  const f = frameAt(k, pfn);
  const pins = f.pins + delta;
  if (pins < 0) throw new Error(`model bug: frame ${pfn} unpinned below zero`);
  if (pins === 0 && f.owner.kind === 'detached') return freeFrame(k, pfn);
  return setFrame(k, pfn, { ...f, pins });
}

/**
 * The page left its owner (truncated out of its memfd, or its file was released): freed now unless pins hold it,
 * in which case it lives on as `detached` until the last unpin.
 */
export function releaseDataFrame(k: Kernel, pfn: Pfn): Kernel {
  const f = frameAt(k, pfn);
  if (f.pins === 0) return freeFrame(k, pfn);
  return setFrame(k, pfn, { ...f, owner: { kind: 'detached' } });
}

/**
 * A batch of frame writes inside one kernel function: the frame table is copied once, written in place, and only
 * `commit()` hands out the new table. Nothing else sees the copy before then, so the kernel stays immutable from the
 * outside while a function that touches many frames (a map of many leaves, a pin of many pages) copies the table
 * once instead of once per frame.
 */
export interface FrameTx {
  get(pfn: Pfn): Frame;
  /** Allocates the lowest free frame. */
  alloc(label: string, owner: FrameOwner, table?: PtEntry[] | null): Pfn;
  set(pfn: Pfn, frame: Frame): void;
  free(pfn: Pfn): void;
  /** Adds `delta` pins; a detached frame is freed at zero pins (as pinFrame()). */
  pin(pfn: Pfn, delta: number): void;
  /** As releaseDataFrame(): freed unless pinned, else detached. */
  release(pfn: Pfn): void;
  /**
   * The entries of page-table frame `pfn`, writable in place until commit(): copied on the first call of this batch
   * (so that a map of many leaves into one table copies it once), the same array afterwards.
   */
  entries(pfn: Pfn): PtEntry[];
  /** The kernel with the written frame table (trailing free frames trimmed). */
  commit(k: Kernel): Kernel;
}

/** Starts a batch of frame writes on `k`'s frame table. */
export function frameTx(k: Kernel): FrameTx {
  const frames = k.frames.slice();
  // Frames whose `table` array belongs to this batch (allocated here, or copied by entries()).
  const owned = new Set<Pfn>();
  let lowest = 0;
  const tx: FrameTx = {
    get(pfn) {
      const f = frames[pfn];
      if (!f) throw new Error(`model bug: frame ${pfn} is free`);
      return f;
    },
    alloc(label, owner, table = null) {
      while (lowest < frames.length && frames[lowest] !== null) lowest++;
      const pfn = lowest;
      frames[pfn] = { label, owner, pins: 0, table: table === null ? null : table.slice() };
      owned.add(pfn);
      return pfn;
    },
    set(pfn, frame) {
      frames[pfn] = frame;
      owned.delete(pfn);
    },
    free(pfn) {
      frames[pfn] = null;
      owned.delete(pfn);
      if (pfn < lowest) lowest = pfn;
    },
    pin(pfn, delta) {
      const f = tx.get(pfn);
      const pins = f.pins + delta;
      if (pins < 0) throw new Error(`model bug: frame ${pfn} unpinned below zero`);
      if (pins === 0 && f.owner.kind === 'detached') tx.free(pfn);
      else frames[pfn] = { ...f, pins };
    },
    release(pfn) {
      const f = tx.get(pfn);
      if (f.pins === 0) tx.free(pfn);
      else frames[pfn] = { ...f, owner: { kind: 'detached' } };
    },
    entries(pfn) {
      const f = tx.get(pfn);
      if (f.table === null) throw new Error(`model bug: frame ${pfn} is not a page table`);
      if (owned.has(pfn)) return f.table;
      const table = f.table.slice();
      frames[pfn] = { ...f, table };
      owned.add(pfn);
      return table;
    },
    commit(k0) {
      while (frames.length > 0 && frames[frames.length - 1] === null) frames.pop();
      return { ...k0, frames };
    },
  };
  return tx;
}
