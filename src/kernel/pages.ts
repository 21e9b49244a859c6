/**
 * struct iopt_pages: pinning and accounting (drivers/iommu/iommufd/pages.c).
 *
 * An iopt_pages is a linear array of `npages` PAGE_SIZE indexes over a user VA range (USER) or a file range (FILE).
 * Every area that maps it (MAP creates one per call; COPY and a partial COPY share it) takes a kref.
 *
 * Rules kept here, as the kernel keeps them:
 * - An index is pinned exactly when some area of this iopt_pages covers it in an IOAS that has a domain (the
 *   domains_itree); an IOAS without domains holds only a lazy reference ("For non-domain page tables this will only
 *   setup a lazy reference", iopt_map_user_pages()). In-kernel accesses are not modelled.
 * - An index is pinned once, however many areas and domains use it: `npinned` counts pinned indexes.
 * - Pinning happens first, charging after (pfn_reader_user_update_pinned()): if the charge fails, what was just
 *   pinned is unpinned and the call fails ENOMEM. Unpinning never happens while a domain still maps the page
 *   (__iopt_area_unfill_domain: "we must not unpin something that is still DMA mapped"); callers unmap first.
 * - Charging (do_update_pinned()): NONE when the mapper had CAP_IPC_LOCK, USER (user->locked_vm, checked against
 *   RLIMIT_MEMLOCK) or MM (mm->locked_vm via __account_locked_vm()); mm->pinned_vm counts every mode.
 */
import type { IommufdCtx, IoptPages, Kernel, Pfn } from './types.ts';
import { allocFrame, pinFrame } from './frames.ts';
import { findFile, fput } from './files.ts';
import { memfdPageFrame } from './memfd.ts';
import { fail, isFail, type Fail } from './outcome.ts';
import { ctxOf, withCtx } from './main.ts';

/** The iopt_pages `id` of context `ictx`; throws when there is none (a model bug). */
export function pagesById(ctx: IommufdCtx, id: number): IoptPages {
  const p = ctx.pages.find((x) => x.id === id);
  if (!p) throw new Error(`model bug: no iopt_pages ${id}`);
  return p;
}

function putPages(k: Kernel, ictx: number, p: IoptPages): Kernel {
  const ctx = ctxOf(k, ictx);
  return withCtx(k, ictx, { ...ctx, pages: ctx.pages.map((x) => (x.id === p.id ? p : x)) });
}

/** Inserts a new iopt_pages (kref 1) with the lowest free id of the context. */
export function pagesInsert(k: Kernel, ictx: number, p: Omit<IoptPages, 'id' | 'refs'>): [Kernel, number] {
  const ctx = ctxOf(k, ictx);
  let id = 1;
  for (const x of ctx.pages) {
    if (x.id !== id) break;
    id++;
  }
  const pages = [...ctx.pages, { ...p, id, refs: 1 }].sort((a, b) => a.id - b.id);
  return [withCtx(k, ictx, { ...ctx, pages }), id];
}

/** kref_get on an iopt_pages (a COPY area sharing it). */
export function pagesGet(k: Kernel, ictx: number, id: number): Kernel {
  const p = pagesById(ctxOf(k, ictx), id);
  return putPages(k, ictx, { ...p, refs: p.refs + 1 });
}

/**
 * iopt_put_pages(): drops a kref; the last one frees the iopt_pages and, for FILE pages, drops its file reference.
 * The pages must hold no pin by then (iopt_release_pages() WARNs on npinned).
 */
export function pagesPut(k: Kernel, ictx: number, id: number): Kernel {
  const p = pagesById(ctxOf(k, ictx), id);
  if (p.refs > 1) return putPages(k, ictx, { ...p, refs: p.refs - 1 });
  if (p.npinned !== 0) throw new Error(`model bug: iopt_pages ${id} released with ${p.npinned} pins`);
  const ctx = ctxOf(k, ictx);
  const k1 = withCtx(k, ictx, { ...ctx, pages: ctx.pages.filter((x) => x.id !== id) });
  return p.file !== null ? fput(k1, p.file) : k1;
}

/** Resolves the frame backing USER index `index` (pin_user_pages_fast() faults a touched page in), or EFAULT. */
function userPageFrame(k: Kernel, p: IoptPages, index: number): [Kernel, Pfn] | Fail {
  const va = (p.uptr + BigInt(index) * k.pageSize) & 0xffff_ffff_ffff_ffffn;
  const buffers = k.process.buffers;
  for (let b = 0; b < buffers.length; b++) {
    const buf = buffers[b];
    if (!buf) continue;
    const end = buf.va + BigInt(buf.pages) * k.pageSize;
    if (va < buf.va || va >= end) continue;
    const page = Number((va - buf.va) / k.pageSize);
    if (buf.holes.includes(page)) return fail('pfn_reader_user_pin:fault');
    const have = buf.frames.find((f) => f.index === page);
    if (have) return [k, have.pfn];
    const [k1, pfn] = allocFrame(k, `${buf.name}:${page}`, { kind: 'buffer', buffer: buf.name, index: page });
    const frames = [...buf.frames, { index: page, pfn }].sort((x, y) => x.index - y.index);
    const nb = buffers.slice();
    nb[b] = { ...buf, frames };
    return [{ ...k1, process: { ...k1.process, buffers: nb } }, pfn];
  }
  return fail('pfn_reader_user_pin:fault');
}

