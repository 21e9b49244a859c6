/**
 * `blackout-immutable`: from preserve until the device leaves the preserved domain, its translations never change.
 *
 * domain.md §F I7: "from HWPT preservation (LUO preserve of iommufd) until unpreserve (abort) or, post-kexec, until
 * the device has been replaced onto a fresh domain, the preserved domain's mappings never change; all MAP/COPY/UNMAP
 * on the IOAS fail EBUSY; the backing memfd cannot change size" [SK-v1 11/14; MEMFD; SK-TREE verify_immutable].
 * Checked on the domain: each preserved domain the history records (the old kernel's, then the one the IOMMU
 * restored from it) must translate exactly as it did at preserve time, for as long as that domain exists and its
 * session has not finished or been abandoned. The walk is the hardware's, over the domain's table frames.
 */
import { domainTranslations, mergeRuns, runsEqual, type Kernel } from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, hex, newlyBroken } from './liveUpdate.ts';

/** The first preserved domain whose translations changed, described. */
export function blackoutState(k: Kernel): string | undefined {
  for (const r of k.history.domains) {
    if (r.domain === null || !k.domains.some((d) => d.id === r.domain)) continue;
    const now = mergeRuns(domainTranslations(k, r.domain));
    if (runsEqual(now, r.translations)) continue;
    const at = now.find((t, i) => {
      const w = r.translations[i];
      return !w || w.iova !== t.iova || w.size !== t.size || w.phys !== t.phys || w.prot !== t.prot;
    }) ?? r.translations[now.length];
    return `domain ${r.domain} (HWPT token ${hex(r.hwptToken)}, session "${r.session}") changed its translations after it was preserved${at ? `, at iova ${hex(at.iova)}` : ''}: ${now.length} runs now, ${r.translations.length} at preserve time`;
  }
  return undefined;
}

function check(before: Kernel, _call: unknown, result: Parameters<StepInvariant['check']>[2]): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before || after.history.domains.length === 0) return undefined;
  const m = newlyBroken(before, after, blackoutState);
  return m === undefined ? undefined : { invariant: 'blackout-immutable', message: m };
}

/** The invariant, for the registry. */
export const blackoutImmutable: StepInvariant = {
  name: 'blackout-immutable', kind: 'step', source: 'domain.md §F I7', check,
  state: (k) => { const m = blackoutState(k); return m === undefined ? undefined : { invariant: 'blackout-immutable', message: m }; },
};
