/**
 * struct io_pagetable (drivers/iommu/iommufd/io_pagetable.c): the IOVA space of an IOAS, its areas, the allowed and
 * reserved ranges, the automatic IOVA allocator, and the domains (HWPTs) that mirror every area.
 *
 * Rules kept here, as the kernel keeps them:
 * - Areas are disjoint, never split (no VFIO-compat cut here), and each is fully populated in every domain of the
 *   IOAS: a map fills all domains; a new domain is filled with all areas; an unmap unfills all domains.
 * - iova_alignment is derived (iopt_calculate_iova_alignment()): max(PAGE_SIZE if large pages are disabled else 1,
 *   the smallest page of every domain). Raising it checks every area (EADDRINUSE).
 * - A domain reserves everything outside its aperture (owner = the domain) while it is in the IOAS.
 * - On failure nothing changes (the caller keeps its kernel); iopt_unmap_iova_range() alone can fail after having
 *   removed areas, and says so.
 *
 * This file is over 400 lines because it is one kernel file's worth of coupled rules (the allocator, areas,
 * domains and reserved ranges all read each other); splitting it would split io_pagetable.c's invariants.
 */
import type { Area, IoasObject, IovaRange, Kernel, Reserved } from './types.ts';
import { profileOf } from './profiles.ts';
import { luHeldIoas } from './luHardening.ts';
import { U64_MAX, ULONG_MAX, SIZE_MAX } from './uapi.ts';
import { fail, failPartial, isFail, type Fail } from './outcome.ts';
import { ctxOf, objectOf, putObject } from './main.ts';
import { domainById, iommuMapTx, iommuUnmap, minPageSize } from './domain.ts';
import { frameTx } from './frames.ts';
import { areaIndexRange, pagesById, pagesPinRange, pagesPut, pagesUnpinUnneeded, pagesUpdatePinned, pinnedPfn } from './pages.ts';

const MASK = U64_MAX;

/** IOMMU_READ / IOMMU_WRITE / IOMMU_CACHE (include/linux/iommu.h). */
export const IOMMU_READ = 1 << 0;
/** IOMMU_WRITE. */
export const IOMMU_WRITE = 1 << 1;
/** IOMMU_CACHE (always set by conv_iommu_prot()). */
export const IOMMU_CACHE = 1 << 2;

/** The IOAS `id` (which must exist). */
export function ioasOf(k: Kernel, ictx: number, id: number): IoasObject {
  return objectOf(k, ictx, id, 'IOAS');
}

/** io_pagetable::iova_alignment (derived, see file header). */
export function ioptAlignment(k: Kernel, ioas: IoasObject): bigint {
  let a = ioas.disableLargePages ? k.pageSize : 1n;
  for (const d of ioas.domains) {
    const m = minPageSize(domainById(k, d).pgsizeBitmap);
    if (m > a) a = m;
  }
  return a;
}

function intersects(a: IovaRange, start: bigint, last: bigint): boolean {
  return a.start <= last && a.last >= start;
}

/** Merged union of ranges, sorted (what interval_tree_for_each_span reports as "used"). */
export function unionRanges(ranges: readonly IovaRange[]): IovaRange[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: IovaRange[] = [];
  for (const r of sorted) {
    const top = out[out.length - 1];
    if (top && r.start <= top.last + 1n) {
      if (r.last > top.last) out[out.length - 1] = { start: top.start, last: r.last };
    } else out.push({ start: r.start, last: r.last });
  }
  return out;
}

/** The holes of `used` inside [start, last], in order. */
export function holesIn(used: readonly IovaRange[], start: bigint, last: bigint): IovaRange[] {
  const out: IovaRange[] = [];
  let cur = start;
  for (const u of unionRanges(used)) {
    if (u.last < cur) continue;
    if (u.start > last) break;
    if (u.start > cur) out.push({ start: cur, last: u.start - 1n });
    if (u.last >= last) return out;
    cur = u.last + 1n;
  }
  if (cur <= last) out.push({ start: cur, last });
  return out;
}

