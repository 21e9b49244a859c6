/**
 * `domain-matches-areas`: every HWPT_PAGING domain maps exactly the areas of its IOAS: same IOVA, PFN and prot.
 *
 * domain.md §F I1: "for every HWPT_PAGING h attached to IOAS a, map(h.domain) == ⋃ areas(a) (same iova ranges, prot,
 * and PFNs of the backing source at the right page index)" [IOPT iopt_table_add_domain/iopt_map_pages fill all
 * domains]; §B.3: "every HWPT_PAGING's iommu_domain in iopt->domains contains every area".
 * The domain is read by walking its page-table frames; the areas' PFNs are the ones the kernel pinned for them.
 * Leaf sizes do not matter here (two layouts of one mapping are equal): pieces are merged before comparing.
 */
import {
  domainTranslations, iommufdContexts, mappedTranslations, mergeTranslations, type Kernel,
} from '../kernel/index.ts';
import type { StateInvariant, Violation } from './types.ts';

const hex = (v: bigint | null): string => (v === null ? 'unpinned' : `0x${v.toString(16)}`);

function check(k: Kernel): Violation | undefined {
  for (const { file, ctx } of iommufdContexts(k)) {
    for (const o of ctx.objects) {
      if (o.type !== 'IOAS') continue;
      const hwptDomains = ctx.objects
        .filter((h) => h.type === 'HWPT_PAGING' && h.ioas === o.id)
        .map((h) => (h.type === 'HWPT_PAGING' ? h.domain : -1))
        .sort((a, b) => a - b);
      const ioasDomains = [...o.domains].sort((a, b) => a - b);
      if (hwptDomains.join(',') !== ioasDomains.join(',')) {
        return v(`iommufd ${file} IOAS ${o.id}: its domains [${ioasDomains.join(', ')}] are not those of its HWPT_PAGINGs [${hwptDomains.join(', ')}]`);
      }
      if (o.domains.length === 0) continue;
      const want = mergeTranslations(mappedTranslations(k, ctx, o));
      const unpinned = want.find((t) => t.phys === null);
      if (unpinned) return v(`iommufd ${file} IOAS ${o.id}: the area page at iova ${hex(unpinned.iova)} is not pinned although the IOAS has domains`);
      for (const d of o.domains) {
        const have = mergeTranslations(domainTranslations(k, d));
        const n = Math.max(have.length, want.length);
        for (let i = 0; i < n; i++) {
          const h = have[i];
          const w = want[i];
          if (h && w && h.iova === w.iova && h.size === w.size && h.phys === w.phys && h.prot === w.prot) continue;
          const at = w ?? h;
          const what = (t: typeof h): string => (t ? `[${hex(t.iova)}, +${hex(t.size)}) -> ${hex(t.phys)} prot ${t.prot}` : 'nothing');
          return v(`iommufd ${file} IOAS ${o.id} domain ${d}: at iova ${hex(at ? at.iova : null)} the areas map ${what(w)} but the page table maps ${what(h)}`);
        }
      }
    }
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'domain-matches-areas', message };
}

/** The invariant, for the registry. */
export const domainMatchesAreas: StateInvariant = { name: 'domain-matches-areas', kind: 'state', source: 'domain.md §F I1, §B.3', check };
