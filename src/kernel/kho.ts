/**
 * Kexec HandOver (kernel/liveupdate/kexec_handover.c, include/linux/kho/abi/kexec_handover.h): which frames this
 * kernel preserves for the next one, and, in a kernel booted by a KHO kexec, which frames the previous one handed
 * over and are still reserved.
 *
 * Rules kept here, as the kernel keeps them:
 * - Preservation is per frame (kho_preserve_folio / kho_preserve_pages); unpreserve must name exactly what was
 *   preserved (kho_unpreserve_folio: a mismatch is a caller bug, a model bug here). Scratch memory, where a kexec'ed
 *   kernel makes its early allocations (`kernel` frames here), is never preserved (kho_preserve_folio: EINVAL).
 * - At boot the new kernel reserves every preserved frame before anything allocates (deserialize_bitmap,
 *   memblock_reserve + noinit): an `incoming` frame keeps its content and is handed out by nobody until one
 *   kho_restore_folio() gives it to its owner. A second restore of the same frame fails (the "KHOP" magic is
 *   cleared by the first).
 * - Every other frame is free in the new kernel and is reused, lowest first (frames.ts): a device still walking
 *   such a frame reaches whatever the new kernel put there.
 */
import type { Frame, FrameOwner, Kernel, Pfn } from './types.ts';

/** Sorted union of a sorted list and more pfns. */
function addSorted(list: readonly Pfn[], more: readonly Pfn[]): Pfn[] {
  const set = new Set(list);
  for (const p of more) set.add(p);
  return [...set].sort((a, b) => a - b);
}

/** Whether `pfn` is in the sorted list. */
export function hasPfn(list: readonly Pfn[], pfn: Pfn): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] ?? 0) < pfn) lo = mid + 1;
    else hi = mid;
  }
  return list[lo] === pfn;
}

/**
 * kho_preserve_folio() of each frame: they stay allocated and are recorded for the next kernel. A scratch (`kernel`)
 * frame is never preserved (kho_preserve_folio: EINVAL); no modelled caller asks, so asking is a model bug.
 */
export function khoPreserve(k: Kernel, pfns: readonly Pfn[]): Kernel {
  for (const pfn of pfns) {
    const f = k.frames[pfn];
    if (!f) throw new Error(`model bug: preserving free frame ${pfn}`);
    if (f.owner.kind === 'kernel') throw new Error(`model bug: preserving scratch frame ${pfn}`);
  }
  return { ...k, kho: { ...k.kho, preserved: addSorted(k.kho.preserved, pfns) } };
}

/** kho_unpreserve_folio() of each frame: each must be preserved (exact match). */
export function khoUnpreserve(k: Kernel, pfns: readonly Pfn[]): Kernel {
  const drop = new Set(pfns);
  for (const pfn of drop) if (!hasPfn(k.kho.preserved, pfn)) throw new Error(`model bug: unpreserving frame ${pfn}, which is not preserved`);
  return { ...k, kho: { ...k.kho, preserved: k.kho.preserved.filter((p) => !drop.has(p)) } };
}

/**
 * kho_restore_folio() of each frame for `owner(pfn)`: every frame must still be reserved (incoming); the restore
 * takes it out of the reserved set, so a second restore fails. Returns null when one is not reserved (the caller's
 * error path), else the kernel with the frames owned anew, content and label kept.
 */
export function khoRestore(k: Kernel, pfns: readonly Pfn[], owner: (pfn: Pfn) => FrameOwner): Kernel | null {
  for (const pfn of pfns) if (!hasPfn(k.kho.incoming, pfn)) return null;
  const take = new Set(pfns);
  const frames = k.frames.slice();
  for (const pfn of take) {
    const f = frames[pfn] as Frame;
    frames[pfn] = { ...f, owner: owner(pfn) };
  }
  return { ...k, frames, kho: { ...k.kho, incoming: k.kho.incoming.filter((p) => !take.has(p)) } };
}
