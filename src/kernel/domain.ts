/**
 * iommu_domains as real I/O page tables: radix trees whose table pages are physical frames holding their entries,
 * so that hardware (and, in the live-update issue, a new kernel) walks them through memory.
 *
 * Shape: one level per supported page size of the domain's pgsize_bitmap (leaf level first), then 9-bit levels above
 * the largest until the aperture is covered; the top table is allocated with the domain (io-pgtable allocates its pgd
 * at domain allocation). A leaf of size 2^s sits in a table of the level with shift s. Tables below the top are
 * allocated on first use and freed when their last entry goes (MODELLING ASSUMPTION: drivers differ in when they free
 * intermediate tables; freeing on empty keeps a table's content a function of the mappings).
 *
 * Layout (which leaves one iommu_map() call produces) is the profile's policy, see profiles.ts PageTableLayout.
 * Unmap is always of whole leaves: iommufd unmaps whole areas and never splits one (io_pagetable.c).
 */
import type { Domain, Kernel, Pfn, PtEntry } from './types.ts';
import type { PageTableLayout } from './profiles.ts';
import { allocFrame, frameAt, frameTx, type FrameTx } from './frames.ts';

/** One leaf translation: [iova, iova + size) -> [phys, phys + size) with prot. */
export interface Translation {
  iova: bigint;
  size: bigint;
  phys: bigint;
  prot: number;
}

/** Number of bits needed to write `v` (0 for 0). */
export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** Index of the lowest set bit (__ffs); `v` must be non-zero. */
export function ffs(v: bigint): number {
  return bitLength(v & -v) - 1;
}

/** The level shifts of a domain with this pgsize_bitmap and aperture end (see file header). */
export function levelsFor(pgsizeBitmap: bigint, apertureLast: bigint): number[] {
  const levels: number[] = [];
  for (let s = 0; s < 64; s++) if ((pgsizeBitmap >> BigInt(s)) & 1n) levels.push(s);
  if (levels.length === 0) throw new Error('model bug: empty pgsize_bitmap');
  const vaBits = Math.max(bitLength(apertureLast), (levels[levels.length - 1] ?? 0) + 1);
  while ((levels[levels.length - 1] ?? 0) + 9 < vaBits) levels.push((levels[levels.length - 1] ?? 0) + 9);
  return levels;
}

/** The domain with this id; throws when there is none (a model bug). */
export function domainById(k: Kernel, id: number): Domain {
  const d = k.domains.find((x) => x.id === id);
  if (!d) throw new Error(`model bug: no domain ${id}`);
  return d;
}

function lowestFreeDomainId(k: Kernel): number {
  let id = 1;
  for (const d of k.domains) {
    if (d.id !== id) break;
    id++;
  }
  return id;
}

function insertDomain(k: Kernel, d: Domain): Kernel {
  const domains = [...k.domains, d].sort((a, b) => a.id - b.id);
  return { ...k, domains };
}

/** Parameters of a paging domain, from the device it is allocated for (iommu_paging_domain_alloc()). */
export interface PagingDomainSpec {
  iommu: string;
  driver: 'mock' | 'pci';
  pgsizeBitmap: bigint;
  aperture: { start: bigint; last: bigint };
  dirtyTracking: boolean;
}

/** Allocates an empty paging domain with its top table; returns the new kernel and the domain id. */
export function domainAllocPaging(k: Kernel, spec: PagingDomainSpec): [Kernel, number] {
  const id = lowestFreeDomainId(k);
  const levels = levelsFor(spec.pgsizeBitmap, spec.aperture.last);
  const [k1, top] = allocFrame(k, `pt:d${id}:l${levels.length - 1}`, { kind: 'pagetable', domain: id }, []);
  const d: Domain = {
    id, type: 'paging', iommu: spec.iommu, driver: spec.driver, pgsizeBitmap: spec.pgsizeBitmap, aperture: spec.aperture,
    levels, top, restored: false, dirtyTracking: spec.dirtyTracking, parent: null,
  };
  return [insertDomain(k1, d), id];
}

/** Allocates a nested (stage-1) domain on `parent`; it has no tables of its own in this model. */
export function domainAllocNested(k: Kernel, parent: number): [Kernel, number] {
  const p = domainById(k, parent);
  const id = lowestFreeDomainId(k);
  const d: Domain = {
    id, type: 'nested', iommu: p.iommu, driver: p.driver, pgsizeBitmap: p.pgsizeBitmap, aperture: p.aperture,
    levels: [], top: null, restored: false, dirtyTracking: false, parent,
  };
  return [insertDomain(k, d), id];
}

