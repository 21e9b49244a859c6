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
import { frameTx, type FrameTx } from './frames.ts';
import { findFile, fput } from './files.ts';
import { memfdPageBatch } from './memfd.ts';
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

/** Resolves index -> frame for one pin batch; commit() records the pages it faulted in with their owner. */
interface PageSource {
  frame(index: number): Pfn | Fail;
  commit(k: Kernel): Kernel;
}

/** USER pages: pin_user_pages_fast() faults a touched page of a config buffer in; a hole or no buffer is EFAULT. */
function userPageSource(k: Kernel, p: IoptPages, tx: FrameTx): PageSource {
  // Virtual page numbers in numbers; the VA wraps at 2^64, i.e. at VPAGES pages (a power of two, at most 2^53 with
  // 2 KiB pages). A sum below VPAGES is exact; one at or above it is redone in bigint.
  const VPAGES = Number((1n << 64n) / k.pageSize);
  const uptrPage = Number(p.uptr / k.pageSize);
  const buffers = k.process.buffers.map((buf, b) => ({ buf, b, first: Number(buf.va / k.pageSize) }));
  const known = new Map<number, Map<number, Pfn>>();
  const added = new Map<number, { index: number; pfn: Pfn }[]>();
  return {
    frame(index) {
      let vpage = uptrPage + index;
      if (vpage >= VPAGES) vpage = Number((BigInt(uptrPage) + BigInt(index)) % BigInt(VPAGES));
      for (const { buf, b, first } of buffers) {
        if (vpage < first || vpage >= first + buf.pages) continue;
        const page = vpage - first;
        if (buf.holes.includes(page)) return fail('pfn_reader_user_pin:fault');
        let pfns = known.get(b);
        if (!pfns) known.set(b, (pfns = new Map(buf.frames.map((f) => [f.index, f.pfn]))));
        const have = pfns.get(page);
        if (have !== undefined) return have;
        const pfn = tx.alloc(`${buf.name}:${page}`, { kind: 'buffer', buffer: buf.name, index: page });
        pfns.set(page, pfn);
        let list = added.get(b);
        if (!list) added.set(b, (list = []));
        list.push({ index: page, pfn });
        return pfn;
      }
      return fail('pfn_reader_user_pin:fault');
    },
    commit(k1) {
      if (added.size === 0) return k1;
      const nb = k.process.buffers.slice();
      for (const [b, list] of added) {
        const buf = nb[b];
        if (buf) nb[b] = { ...buf, frames: [...buf.frames, ...list].sort((x, y) => x.index - y.index) };
      }
      return { ...k1, process: { ...k1.process, buffers: nb } };
    },
  };
}

/** FILE pages: memfd_pin_folios() allocates a missing page inside i_size; past it, or not a memfd, is EINVAL. */
function filePageSource(k: Kernel, p: IoptPages, tx: FrameTx): PageSource {
  const f = p.file === null ? undefined : findFile(k, p.file);
  if (!f || f.kind !== 'memfd') return { frame: () => fail('memfd_pin_folios:not-memfd'), commit: (k1) => k1 };
  const batch = memfdPageBatch(k, f.id, tx);
  // memfd_pin_folios(): `end >= i_size_read()` is EINVAL, end being the last byte of the page to pin, so only pages
  // wholly inside i_size pin: file index < floor(i_size / PAGE_SIZE). (Index arithmetic in numbers is exact: a byte
  // offset below 2^64 is a page index below 2^52, and so is `index`, so their sum stays below 2^53.)
  const whole = f.size / k.pageSize;
  const first = Number(p.start / k.pageSize);
  return {
    frame(index) {
      const fileIndex = first + index;
      if (BigInt(fileIndex) >= whole) return fail('memfd_pin_folios:beyond-eof');
      return batch.frame(fileIndex);
    },
    commit: (k1) => batch.commit(k1),
  };
}

/**
 * Pins every index of [first, last] not pinned yet (pfn_reader_user_pin()), in index order. Returns the kernel and
 * the number of newly pinned indexes, or the first failure (the caller then keeps its old kernel: nothing pinned,
 * and the pages faulted in on the way are not kept either, a modelling simplification: the kernel would leave them
 * in the page cache / process, which no iommufd outcome observes).
 */
export function pagesPinRange(k: Kernel, ictx: number, id: number, first: number, last: number): [Kernel, number] | Fail {
  const p = pagesById(ctxOf(k, ictx), id);
  const have = new Set(p.pinned.map((x) => x.index));
  const tx = frameTx(k);
  const source = p.type === 'user' ? userPageSource(k, p, tx) : filePageSource(k, p, tx);
  const pinned = p.pinned.slice();
  let added = 0;
  for (let index = first; index <= last; index++) {
    if (have.has(index)) continue;
    const pfn = source.frame(index);
    if (typeof pfn !== 'number') return pfn;
    tx.pin(pfn, 1);
    pinned.push({ index, pfn });
    added++;
  }
  if (added === 0) return [k, 0];
  pinned.sort((a, b) => a.index - b.index);
  const k1 = source.commit(tx.commit(k));
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
  const tx = frameTx(k);
  const kept: { index: number; pfn: Pfn }[] = [];
  let dropped = 0;
  for (const x of p.pinned) {
    if (needed(x.index)) kept.push(x);
    else {
      tx.pin(x.pfn, -1);
      dropped++;
    }
  }
  if (dropped === 0) return k;
  const k1 = putPages(tx.commit(k), ictx, { ...p, pinned: kept, npinned: p.npinned - dropped });
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