function roundupPowOfTwo(v: bigint): bigint {
  let p = 1n;
  while (p < v) p <<= 1n;
  return p;
}

/**
 * One candidate range of iopt_alloc_iova(): the aligned start with the page offset put back, or null when the
 * range cannot hold `length`. The two kernels' checks differ (profiles.ts IovaHoleCheck).
 */
function checkRange(k: Kernel, start: bigint, last: bigint, length: bigint, align: bigint, pageOffset: bigint): bigint | null {
  if (profileOf(k.profile).iovaAllocator.holeCheck === 'checked-align') {
    // __alloc_iova_check_range()
    const up = start + align - 1n;
    if (up > ULONG_MAX) return null;
    const aligned = (up & ~(align - 1n) & MASK) | pageOffset;
    if (aligned >= last || last - aligned < length - 1n) return null;
    return aligned;
  }
  // __alloc_iova_check_hole()/__alloc_iova_check_used() before v6.16: ALIGN() may wrap.
  if (last - start < length - 1n) return null;
  const aligned = (((start + align - 1n) & MASK) & ~(align - 1n) & MASK) | pageOffset;
  if (aligned > last || last - aligned < length - 1n) return null;
  return aligned;
}

/**
 * iopt_alloc_iova(): first fit over the allowed ranges (or [PAGE_SIZE, ULONG_MAX - PAGE_SIZE] when there are none,
 * so IOVA 0 is never returned) and the holes between reserved ranges and areas, aligned to
 * min(roundup_pow_of_two(length), 1UL << __ffs64(addr)) (addr's lowest set bit; __ffs64 counts from 0) capped at
 * PAGE_SIZE (HPAGE_SIZE with THP, taken as 512 pages: x86-64's PMD size with 4 KiB pages), keeping addr's offset
 * inside its page.
 */
export function ioptAllocIova(k: Kernel, ioas: IoasObject, addr: bigint, length: bigint): bigint | Fail {
  const PAGE = k.pageSize;
  const pageOffset = addr % PAGE;
  if (length === 0n || length >= ULONG_MAX / 2n) return fail('iopt_alloc_iova:length');
  let align = roundupPowOfTwo(length);
  if (addr !== 0n) {
    let low = 1n;
    while ((addr & low) === 0n) low <<= 1n;
    if (low < align) align = low;
  }
  const maxAlign = profileOf(k.profile).iovaAllocator.thp ? PAGE * 512n : PAGE;
  if (align >= maxAlign) align = maxAlign;
  if (align < ioptAlignment(k, ioas)) return fail('iopt_alloc_iova:alignment');
  const winStart = PAGE;
  const winLast = ULONG_MAX - PAGE;
  const windows: IovaRange[] =
    ioas.allowed.length === 0
      ? [{ start: winStart, last: winLast }]
      : unionRanges(ioas.allowed)
          .filter((r) => intersects(r, winStart, winLast))
          .map((r) => ({ start: r.start < winStart ? winStart : r.start, last: r.last > winLast ? winLast : r.last }));
  const used: IovaRange[] = [...ioas.reserved, ...ioas.areas.map((a) => ({ start: a.iova, last: a.last }))];
  for (const w of windows) {
    const ws = checkRange(k, w.start, w.last, length, align, pageOffset);
    if (ws === null) continue;
    for (const h of holesIn(used, ws, w.last)) {
      const iova = checkRange(k, h.start, h.last, length, align, pageOffset);
      if (iova !== null) return iova;
    }
  }
  return fail('iopt_alloc_iova:no-space');
}

