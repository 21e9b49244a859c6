/**
 * The memfd LUO handler (mm/memfd_luo.c, include/linux/kho/abi/memfd.h "memfd-v1" / "memfd-v2").
 *
 * - preserve: freezes the size of the outgoing inode (shmem_freeze: a resizing ftruncate is EPERM until unpreserve),
 *   gives every page in [0, size) a frame (holes are allocated: "Holes in the file are filled by allocating pages
 *   for them during preservation") and KHO-preserves each one, and records size, pages by index and, with memfd-v2,
 *   the seals. memfd_luo also pins the folios; that pin keeps them off the LRU and out of CMA, which the model has
 *   no use for, so it is not counted in Frame.pins (the iommufd pins that pin-accounting checks).
 * - unpreserve: unfreezes and unpreserves every page.
 * - retrieve (new kernel): a new, unfrozen memfd (memfd_alloc_file) with the same size and each preserved frame
 *   restored at its old index; memfd-v2 re-applies the seals, memfd-v1 does not (domain.md §D.4) and, made without
 *   MFD_ALLOW_SEALING, leaves F_SEAL_SEAL set. The model keeps the old name (memfd_luo names it ""), so that pages
 *   it allocates later are labelled after the memory they belong to.
 * - finish: a memfd never retrieved has its pages discarded (restored and freed); a retrieved one is the file's.
 */
import type { File, LuoFile, Pfn } from './types.ts';
import { profileOf } from './profiles.ts';
import { F_SEALS } from './uapi.ts';
import { fail } from './outcome.ts';
import { frameTx } from './frames.ts';
import { addFile, putFile } from './files.ts';
import { memfdById, memfdPageBatch } from './memfd.ts';
import { khoPreserve, khoRestore, khoUnpreserve } from './kho.ts';
import type { LuoHandler } from './luoHandler.ts';

function memfdData(lf: LuoFile): Extract<LuoFile['data'], { handler: 'memfd' }> {
  if (lf.data.handler !== 'memfd') throw new Error('model bug: not a memfd LUO file');
  return lf.data;
}

/** The memfd handler. */
export const MEMFD_LUO: LuoHandler = {
  name: 'memfd',

  // memfd_luo_can_preserve(): a shmem file with no name in the filesystem (i_nlink == 0), i.e. a memfd.
  canPreserve: (f: File) => f.kind === 'memfd',

  preserve(k, _session, f) {
    const m = memfdById(k, f.id);
    const npages = Number((m.size + k.pageSize - 1n) / k.pageSize);
    const tx = frameTx(k);
    const batch = memfdPageBatch(k, m.id, tx);
    const pages: { index: number; pfn: Pfn }[] = [];
    for (let index = 0; index < npages; index++) pages.push({ index, pfn: batch.frame(index) });
    let k1 = batch.commit(tx.commit(k));
    const kept = khoPreserve(k1, pages.map((p) => p.pfn));
    k1 = putFile(kept, { ...memfdById(kept, m.id), frozen: true });
    const seals = profileOf(k.profile).liveUpdate.memfd?.seals ? m.seals : 0;
    return [k1, { handler: 'memfd', name: m.name, size: m.size, seals, pages }];
  },

  unpreserve(k, _session, lf) {
    const d = memfdData(lf);
    const k1 = khoUnpreserve(k, d.pages.map((p) => p.pfn));
    return lf.file === null ? k1 : putFile(k1, { ...memfdById(k1, lf.file), frozen: false });
  },

  retrieve(k, _session, lf) {
    const d = memfdData(lf);
    // memfd-v1: memfd_alloc_file("", 0), without MFD_ALLOW_SEALING, keeps the F_SEAL_SEAL every shmem inode starts
    // with (mm/memfd.c), so the file comes back unsealed but unsealable; memfd-v2 re-applies the preserved seals.
    const seals = profileOf(k.profile).liveUpdate.memfd?.seals ? d.seals : F_SEALS.SEAL;
    const [k1, id] = addFile(k, { kind: 'memfd', id: 0, refs: 0, name: d.name, size: d.size, seals, frozen: false, pages: d.pages });
    const byPfn = new Map(d.pages.map((p) => [p.pfn, p.index]));
    const k2 = khoRestore(k1, d.pages.map((p) => p.pfn), (pfn) => ({ kind: 'memfd', file: id, index: byPfn.get(pfn) ?? 0 }));
    // LUO hands a file over only when KHO accepted the data, so its pages are reserved: a failure is a model bug.
    if (k2 === null) throw new Error('model bug: a preserved memfd page is not reserved');
    return [k2, id];
  },

  canFinish: () => true,

  finish(k, _session, lf) {
    if (lf.retrieved) return k;
    // memfd_luo_finish() of a file nobody retrieved: every folio is restored and put.
    const d = memfdData(lf);
    const k1 = khoRestore(k, d.pages.map((p) => p.pfn), () => ({ kind: 'detached' }));
    if (k1 === null) throw new Error('model bug: discarding memfd pages that are not reserved');
    const tx = frameTx(k1);
    for (const p of d.pages) tx.free(p.pfn);
    return tx.commit(k1);
  },
};

