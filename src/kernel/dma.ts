/**
 * DMA never stops: the IOMMU hardware walks the page-table frames a device's context entry points at, in physical
 * memory, whatever the iommufd objects say and whichever kernel runs. A table frame that was freed and reused
 * holds something else: the walk reads it as it finds it (no table there: a fault; someone else's table: their
 * translations), and a leaf still pointing at a reused frame reaches whatever the new kernel put there.
 *
 * The walk reads only `frames`, the top frame and the level shifts, never a Domain object, so that it works on the
 * memory of a kexec window (before the new kernel's IOMMU init) as on any kernel's.
 */
import type { DmaRequest, DmaResult } from './uapi.ts';
import type { Frame, HwPageTable, Kernel, PtEntry } from './types.ts';
import { IOMMU_READ, IOMMU_WRITE } from './ioPagetable.ts';
import { findEntry } from './domain.ts';

/** What a walk of one IOVA finds: a leaf, nothing, or a frame on the path that is no page table. */
export type HwWalk =
  | { kind: 'leaf'; phys: bigint; prot: number; size: bigint }
  | { kind: 'none' }
  | { kind: 'garbage'; pfn: number };

function entryAt(entries: readonly PtEntry[], index: number): PtEntry | undefined {
  const e = entries[findEntry(entries, index)];
  return e && e.index === index ? e : undefined;
}

function indexAt(levels: readonly number[], level: number, iova: bigint): number {
  const shift = levels[level] ?? 0;
  const idx = iova >> BigInt(shift);
  if (level === levels.length - 1) return idx > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(idx);
  const width = (levels[level + 1] ?? 0) - shift;
  return Number(idx & ((1n << BigInt(width)) - 1n));
}

/** The hardware's walk of `iova` through `pt` in `frames`. */
export function hwTranslate(frames: readonly (Frame | null)[], pt: HwPageTable, iova: bigint): HwWalk {
  let table = pt.top;
  for (let level = pt.levels.length - 1; level >= 0; level--) {
    const f = frames[table];
    if (!f || f.table === null) return { kind: 'garbage', pfn: table };
    const e = entryAt(f.table, indexAt(pt.levels, level, iova));
    if (!e) return { kind: 'none' };
    if (e.kind === 'leaf') {
      const size = 1n << BigInt(pt.levels[level] ?? 0);
      return { kind: 'leaf', phys: e.phys + (iova & (size - 1n)), prot: e.prot, size };
    }
    table = e.pfn;
  }
  return { kind: 'none' };
}

/** Every leaf the hardware can reach through `pt`, sorted by IOVA, and the IOVA spans behind a garbage frame. */
export interface HwLeaves {
  leaves: { iova: bigint; size: bigint; phys: bigint; prot: number }[];
  garbage: { iova: bigint; size: bigint; pfn: number }[];
}

/** Walks the whole table `pt` in `frames`. */
export function hwLeaves(frames: readonly (Frame | null)[], pt: HwPageTable): HwLeaves {
  const out: HwLeaves = { leaves: [], garbage: [] };
  const top = pt.levels.length - 1;
  const walk = (pfn: number, level: number, base: bigint): void => {
    const shift = BigInt(pt.levels[level] ?? 0);
    const span = level === top ? 1n << 64n : 1n << BigInt(pt.levels[level + 1] ?? 0);
    const f = frames[pfn];
    if (!f || f.table === null) {
      out.garbage.push({ iova: base, size: span, pfn });
      return;
    }
    for (const e of f.table) {
      const start = base + (BigInt(e.index) << shift);
      if (e.kind === 'leaf') out.leaves.push({ iova: start, size: 1n << shift, phys: e.phys, prot: e.prot });
      else if (level > 0) walk(e.pfn, level - 1, start);
    }
  };
  walk(pt.top, top, 0n);
  return out;
}

/** The name of the frame at `pfn` for a report: its label, or `free:<pfn>` when no one owns it. */
export function frameName(frames: readonly (Frame | null)[], pfn: number): string {
  const f = frames[pfn];
  return f ? f.label : `free:${pfn}`;
}

/** One DMA of a config device: the hardware walk of its page table, then the access check. Reads only. */
export function dma(k: Kernel, req: DmaRequest): DmaResult {
  const hw = k.hw.find((h) => h.device === req.device);
  if (!hw) throw new Error(`model bug: DMA from unknown device ${req.device}`);
  if (hw.pt === null) {
    const reason = hw.domain === 'blocked' ? 'DMA is blocked (no domain attached)' : 'the default domain maps nothing for this device';
    return { ok: false, fault: true, reason, rule: 'dma:blocked' };
  }
  const w = hwTranslate(k.frames, hw.pt, req.iova);
  if (w.kind === 'garbage') {
    return { ok: false, fault: true, reason: `the walk reads frame ${w.pfn} (${frameName(k.frames, w.pfn)}), which is no page table`, rule: 'dma:garbage-table' };
  }
  if (w.kind === 'none') return { ok: false, fault: true, reason: 'no translation for this IOVA', rule: 'dma:no-translation' };
  const need = req.access === 'read' ? IOMMU_READ : IOMMU_WRITE;
  if (!(w.prot & need)) return { ok: false, fault: true, reason: `the translation does not permit ${req.access}`, rule: 'dma:not-permitted' };
  const pfn = Number(w.phys / k.pageSize);
  return { ok: true, frame: frameName(k.frames, pfn), pfn, rule: 'dma:ok' };
}