/** iopt_check_iova(): a fixed IOVA must be aligned, must not overflow, and must hit no reserved range and no area. */
export function ioptCheckIova(k: Kernel, ioas: IoasObject, iova: bigint, length: bigint): Fail | null {
  if (iova & (ioptAlignment(k, ioas) - 1n)) return fail('iopt_check_iova:misaligned');
  const last = iova + length - 1n;
  if (last > ULONG_MAX) return fail('iopt_check_iova:overflow');
  if (ioas.reserved.some((r) => intersects(r, iova, last))) return fail('iopt_check_iova:reserved');
  if (ioas.areas.some((a) => a.iova <= last && a.last >= iova)) return fail('iopt_check_iova:area-overlap');
  return null;
}

/** A slice of an iopt_pages to map (struct iopt_pages_list): `length` bytes from `startByte`. */
export interface PagesElm {
  pages: number;
  startByte: bigint;
  length: bigint;
}

function insertArea(ioas: IoasObject, a: Area): IoasObject {
  const areas = [...ioas.areas, a].sort((x, y) => (x.iova < y.iova ? -1 : x.iova > y.iova ? 1 : 0));
  return { ...ioas, areas };
}

/** Maps one area into one domain (iopt_area_fill_domain / batch_to_domain): contiguous PFN runs, one iommu_map each. */
function areaMapDomain(k: Kernel, ictx: number, area: Area, domainId: number, disableLargePages: boolean): Kernel {
  const PAGE = k.pageSize;
  const p = pagesById(ctxOf(k, ictx), area.pages);
  const [first, last] = areaIndexRange(k, area);
  const layout = profileOf(k.profile).pageTableLayout;
  const pfns = new Map(p.pinned.map((x) => [x.index, x.pfn]));
  const pfnOf = (index: number): number => {
    const pfn = pfns.get(index);
    return pfn !== undefined ? pfn : pinnedPfn(p, index);
  };
  const d = domainById(k, domainId);
  const tx = frameTx(k);
  let iova = area.iova;
  let index = first;
  while (index <= last) {
    const pfn0 = pfnOf(index);
    let n = 1;
    while (index + n <= last && pfnOf(index + n) === pfn0 + n) n++;
    const pageOffset = index === first ? area.startByte % PAGE : 0n;
    let next = iova + BigInt(n) * PAGE - pageOffset;
    if (next > area.last + 1n) next = area.last + 1n;
    const paddr = BigInt(pfn0) * PAGE + pageOffset;
    if (disableLargePages) {
      // batch_iommu_map_small(): PAGE_SIZE at a time, so that VFIO-compat cuts can unmap any page.
      for (let off = 0n; off < next - iova; off += PAGE) iommuMapTx(tx, d, iova + off, paddr + off, PAGE, area.prot, layout);
    } else iommuMapTx(tx, d, iova, paddr, next - iova, area.prot, layout);
    iova = next;
    index += n;
  }
  return tx.commit(k);
}

/**
 * iopt_area_fill_domains() for a new area, or the per-area step of iopt_fill_domain() for a new first domain:
 * pins what is not pinned yet, charges it, then maps the area into `domains`. No domain: nothing (lazy reference).
 */
function areaFill(k: Kernel, ictx: number, area: Area, domains: readonly number[], disableLargePages: boolean): Kernel | Fail {
  if (domains.length === 0) return k;
  const [first, last] = areaIndexRange(k, area);
  const pinned = pagesPinRange(k, ictx, area.pages, first, last);
  if (isFail(pinned)) return pinned;
  const [k1, added] = pinned;
  const charged = pagesUpdatePinned(k1, ictx, area.pages, added, true);
  if (isFail(charged)) return charged;
  let k2 = charged;
  for (const d of domains) k2 = areaMapDomain(k2, ictx, area, d, disableLargePages);
  return k2;
}

/**
 * iopt_map_pages(): iopt_alloc_area_pages() (length alignment, IOVA allocation or check, one area per element),
 * then iopt_fill_domains_pages(). The elements' kref moves into the areas. Returns the new kernel and the IOVA.
 */
