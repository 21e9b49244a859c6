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

function check(k: Kernel): Violation | undefined {
  let user = 0;
  let mm = 0;
  let all = 0;
  const pinsByPfn = new Map<number, number>();
  for (const { file, ctx } of iommufdContexts(k)) {
    const required = new Map<number, Set<number>>();
    const krefs = new Map<number, number>();
    for (const o of ctx.objects) {
      if (o.type !== 'IOAS') continue;
      for (const a of o.areas) {
        krefs.set(a.pages, (krefs.get(a.pages) ?? 0) + 1);
        if (o.domains.length === 0) continue;
        const [first, last] = areaPageRange(k, a);
        let set = required.get(a.pages);
        if (!set) required.set(a.pages, (set = new Set()));
        for (let i = first; i <= last; i++) set.add(i);
      }
    }
    for (const p of ctx.pages) {
      const where = `iommufd ${file} iopt_pages ${p.id}`;
      if (p.refs !== (krefs.get(p.id) ?? 0)) return v(`${where}: kref ${p.refs} but ${krefs.get(p.id) ?? 0} areas map it`);
      if (p.npinned !== p.pinned.length) return v(`${where}: npinned ${p.npinned} but ${p.pinned.length} pages hold a pin`);
      const need = required.get(p.id) ?? new Set<number>();
      if (need.size !== p.pinned.length) return v(`${where}: ${p.pinned.length} pages pinned but domains reference ${need.size}`);
      for (const x of p.pinned) {
        if (!need.has(x.index)) return v(`${where}: page ${x.index} is pinned but no domain references it`);
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