/** iommu_domain_free(): frees every table frame and the domain. */
export function domainFree(k: Kernel, id: number): Kernel {
  const d = domainById(k, id);
  let k1 = k;
  if (d.top !== null) {
    const tx = frameTx(k);
    const free = (pfn: Pfn): void => {
      for (const e of tx.get(pfn).table ?? []) if (e.kind === 'table') free(e.pfn);
      tx.free(pfn);
    };
    free(d.top);
    k1 = tx.commit(k);
  }
  return { ...k1, domains: k1.domains.filter((x) => x.id !== id) };
}

/** Every table frame of a paging domain (the top first, then depth first): what iommu_domain_preserve() preserves. */
export function domainTableFrames(k: Kernel, id: number): Pfn[] {
  const d = domainById(k, id);
  const out: Pfn[] = [];
  if (d.top === null) return out;
  const walk = (pfn: Pfn): void => {
    out.push(pfn);
    for (const e of frameAt(k, pfn).table ?? []) if (e.kind === 'table') walk(e.pfn);
  };
  walk(d.top);
  return out;
}

/** Inserts a domain with a given id (a restored one), keeping `domains` sorted. */
export function domainInsert(k: Kernel, d: Domain): Kernel {
  return insertDomain(k, d);
}

/** The lowest free domain id. */
export function nextDomainId(k: Kernel): number {
  return lowestFreeDomainId(k);
}

/** log2 of the smallest page size of the domain (1 << __ffs(pgsize_bitmap)). */
export function minPageSize(pgsizeBitmap: bigint): bigint {
  return 1n << BigInt(ffs(pgsizeBitmap));
}

/**
 * The leaf sizes one iommu_map(iova, paddr, size) produces under `layout`. `largest-fit` is
 * drivers/iommu/iommu.c iommu_pgsize() applied until `size` is used up (its page count batching yields the same
 * leaves as choosing the largest fitting size at every step).
 */
export function leafSizes(pgsizeBitmap: bigint, iova: bigint, paddr: bigint, size: bigint, layout: PageTableLayout): bigint[] {
  const min = minPageSize(pgsizeBitmap);
  if (((iova | paddr | size) & (min - 1n)) !== 0n) throw new Error('model bug: iommu_map() of a range not aligned to the minimum page size');
  const out: bigint[] = [];
  let addr = iova;
  let pa = paddr;
  let left = size;
  while (left > 0n) {
    let pg = min;
    if (layout === 'largest-fit') {
      let sizes = pgsizeBitmap & ((1n << BigInt(bitLength(left))) - 1n);
      const merge = addr | pa;
      if (merge !== 0n) sizes &= (1n << BigInt(ffs(merge) + 1)) - 1n;
      pg = 1n << BigInt(bitLength(sizes) - 1);
    }
    out.push(pg);
    addr += pg;
    pa += pg;
    left -= pg;
  }
  return out;
}

/** Where entry `index` is, or would be inserted, in a table's entries (sorted by index). */
export function findEntry(entries: readonly PtEntry[], index: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid]?.index ?? 0) < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tableIndex(d: Domain, level: number, iova: bigint): number {
  const shift = d.levels[level] ?? 0;
  const top = d.levels.length - 1;
  const idx = iova >> BigInt(shift);
  if (level === top) return Number(idx);
  const width = (d.levels[level + 1] ?? 0) - shift;
  return Number(idx & ((1n << BigInt(width)) - 1n));
}

/** Inserts `e` into the sorted `entries` in place (a map walks in iova order, so this is mostly a push). */
function insertEntry(entries: PtEntry[], at: number, e: PtEntry): void {
  if (at === entries.length) entries.push(e);
  else entries.splice(at, 0, e);
}

function mapLeaf(tx: FrameTx, d: Domain, iova: bigint, phys: bigint, size: bigint, prot: number): void {
  const leafLevel = d.levels.findIndex((s) => 1n << BigInt(s) === size);
  if (leafLevel < 0 || d.top === null) throw new Error(`model bug: leaf size ${size} not a level of domain ${d.id}`);
  let table = d.top;
  for (let level = d.levels.length - 1; level > leafLevel; level--) {
    const idx = tableIndex(d, level, iova);
    const entries = tx.get(table).table ?? [];
    const at = findEntry(entries, idx);
    const e = entries[at];
    if (e && e.index === idx) {
      if (e.kind !== 'table') throw new Error(`model bug: domain ${d.id} maps iova ${iova} over an existing leaf`);
      table = e.pfn;
      continue;
    }
    const child = tx.alloc(`pt:d${d.id}:l${level - 1}`, { kind: 'pagetable', domain: d.id }, []);
    insertEntry(tx.entries(table), at, { index: idx, kind: 'table', pfn: child });
    table = child;
  }
  const idx = tableIndex(d, leafLevel, iova);
  const entries = tx.entries(table);
  const at = findEntry(entries, idx);
  if (entries[at]?.index === idx) throw new Error(`model bug: domain ${d.id} maps iova ${iova} twice`);
  insertEntry(entries, at, { index: idx, kind: 'leaf', phys, prot });
}