export function ioptMapPages(
  k: Kernel, ictx: number, ioasId: number, elms: readonly PagesElm[], length: bigint, iovaIn: bigint, prot: number, allocIova: boolean,
): [Kernel, bigint] | Fail {
  let ioas = ioasOf(k, ictx, ioasId);
  // SK-v1 11/14: iopt_alloc_area_pages() refuses any new area of an IOAS a live-update preserve made immutable.
  if (ioas.luImmutable) return fail('iopt_alloc_area_pages:lu-immutable');
  if (luHeldIoas(k, ictx, ioasId)) return fail('iopt_alloc_area_pages:lu-held');
  const align = ioptAlignment(k, ioas);
  if ((length & (align - 1n)) || length === 0n) return fail('iopt_alloc_area_pages:length');
  let iova = iovaIn;
  if (allocIova) {
    const first = elms[0];
    if (!first) throw new Error('model bug: empty pages list');
    const p = pagesById(ctxOf(k, ictx), first.pages);
    const addr = ((p.type === 'user' ? p.uptr : p.start) + first.startByte) & MASK;
    const r = ioptAllocIova(k, ioas, addr, length);
    if (isFail(r)) return r;
    iova = r;
    // CONFIG_IOMMUFD_TEST: WARN_ON(iopt_check_iova(...)) then -EINVAL.
    if (ioptCheckIova(k, ioas, iova, length)) return fail('iopt_alloc_area_pages:test-check-iova');
  } else {
    const r = ioptCheckIova(k, ioas, iova, length);
    if (r) return r;
  }
  const newAreas: Area[] = [];
  let at = iova;
  for (const e of elms) {
    const p = pagesById(ctxOf(k, ictx), e.pages);
    if ((prot & IOMMU_WRITE) && !p.writable) return fail('iopt_insert_area:not-writable');
    if ((e.startByte % k.pageSize) & (align - 1n)) return fail('iopt_insert_area:page-offset');
    const a: Area = { iova: at, last: at + e.length - 1n, pages: e.pages, startByte: e.startByte, prot };
    newAreas.push(a);
    ioas = insertArea(ioas, a);
    at += e.length;
  }
  let k1 = putObject(k, ictx, ioas);
  for (const a of newAreas) {
    const r = areaFill(k1, ictx, a, ioas.domains, ioas.disableLargePages);
    if (isFail(r)) return r;
    k1 = r;
  }
  return [k1, iova];
}

/**
 * iopt_get_pages(): the source of IOMMU_IOAS_COPY. [iova, iova + length) must be covered by contiguous areas with
 * pages (a range may start and end inside areas); each covered piece becomes one element sharing the area's
 * iopt_pages (kref taken by the caller).
 */
export function ioptGetPages(ioas: IoasObject, iova: bigint, length: bigint): PagesElm[] | Fail {
  if (length === 0n) return fail('iopt_get_pages:length');
  const last = iova + length - 1n;
  if (last > ULONG_MAX) return fail('iopt_get_pages:overflow');
  const out: PagesElm[] = [];
  let cur = iova;
  for (;;) {
    const a = ioas.areas.find((x) => x.iova <= cur && x.last >= cur);
    if (!a || (out.length > 0 && a.iova !== cur)) return fail('iopt_get_pages:not-contiguous');
    const end = a.last < last ? a.last : last;
    out.push({ pages: a.pages, startByte: a.startByte + (cur - a.iova), length: end - cur + 1n });
    if (end === last) return out;
    cur = end + 1n;
  }
}

/** Removes one area: unmaps it from every domain, unpins what nothing needs any more, drops its pages kref. */
function areaRemove(k: Kernel, ictx: number, ioasId: number, area: Area): Kernel {
  const ioas = ioasOf(k, ictx, ioasId);
  let k1 = k;
  for (const d of ioas.domains) k1 = iommuUnmap(k1, d, area.iova, area.last);
  k1 = putObject(k1, ictx, { ...ioas, areas: ioas.areas.filter((a) => a.iova !== area.iova) });
  k1 = pagesUnpinUnneeded(k1, ictx, area.pages);
  return pagesPut(k1, ictx, area.pages);
}

