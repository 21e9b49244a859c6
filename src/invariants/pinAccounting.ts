/**
 * `pin-accounting`: pinned and charged page counts equal what domains reference, once per page.
 *
 * domain.md §F I2: "a page is unpinned only after it is absent from every domain; npinned(pages) = |pages referenced
 * by domains ∪ accesses|" [PAGES __iopt_area_unfill_domain]; I3: "Σ charged(locked_vm per mode) == Σ npinned over
 * pages with mode≠NONE; pinned_vm(source_mm) includes all npinned; COPY/shared pages counted once"
 * [PAGES do_update_pinned]; §B.5. The required set is recomputed here from the areas, independently of the model's
 * pages.c, and the frames' pin counts are cross-checked against every iopt_pages' pins.
 */
import { areaPageRange, iommufdContexts, type Kernel } from '../kernel/index.ts';
import type { StateInvariant, Violation } from './types.ts';

/** Sorted, merged copies of `ranges` ([first, last] inclusive). */
function merge(ranges: [number, number][]): [number, number][] {
  ranges.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const top = out[out.length - 1];
    if (top && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function check(k: Kernel): Violation | undefined {
  let user = 0;
  let mm = 0;
  let all = 0;
  const pinsByPfn = new Map<number, number>();
  for (const { file, ctx } of iommufdContexts(k)) {
    // Per iopt_pages: the index ranges that areas in an IOAS with a domain cover, and how many areas exist.
    const required = new Map<number, [number, number][]>();
    const krefs = new Map<number, number>();
    for (const o of ctx.objects) {
      if (o.type !== 'IOAS') continue;
      for (const a of o.areas) {
        krefs.set(a.pages, (krefs.get(a.pages) ?? 0) + 1);
        if (o.domains.length === 0) continue;
        let list = required.get(a.pages);
        if (!list) required.set(a.pages, (list = []));
        list.push(areaPageRange(k, a));
      }
    }
    for (const p of ctx.pages) {
      const where = `iommufd ${file} iopt_pages ${p.id}`;
      if (p.refs !== (krefs.get(p.id) ?? 0)) return v(`${where}: kref ${p.refs} but ${krefs.get(p.id) ?? 0} areas map it`);
      if (p.npinned !== p.pinned.length) return v(`${where}: npinned ${p.npinned} but ${p.pinned.length} pages hold a pin`);
      const need = merge(required.get(p.id) ?? []);
      let needed = 0;
      for (const [first, last] of need) needed += last - first + 1;
      if (needed !== p.pinned.length) return v(`${where}: ${p.pinned.length} pages pinned but domains reference ${needed}`);
      // `pinned` is sorted by index with no repeat, so walking it beside `need` proves it equals the required set.
      let r = 0;
      let prev = -1;
      for (const x of p.pinned) {
        if (x.index <= prev) return v(`${where}: page ${x.index} is pinned twice or out of order`);
        prev = x.index;
        while (r < need.length && (need[r]?.[1] ?? 0) < x.index) r++;
        const range = need[r];
        if (!range || x.index < range[0]) return v(`${where}: page ${x.index} is pinned but no domain references it`);
        const f = k.frames[x.pfn];
        if (!f) return v(`${where}: page ${x.index} is pinned to frame ${x.pfn}, which is free`);
        pinsByPfn.set(x.pfn, (pinsByPfn.get(x.pfn) ?? 0) + 1);
      }
      all += p.npinned;
      if (p.accountMode === 'user') user += p.npinned;
      if (p.accountMode === 'mm') mm += p.npinned;
    }
  }
  const proc = k.process;
  if (proc.userLockedVm !== user) return v(`user->locked_vm is ${proc.userLockedVm} but USER-accounted iopt_pages pin ${user} pages`);
  if (proc.mmLockedVm !== mm) return v(`mm->locked_vm is ${proc.mmLockedVm} but MM-accounted iopt_pages pin ${mm} pages`);
  if (proc.mmPinnedVm !== all) return v(`mm->pinned_vm is ${proc.mmPinnedVm} but iopt_pages pin ${all} pages`);
  for (let pfn = 0; pfn < k.frames.length; pfn++) {
    const f = k.frames[pfn];
    if (!f) continue;
    const want = pinsByPfn.get(pfn) ?? 0;
    if (f.pins !== want) return v(`frame ${pfn} (${f.label}) holds ${f.pins} pins but iopt_pages hold ${want} on it`);
    if (f.owner.kind === 'detached' && f.pins === 0) return v(`frame ${pfn} (${f.label}) is detached from its owner yet not freed with no pin left`);
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'pin-accounting', message };
}

/** The invariant, for the registry. */
export const pinAccounting: StateInvariant = { name: 'pin-accounting', kind: 'state', source: 'domain.md §F I2, I3; §B.5', check };