/**
 * iommu_map() inside a batch of frame writes: maps [iova, iova + size) to [paddr, ...) with `prot`, in leaves chosen
 * by `layout`. A caller mapping many ranges (one area, page run by page run) shares one batch.
 */
export function iommuMapTx(tx: FrameTx, d: Domain, iova: bigint, paddr: bigint, size: bigint, prot: number, layout: PageTableLayout): void {
  let addr = iova;
  let pa = paddr;
  for (const pg of leafSizes(d.pgsizeBitmap, iova, paddr, size, layout)) {
    mapLeaf(tx, d, addr, pa, pg, prot);
    addr += pg;
    pa += pg;
  }
}

/** iommu_map(): maps [iova, iova + size) to [paddr, ...) with `prot`, in leaves chosen by `layout`. */
export function iommuMap(k: Kernel, domainId: number, iova: bigint, paddr: bigint, size: bigint, prot: number, layout: PageTableLayout): Kernel {
  const tx = frameTx(k);
  iommuMapTx(tx, domainById(k, domainId), iova, paddr, size, prot, layout);
  return tx.commit(k);
}

/**
 * iommu_unmap(): removes every leaf inside [iova, last]; a leaf straddling the range is a model bug (iommufd only
 * unmaps what it mapped). Emptied tables below the top are freed.
 */
export function iommuUnmap(k: Kernel, domainId: number, iova: bigint, last: bigint): Kernel {
  const d = domainById(k, domainId);
  if (d.top === null) return k;
  const tx = frameTx(k);
  let changedAny = false;
  // Rewrites a table only when it lost an entry.
  const walk = (table: Pfn, level: number, base: bigint): void => {
    const shift = BigInt(d.levels[level] ?? 0);
    const entries = tx.get(table).table ?? [];
    const kept: PtEntry[] = [];
    let changed = false;
    for (const e of entries) {
      const start = base + (BigInt(e.index) << shift);
      const end = start + (1n << shift) - 1n;
      if (end < iova || start > last) {
        kept.push(e);
        continue;
      }
      if (e.kind === 'leaf') {
        if (start < iova || end > last) throw new Error(`model bug: unmap [${iova}, ${last}] splits a leaf at ${start}`);
        changed = true;
        continue;
      }
      walk(e.pfn, level - 1, start);
      if ((tx.get(e.pfn).table ?? []).length === 0) {
        tx.free(e.pfn);
        changed = true;
      } else kept.push(e);
    }
    if (changed) tx.set(table, { ...tx.get(table), table: kept });
    changedAny ||= changed;
  };
  walk(d.top, d.levels.length - 1, 0n);
  return changedAny ? tx.commit(k) : k;
}

/** Every leaf translation of the domain, sorted by iova (what the hardware would translate). */
export function domainTranslations(k: Kernel, domainId: number): Translation[] {
  const d = domainById(k, domainId);
  const out: Translation[] = [];
  if (d.top === null) return out;
  const walk = (table: Pfn, level: number, base: bigint): void => {
    const shift = BigInt(d.levels[level] ?? 0);
    for (const e of frameAt(k, table).table ?? []) {
      const start = base + (BigInt(e.index) << shift);
      if (e.kind === 'leaf') out.push({ iova: start, size: 1n << shift, phys: e.phys, prot: e.prot });
      else walk(e.pfn, level - 1, start);
    }
  };
  walk(d.top, d.levels.length - 1, 0n);
  return out;
}

/** Walks the domain's tables for `iova`: the physical address and prot it translates to, or null (a fault). */
export function translate(k: Kernel, domainId: number, iova: bigint): { phys: bigint; prot: number; size: bigint } | null {
  const d = domainById(k, domainId);
  if (d.top === null) return null;
  let table = d.top;
  for (let level = d.levels.length - 1; level >= 0; level--) {
    const entries = frameAt(k, table).table ?? [];
    const idx = tableIndex(d, level, iova);
    const e = entries[findEntry(entries, idx)];
    if (!e || e.index !== idx) return null;
    if (e.kind === 'leaf') {
      const size = 1n << BigInt(d.levels[level] ?? 0);
      return { phys: e.phys + (iova & (size - 1n)), prot: e.prot, size };
    }
    table = e.pfn;
  }
  return null;
}
