/**
 * `iova-disjoint-aligned`: areas are disjoint, outside reserved ranges, and aligned to the IOAS alignment.
 *
 * domain.md §F I5: "areas pairwise disjoint; no area intersects reserved; every area iova/len/page_offset multiple
 * of iova_alignment; allowed ∩ reserved = ∅." [IOPT iopt_check_iova, iopt_set_allow_iova, iopt_check_iova_alignment]
 */
import { ioasIovaAlignment, iommufdContexts, type Kernel } from '../kernel/index.ts';
import type { StateInvariant, Violation } from './types.ts';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function check(k: Kernel): Violation | undefined {
  for (const { file, ctx } of iommufdContexts(k)) {
    for (const o of ctx.objects) {
      if (o.type !== 'IOAS') continue;
      const where = `iommufd ${file} IOAS ${o.id}`;
      const align = ioasIovaAlignment(k, o);
      for (let i = 0; i < o.areas.length; i++) {
        const a = o.areas[i];
        if (!a) continue;
        if (a.last < a.iova) return v(`${where}: area at ${hex(a.iova)} ends before it starts`);
        const next = o.areas[i + 1];
        if (next && next.iova <= a.last) return v(`${where}: areas [${hex(a.iova)}, ${hex(a.last)}] and [${hex(next.iova)}, ${hex(next.last)}] overlap or are out of order`);
        const r = o.reserved.find((x) => x.start <= a.last && x.last >= a.iova);
        if (r) return v(`${where}: area [${hex(a.iova)}, ${hex(a.last)}] intersects the reserved range [${hex(r.start)}, ${hex(r.last)}] of ${r.owner}`);
        const m = align - 1n;
        const offset = a.startByte % k.pageSize;
        if ((a.iova & m) || ((a.last - a.iova + 1n) & m) || (offset & m)) {
          return v(`${where}: area [${hex(a.iova)}, ${hex(a.last)}] (page offset ${hex(offset)}) is not aligned to the IOAS alignment ${hex(align)}`);
        }
      }
      for (let i = 0; i < o.allowed.length; i++) {
        const a = o.allowed[i];
        if (!a) continue;
        const next = o.allowed[i + 1];
        if (next && next.start <= a.last) return v(`${where}: allowed ranges at ${hex(a.start)} and ${hex(next.start)} overlap`);
        const r = o.reserved.find((x) => x.start <= a.last && x.last >= a.start);
        if (r) return v(`${where}: allowed range [${hex(a.start)}, ${hex(a.last)}] intersects the reserved range [${hex(r.start)}, ${hex(r.last)}] of ${r.owner}`);
      }
    }
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'iova-disjoint-aligned', message };
}

/** The invariant, for the registry. */
export const iovaDisjointAligned: StateInvariant = { name: 'iova-disjoint-aligned', kind: 'state', source: 'domain.md §F I5', check };