/** Resolves the frame backing FILE index `index` (memfd_pin_folios()), or EINVAL. */
function filePageFrame(k: Kernel, p: IoptPages, index: number): [Kernel, Pfn] | Fail {
  const f = p.file === null ? undefined : findFile(k, p.file);
  if (!f || f.kind !== 'memfd') return fail('memfd_pin_folios:not-memfd');
  const fileIndex = p.start / k.pageSize + BigInt(index);
  // memfd_pin_folios(): `end >= i_size_read()` is EINVAL, end being the last byte of the page to pin.
  if ((fileIndex + 1n) * k.pageSize > f.size) return fail('memfd_pin_folios:beyond-eof');
  return memfdPageFrame(k, f.id, Number(fileIndex));
}

/**
 * Pins every index of [first, last] not pinned yet (pfn_reader_user_pin()), in index order. Returns the kernel and
 * the number of newly pinned indexes, or the first failure (the caller then keeps its old kernel: nothing pinned).
 */
export function pagesPinRange(k: Kernel, ictx: number, id: number, first: number, last: number): [Kernel, number] | Fail {
  let k1 = k;
  let p = pagesById(ctxOf(k1, ictx), id);
  const pinned = p.pinned.slice();
  const have = new Set(pinned.map((x) => x.index));
  let added = 0;
  for (let index = first; index <= last; index++) {
    if (have.has(index)) continue;
    const r = p.type === 'user' ? userPageFrame(k1, p, index) : filePageFrame(k1, p, index);
    if (isFail(r)) return r;
    const [k2, pfn] = r;
    k1 = pinFrame(k2, pfn, 1);
    pinned.push({ index, pfn });
    added++;
  }
  if (added === 0) return [k, 0];
  p = pagesById(ctxOf(k1, ictx), id);
  pinned.sort((a, b) => a.index - b.index);
  return [putPages(k1, ictx, { ...p, pinned, npinned: p.npinned + added }), added];
}

/**
 * do_update_pinned() for `npages` newly pinned (inc) or unpinned pages of `id`: the charge by account mode, then
 * mm->pinned_vm. A charge over RLIMIT_MEMLOCK fails ENOMEM with nothing charged.
 */
export function pagesUpdatePinned(k: Kernel, ictx: number, id: number, npages: number, inc: boolean): Kernel | Fail {
  if (npages === 0) return k;
  const p = pagesById(ctxOf(k, ictx), id);
  const proc = k.process;
  const limit = proc.rlimitMemlock ?? Number.POSITIVE_INFINITY;
  let { userLockedVm, mmLockedVm } = proc;
  const d = inc ? npages : -npages;
  if (p.accountMode === 'user') {
    if (inc && userLockedVm + npages > limit) return fail('incr_user_locked_vm:rlimit');
    userLockedVm += d;
  } else if (p.accountMode === 'mm') {
    if (inc && mmLockedVm + npages > limit) return fail('update_mm_locked_vm:rlimit');
    mmLockedVm += d;
  }
  if (userLockedVm < 0 || mmLockedVm < 0) throw new Error('model bug: locked_vm below zero');
  return { ...k, process: { ...proc, userLockedVm, mmLockedVm, mmPinnedVm: proc.mmPinnedVm + d } };
}

/** Sorted, merged [first, last] index ranges of `id` that some area in an IOAS with a domain covers. */
export function pagesRequired(k: Kernel, ictx: number, id: number): [number, number][] {
  const ctx = ctxOf(k, ictx);
  const ranges: [number, number][] = [];
  for (const o of ctx.objects) {
    if (o.type !== 'IOAS' || o.domains.length === 0) continue;
    for (const a of o.areas) {
      if (a.pages !== id) continue;
      ranges.push(areaIndexRange(k, a));
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The page index range [first, last] of an area inside its iopt_pages (iopt_area_index / iopt_area_last_index). */
export function areaIndexRange(k: Kernel, a: { iova: bigint; last: bigint; startByte: bigint }): [number, number] {
  const first = Number(a.startByte / k.pageSize);
  const last = Number((a.startByte + (a.last - a.iova)) / k.pageSize);
  return [first, last];
}

/**
 * Unpins every pinned index of `id` that no area needs any more (after its areas left domains), and uncharges them
 * (update_unpinned()). The caller has already unmapped them from every domain.
 */
export function pagesUnpinUnneeded(k: Kernel, ictx: number, id: number): Kernel {
  const p = pagesById(ctxOf(k, ictx), id);
  if (p.npinned === 0) return k;
  const need = pagesRequired(k, ictx, id);
  const needed = (i: number): boolean => need.some(([a, b]) => i >= a && i <= b);
  let k1 = k;
  const kept: { index: number; pfn: Pfn }[] = [];
  let dropped = 0;
  for (const x of p.pinned) {
    if (needed(x.index)) kept.push(x);
    else {
      k1 = pinFrame(k1, x.pfn, -1);
      dropped++;
    }
  }
  if (dropped === 0) return k;
  const p1 = pagesById(ctxOf(k1, ictx), id);
  k1 = putPages(k1, ictx, { ...p1, pinned: kept, npinned: p1.npinned - dropped });
  const r = pagesUpdatePinned(k1, ictx, id, dropped, false);
  if (isFail(r)) throw new Error('model bug: uncharge failed');
  return r;
}

/** The pfn pinned for `index` of `id` (the kernel reads it back from a domain or the xarray). */
export function pinnedPfn(p: IoptPages, index: number): Pfn {
  const x = p.pinned.find((e) => e.index === index);
  if (!x) throw new Error(`model bug: iopt_pages ${p.id} index ${index} is not pinned`);
  return x.pfn;
}