/**
 * iopt_unmap_iova_range(): removes, in IOVA order, every area intersecting [start, last]; an area sticking out of
 * the range ends the call with ENOENT, and the areas removed before it stay removed (no rollback).
 */
export function ioptUnmapIovaRange(k: Kernel, ictx: number, ioasId: number, start: bigint, last: bigint): { k: Kernel; unmapped: bigint } | Fail {
  // SK-v1 11/14: "if (iopt_lu_map_immutable(iopt)) rc = -EBUSY" before any area is looked at.
  if (ioasOf(k, ictx, ioasId).luImmutable) return fail('iopt_unmap_iova_range:lu-immutable');
  if (luHeldIoas(k, ictx, ioasId)) return fail('iopt_unmap_iova_range:lu-held');
  let k1 = k;
  let unmapped = 0n;
  for (;;) {
    const a = ioasOf(k1, ictx, ioasId).areas.find((x) => x.iova <= last && x.last >= start);
    if (!a) return { k: k1, unmapped };
    if (a.iova < start || a.last > last) {
      return unmapped === 0n ? fail('iopt_unmap_iova_range:partial-area') : failPartial('iopt_unmap_iova_range:partial-area', k1);
    }
    k1 = areaRemove(k1, ictx, ioasId, a);
    unmapped += a.last - a.iova + 1n;
  }
}

/** iopt_unmap_all(). */
export function ioptUnmapAll(k: Kernel, ictx: number, ioasId: number): { k: Kernel; unmapped: bigint } {
  const r = ioptUnmapIovaRange(k, ictx, ioasId, 0n, ULONG_MAX);
  if (isFail(r)) throw new Error('model bug: unmap all failed');
  return r;
}

/** iopt_set_allow_iova(): swaps in the new allowed list unless one of its ranges hits a reserved range. */
export function ioptSetAllowIova(ioas: IoasObject, allowed: IovaRange[]): IoasObject | Fail {
  const sorted = [...allowed].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (const r of sorted) if (ioas.reserved.some((x) => intersects(x, r.start, r.last))) return fail('iopt_set_allow_iova:reserved-intersects');
  return { ...ioas, allowed: sorted };
}

function sortReserved(r: Reserved[]): Reserved[] {
  return r.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.last < b.last ? -1 : a.last > b.last ? 1 : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
}

/** iopt_reserve_iova(): EADDRINUSE when an area or an allowed range intersects [start, last]. */
export function ioptReserveIova(ioas: IoasObject, start: bigint, last: bigint, owner: string): IoasObject | Fail {
  if (ioas.areas.some((a) => a.iova <= last && a.last >= start)) return fail('iopt_reserve_iova:in-use');
  if (ioas.allowed.some((a) => intersects(a, start, last))) return fail('iopt_reserve_iova:in-use');
  return { ...ioas, reserved: sortReserved([...ioas.reserved, { start, last, owner }]) };
}

/** __iopt_remove_reserved_iova(): drops every reserved range of `owner`. */
export function ioptRemoveReserved(ioas: IoasObject, owner: string): IoasObject {
  return { ...ioas, reserved: ioas.reserved.filter((r) => r.owner !== owner) };
}

/** iopt_check_iova_alignment(): every area's iova, length and page offset conform to `align`. */
function checkAreasAligned(k: Kernel, ioas: IoasObject, align: bigint): boolean {
  const m = align - 1n;
  return ioas.areas.every((a) => !(a.iova & m) && !((a.last - a.iova + 1n) & m) && !((a.startByte % k.pageSize) & m));
}

/**
 * iopt_table_add_domain(): the domain's smallest page may not exceed PAGE_SIZE (EINVAL) and raises the alignment
 * (EADDRINUSE on a misaligned area); the outside of its aperture is reserved (EADDRINUSE on an area or allowed
 * range there); then every area is filled into it (pinning and charging when it is the IOAS's first domain).
 */
