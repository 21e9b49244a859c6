/**
 * `preserved-reachable`: every frame the preserved page tables reach (table pages and targets) is KHO-preserved at
 * kexec.
 *
 * domain.md §F I8: "every physical page reachable from a preserved domain — all page-table pages (top_table_phys
 * tree) and every leaf target page — ... is in P at kexec. Leaf pages are covered because each mapping is
 * FILE-backed, sealed at map time, and the file is preserved in the same session" [SK-v1 11/14 check; MEMFD].
 * Checked in the old kernel whenever an iommufd in an outgoing session holds preserved domains, so it holds at the
 * kexec (the state the KEXEC step starts from) and at every step before it.
 */
import { domainTranslations, preservedDomains, type Kernel } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, hex, newlyBroken } from './liveUpdate.ts';

function hasPfn(list: readonly number[], pfn: number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] ?? 0) < pfn) lo = mid + 1;
    else hi = mid;
  }
  return list[lo] === pfn;
}

/** The first frame a preserved domain reaches that is not KHO-preserved, described. */
export function reachableState(k: Kernel): string | undefined {
  for (const p of preservedDomains(k)) {
    if (!k.domains.some((d) => d.id === p.domain)) continue;
    const d = k.domains.find((x) => x.id === p.domain);
    const tables: number[] = [];
    const walk = (pfn: number): void => {
      tables.push(pfn);
      for (const e of k.frames[pfn]?.table ?? []) if (e.kind === 'table') walk(e.pfn);
    };
    if (d && d.top !== null) walk(d.top);
    for (const t of tables) {
      if (!hasPfn(k.kho.preserved, t)) return `domain ${p.domain} (HWPT token ${hex(p.hwptToken)}): its page-table frame ${t} (${k.frames[t]?.label ?? 'free'}) is not KHO-preserved`;
    }
    for (const t of domainTranslations(k, p.domain)) {
      for (let off = 0n; off < t.size; off += k.pageSize) {
        const pfn = Number((t.phys + off) / k.pageSize);
        if (!hasPfn(k.kho.preserved, pfn)) {
          return `domain ${p.domain} (HWPT token ${hex(p.hwptToken)}): iova ${hex(t.iova + off)} reaches frame ${pfn} (${k.frames[pfn]?.label ?? 'free'}), which is not KHO-preserved`;
        }
      }
    }
  }
  return undefined;
}

function check(before: Kernel, _call: unknown, result: Parameters<StepInvariant['check']>[2]): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before || after.lu.outgoing.length === 0) return undefined;
  const m = newlyBroken(before, after, reachableState);
  return m === undefined ? undefined : { invariant: 'preserved-reachable', message: m };
}

/** The invariant, for the registry. */
export const preservedReachable: StepInvariant = {
  name: 'preserved-reachable', kind: 'step', source: 'domain.md §F I8', check,
  state: (k) => { const m = reachableState(k); return m === undefined ? undefined : { invariant: 'preserved-reachable', message: m }; },
};
