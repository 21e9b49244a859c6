/**
 * Translations as runs: consecutive leaves that continue each other in IOVA, physical address and prot merged into
 * one, so that two page-table layouts of one mapping (different leaf sizes) compare equal.
 */
import type { LuTranslation } from './types.ts';

/** Merges sorted leaves into runs. */
export function mergeRuns(leaves: readonly { iova: bigint; size: bigint; phys: bigint; prot: number }[]): LuTranslation[] {
  const out: LuTranslation[] = [];
  for (const t of leaves) {
    const top = out[out.length - 1];
    if (top && top.iova + top.size === t.iova && top.phys + top.size === t.phys && top.prot === t.prot) {
      out[out.length - 1] = { ...top, size: top.size + t.size };
    } else out.push({ iova: t.iova, size: t.size, phys: t.phys, prot: t.prot });
  }
  return out;
}

/** Whether two run lists are equal. */
export function runsEqual(a: readonly LuTranslation[], b: readonly LuTranslation[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as LuTranslation;
    const y = b[i] as LuTranslation;
    if (x.iova !== y.iova || x.size !== y.size || x.phys !== y.phys || x.prot !== y.prot) return false;
  }
  return true;
}