export function ioptTableAddDomain(k: Kernel, ictx: number, ioasId: number, domainId: number): Kernel | Fail {
  let ioas = ioasOf(k, ictx, ioasId);
  const d = domainById(k, domainId);
  const cur = ioptAlignment(k, ioas);
  const min = minPageSize(d.pgsizeBitmap);
  const align = min > cur ? min : cur;
  if (align > k.pageSize) return fail('iopt_table_add_domain:alignment');
  if (align !== cur && !checkAreasAligned(k, ioas, align)) return fail('iopt_check_iova_alignment:misaligned-area');
  const owner = `domain:${domainId}`;
  if (d.aperture.start !== 0n) {
    const r = ioptReserveIova(ioas, 0n, d.aperture.start - 1n, owner);
    if (isFail(r)) return r;
    ioas = r;
  }
  if (d.aperture.last !== ULONG_MAX) {
    const r = ioptReserveIova(ioas, d.aperture.last + 1n, ULONG_MAX, owner);
    if (isFail(r)) return r;
    ioas = r;
  }
  const filled = { ...ioas, domains: [...ioas.domains, domainId] };
  let k1 = putObject(k, ictx, filled);
  for (const a of ioas.areas) {
    if (ioas.domains.length > 0) {
      k1 = areaMapDomain(k1, ictx, a, domainId, ioas.disableLargePages);
      continue;
    }
    const r = areaFill(k1, ictx, a, [domainId], ioas.disableLargePages);
    if (isFail(r)) return r;
    k1 = r;
  }
  return k1;
}

/**
 * iopt_table_remove_domain(): the domain leaves io_pagetable::domains (the last entry moves into its slot), every
 * area is unmapped from it (and unpinned when it was the last domain), and its aperture reservation goes.
 */
export function ioptTableRemoveDomain(k: Kernel, ictx: number, ioasId: number, domainId: number): Kernel {
  const ioas = ioasOf(k, ictx, ioasId);
  const at = ioas.domains.indexOf(domainId);
  if (at < 0) throw new Error(`model bug: domain ${domainId} not in IOAS ${ioasId}`);
  const domains = ioas.domains.slice();
  const tail = domains.pop() as number;
  if (at !== domains.length) domains[at] = tail;
  let k1 = putObject(k, ictx, ioptRemoveReserved({ ...ioas, domains }, `domain:${domainId}`));
  for (const a of ioas.areas) k1 = iommuUnmap(k1, domainId, a.iova, a.last);
  if (domains.length === 0) {
    const seen = new Set<number>();
    for (const a of ioas.areas) {
      if (seen.has(a.pages)) continue;
      seen.add(a.pages);
      k1 = pagesUnpinUnneeded(k1, ictx, a.pages);
    }
  }
  return k1;
}

/** iopt_disable_large_pages(): IOMMU_OPTION HUGE_PAGES=0. */
export function ioptDisableLargePages(k: Kernel, ioas: IoasObject): IoasObject | Fail {
  if (ioas.disableLargePages) return ioas;
  if (ioas.domains.length > 0 && ioas.areas.length > 0) return fail('iopt_disable_large_pages:domains-and-areas');
  const next = { ...ioas, disableLargePages: true };
  const before = ioptAlignment(k, ioas);
  const after = ioptAlignment(k, next);
  if (after > before && !checkAreasAligned(k, ioas, after)) return fail('iopt_check_iova_alignment:misaligned-area');
  return next;
}

/** The holes of the reserved ranges over [0, ULONG_MAX] (what IOMMU_IOAS_IOVA_RANGES reports). */
export function ioptIovaRanges(ioas: IoasObject): IovaRange[] {
  return holesIn(ioas.reserved, 0n, ULONG_MAX);
}

/** iopt_alloc_pages()'s length check: 0 or above SIZE_MAX - PAGE_SIZE is EINVAL. */
export function pagesLengthOk(k: Kernel, length: bigint): boolean {
  return length !== 0n && length <= SIZE_MAX - k.pageSize;
}
