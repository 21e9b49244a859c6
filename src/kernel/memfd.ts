/**
 * memfds (shmem files created by memfd_create(MFD_ALLOW_SEALING)): size, seals and the page cache.
 *
 * A page gets a frame when first needed (memfd_pin_folios() allocates a missing folio inside i_size); a truncate
 * drops the pages past the new size, and a dropped page that is still pinned lives on as a detached frame until
 * its last unpin (frames.ts). Seals follow mm/memfd.c memfd_add_seals() and mm/shmem.c shmem_setattr().
 * memfd_create() without MFD_NOEXEC_SEAL gives an executable inode (memfd_noexec scope 0), so F_SEAL_EXEC implies
 * SHRINK|GROW|WRITE|FUTURE_WRITE.
 */
import { F_SEALS, type U64 } from './uapi.ts';
import type { Kernel, MemfdFile, Pfn } from './types.ts';
import { frameAt, frameTx, type FrameTx } from './frames.ts';
import { fileById, putFile } from './files.ts';
import { fail, type Fail } from './outcome.ts';

/** F_ALL_SEALS (mm/memfd.c). */
export const F_ALL_SEALS = F_SEALS.SEAL | F_SEALS.EXEC | F_SEALS.SHRINK | F_SEALS.GROW | F_SEALS.WRITE | F_SEALS.FUTURE_WRITE;

/** The memfd file `id`; throws when it is not one (a model bug). */
export function memfdById(k: Kernel, id: number): MemfdFile {
  const f = fileById(k, id);
  if (f.kind !== 'memfd') throw new Error(`model bug: file ${id} is not a memfd`);
  return f;
}

/** Page-cache lookups of one memfd inside a batch of frame writes (pages.ts pins many pages at once). */
export interface MemfdPageBatch {
  /** The frame of page `index`, allocating a zeroed page if it has none yet (shmem_get_folio(), SGP_CACHE). */
  frame(index: number): Pfn;
  /** The kernel with the pages allocated by frame() in the memfd's page cache. */
  commit(k: Kernel): Kernel;
}

/** Starts page-cache lookups of memfd `id` whose new frames go through `tx`. */
export function memfdPageBatch(k: Kernel, id: number, tx: FrameTx): MemfdPageBatch {
  const m = memfdById(k, id);
  const added = new Map<number, Pfn>();
  return {
    frame(index) {
      // m.pages is sorted by index: binary search it, then the pages this batch added.
      let lo = 0;
      let hi = m.pages.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((m.pages[mid]?.index ?? 0) < index) lo = mid + 1;
        else hi = mid;
      }
      const have = m.pages[lo];
      if (have && have.index === index) return have.pfn;
      const got = added.get(index);
      if (got !== undefined) return got;
      const pfn = tx.alloc(`${m.name}:${index}`, { kind: 'memfd', file: id, index });
      added.set(index, pfn);
      return pfn;
    },
    commit(k1) {
      if (added.size === 0) return k1;
      const pages = [...m.pages];
      for (const [index, pfn] of added) pages.push({ index, pfn });
      return putFile(k1, { ...memfdById(k1, id), pages: pages.sort((x, y) => x.index - y.index) });
    },
  };
}

/**
 * ftruncate() on a memfd: shmem_setattr(). F_SEAL_SHRINK / F_SEAL_GROW refuse a size change (EPERM), and so does a
 * memfd_luo freeze; pages wholly past the new size leave the page cache (truncate_inode_pages_range keeps a partial
 * last page).
 */
export function shmemSetattrSize(k: Kernel, id: number, size: U64): Kernel | Fail {
  const m = memfdById(k, id);
  if ((size < m.size && (m.seals & F_SEALS.SHRINK)) || (size > m.size && (m.seals & F_SEALS.GROW))) {
    return fail('shmem_setattr:sealed');
  }
  // shmem_freeze(): memfd_luo froze the size of the preserved (outgoing) inode; the same size is still accepted.
  if (size !== m.size && m.frozen) return fail('shmem_setattr:frozen');
  const keep = (size + k.pageSize - 1n) / k.pageSize;
  const tx = frameTx(k);
  const kept: { index: number; pfn: Pfn }[] = [];
  for (const p of m.pages) {
    if (BigInt(p.index) < keep) kept.push(p);
    else tx.release(p.pfn);
  }
  return putFile(tx.commit(k), { ...m, size, pages: kept });
}

/** memfd_fcntl(F_ADD_SEALS) then memfd_add_seals(), in the kernel's order of checks. */
export function memfdAddSeals(k: Kernel, id: number, seals: number): Kernel | Fail {
  if (seals > 0xffff_ffff || seals < 0) return fail('memfd_fcntl:arg');
  if (seals & ~F_ALL_SEALS) return fail('memfd_add_seals:unknown-seal');
  const f = fileById(k, id);
  if (f.kind !== 'memfd') return fail('memfd_add_seals:not-memfd');
  if (f.seals & F_SEALS.SEAL) return fail('memfd_add_seals:sealed');
  if ((seals & F_SEALS.WRITE) && !(f.seals & F_SEALS.WRITE)) {
    // memfd_wait_for_pins(): a page with references beyond the page cache's (a DMA pin) makes the seal EBUSY.
    if (f.pages.some((p) => frameAt(k, p.pfn).pins > 0)) return fail('memfd_wait_for_pins:busy');
  }
  let add = seals;
  if (add & F_SEALS.EXEC) add |= F_SEALS.SHRINK | F_SEALS.GROW | F_SEALS.WRITE | F_SEALS.FUTURE_WRITE;
  return putFile(k, { ...f, seals: f.seals | add });
}

/** Last reference to the memfd went away: its pages leave it (freed, or detached while pinned). */
export function memfdRelease(k: Kernel, id: number): Kernel {
  const tx = frameTx(k);
  for (const p of memfdById(k, id).pages) tx.release(p.pfn);
  return tx.commit(k);
}

