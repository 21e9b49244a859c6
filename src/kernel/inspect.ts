/**
 * Read-only views of the kernel state for code outside the handlers: the invariants, the trace layer, and (next
 * issue) the DMA walk and the live-update checks. Nothing here changes state; everything is derived on demand.
 */
import type { Area, IoasObject, IommufdCtx, IovaRange, Kernel, Pfn } from './types.ts';
import { areaIndexRange, pagesById } from './pages.ts';
import { ioptAlignment, ioptIovaRanges } from './ioPagetable.ts';

export { domainTranslations, translate, leafSizes, domainTableFrames } from './domain.ts';
export type { Translation } from './domain.ts';
export { hwTranslate, hwLeaves, frameName } from './dma.ts';
export type { HwWalk, HwLeaves } from './dma.ts';
export { mergeRuns, runsEqual } from './runs.ts';
export { IOMMU_READ, IOMMU_WRITE, IOMMU_CACHE } from './ioPagetable.ts';
export { MOCK_APERTURE_START, MOCK_APERTURE_LAST } from './selftest.ts';

/** Every open iommufd context, by file id. */
export function iommufdContexts(k: Kernel): { file: number; ctx: IommufdCtx }[] {
  const out: { file: number; ctx: IommufdCtx }[] = [];
  for (const f of k.files) if (f.kind === 'iommufd') out.push({ file: f.id, ctx: f.ctx });
  return out;
}

/** io_pagetable::iova_alignment of an IOAS. */
export function ioasIovaAlignment(k: Kernel, ioas: IoasObject): bigint {
  return ioptAlignment(k, ioas);
}

/** The [first, last] page indexes an area covers in its iopt_pages. */
export function areaPageRange(k: Kernel, area: Area): [number, number] {
  return areaIndexRange(k, area);
}

/** The holes of an IOAS's reserved ranges over [0, ULONG_MAX] (IOMMU_IOAS_IOVA_RANGES). */
export function iovaRanges(ioas: IoasObject): IovaRange[] {
  return ioptIovaRanges(ioas);
}

/**
 * What the IOAS's areas say its domains must translate: one piece per (area, page), with the PFN the kernel pinned
 * for it, or `phys: null` where the page is not pinned. Sorted by iova.
 */
export function mappedTranslations(k: Kernel, ctx: IommufdCtx, ioas: IoasObject): { iova: bigint; size: bigint; phys: bigint | null; prot: number }[] {
  const PAGE = k.pageSize;
  const out: { iova: bigint; size: bigint; phys: bigint | null; prot: number }[] = [];
  for (const a of ioas.areas) {
    const p = pagesById(ctx, a.pages);
    const [first, last] = areaIndexRange(k, a);
    const pfns = new Map(p.pinned.map((x) => [x.index, x.pfn]));
    let iova = a.iova;
    for (let index = first; index <= last; index++) {
      const offset = index === first ? a.startByte % PAGE : 0n;
      let end = iova + PAGE - offset;
      if (end > a.last + 1n) end = a.last + 1n;
      const pfn = pfns.get(index);
      out.push({ iova, size: end - iova, phys: pfn !== undefined ? BigInt(pfn) * PAGE + offset : null, prot: a.prot });
      iova = end;
    }
  }
  return out;
}

/** Merges pieces that continue each other in iova, phys and prot, so that two layouts of one mapping compare equal. */
export function mergeTranslations<T extends { iova: bigint; size: bigint; phys: bigint | null; prot: number }>(pieces: readonly T[]): { iova: bigint; size: bigint; phys: bigint | null; prot: number }[] {
  const out: { iova: bigint; size: bigint; phys: bigint | null; prot: number }[] = [];
  for (const p of pieces) {
    const top = out[out.length - 1];
    if (top && top.iova + top.size === p.iova && top.prot === p.prot && top.phys !== null && p.phys !== null && top.phys + top.size === p.phys) {
      top.size += p.size;
    } else out.push({ iova: p.iova, size: p.size, phys: p.phys, prot: p.prot });
  }
  return out;
}


/** A domain an outgoing iommufd preserve made KHO-preserve: its domain, its HWPT token, and the session holding it. */
export interface PreservedDomain {
  session: string;
  hwptToken: bigint;
  domain: number;
  /** The table frames iommu_domain_preserve() preserved. */
  tables: Pfn[];
}

/** Every domain preserved by an iommufd in an outgoing LUO session. */
export function preservedDomains(k: Kernel): PreservedDomain[] {
  const out: PreservedDomain[] = [];
  for (const s of k.lu.outgoing) {
    for (const f of s.files) {
      if (f.data.handler !== 'iommufd') continue;
      for (const h of f.data.hwpts) if (h.domain !== null) out.push({ session: s.name, hwptToken: h.token, domain: h.domain, tables: h.tables });
    }
  }
  return out;
}

