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
import { allocFrame, frameAt, releaseDataFrame } from './frames.ts';
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

/** The frame of page `index` of memfd `id`, allocating a zeroed page if it has none yet (shmem_get_folio, SGP_CACHE). */
export function memfdPageFrame(k: Kernel, id: number, index: number): [Kernel, Pfn] {
  const m = memfdById(k, id);
  const have = m.pages.find((p) => p.index === index);
  if (have) return [k, have.pfn];
  const [k1, pfn] = allocFrame(k, `${m.name}:${index}`, { kind: 'memfd', file: id, index });
  const pages = [...m.pages, { index, pfn }].sort((a, b) => a.index - b.index);
  return [putFile(k1, { ...m, pages }), pfn];
}


/**
 * ftruncate() on a memfd: shmem_setattr(). F_SEAL_SHRINK / F_SEAL_GROW refuse a size change (EPERM); pages wholly
 * past the new size leave the page cache (truncate_inode_pages_range keeps a partial last page).
 */
export function shmemSetattrSize(k: Kernel, id: number, size: U64): Kernel | Fail {
  const m = memfdById(k, id);
  if ((size < m.size && (m.seals & F_SEALS.SHRINK)) || (size > m.size && (m.seals & F_SEALS.GROW))) {
    return fail('shmem_setattr:sealed');
  }
  const keep = (size + k.pageSize - 1n) / k.pageSize;
  let k1 = k;
  const kept: { index: number; pfn: Pfn }[] = [];
  for (const p of m.pages) {
    if (BigInt(p.index) < keep) kept.push(p);
    else k1 = releaseDataFrame(k1, p.pfn);
  }
  return putFile(k1, { ...memfdById(k1, id), size, pages: kept });
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
  let k1 = k;
  for (const p of memfdById(k, id).pages) k1 = releaseDataFrame(k1, p.pfn);
  return k1;
}

