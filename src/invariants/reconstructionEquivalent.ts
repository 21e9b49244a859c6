/**
 * `reconstruction-equivalent`: when userspace gets its objects back, IOAS areas and HWPT domains map exactly what the
 * preserved page tables map.
 *
 * domain.md §F I11: "before a restored domain is discarded/replaced, the rebuilt IOAS(+new HWPT) maps exactly the
 * same iova→(PFN,prot) as the preserved domain; in particular memfd offsets map to the same PFNs ... Kernel does not
 * check this today (no validation found) — the verifier should" [G-THR Jason 7/10 Oct; MEMFD retrieve]. Checked
 * wherever userspace holds rebuilt objects beside the preserved translation: a device in a live update, bound to
 * the iommufd retrieved from LUO and attached there to a HWPT that is not the restored one, must find in that HWPT's
 * domain and in its IOAS's areas exactly the translations the device had at preserve time (the restored domain's,
 * its tables being the preserved ones): same IOVA ranges, same frames, same prot (runs merged, so that leaf sizes do
 * not matter here; they do for dma-never-faults on break-before-make hardware).
 */
import {
  domainTranslations, iommufdContexts, mappedTranslations, mergeRuns, runsEqual, type Kernel, type LuTranslation,
  type Syscall, type SyscallResult,
} from '../kernel/index.ts';
import type { StepInvariant, Violation } from './types.ts';
import { afterOf, hex, newlyBroken } from './liveUpdate.ts';

function show(t: LuTranslation | undefined): string {
  return t ? `[${hex(t.iova)}, +${hex(t.size)}) -> ${hex(t.phys)} prot ${t.prot}` : 'nothing';
}

/** Where two run lists first differ: both sides. */
function firstDiff(want: readonly LuTranslation[], have: readonly LuTranslation[]): string {
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    const w = want[i];
    const h = have[i];
    if (w && h && w.iova === h.iova && w.size === h.size && w.phys === h.phys && w.prot === h.prot) continue;
    return `the preserved domain maps ${show(w)}, the rebuilt one ${show(h)}`;
  }
  return 'they differ';
}

/** The first device whose rebuilt HWPT or IOAS translates otherwise than its preserved domain, described. */
export function reconstructionState(k: Kernel): string | undefined {
  if (k.history.devices.length === 0) return undefined;
  for (const { file, ctx } of iommufdContexts(k)) {
    if (ctx.lu === null) continue;
    for (const dev of ctx.objects) {
      if (dev.type !== 'DEVICE' || dev.hwpt === null) continue;
      const r = k.history.devices.find((x) => x.device === dev.device);
      if (!r) continue;
      const hwpt = ctx.objects.find((o) => o.id === dev.hwpt);
      if (!hwpt || hwpt.type !== 'HWPT_PAGING' || hwpt.luRestored) continue;
      const inDomain = mergeRuns(domainTranslations(k, hwpt.domain));
      if (!runsEqual(inDomain, r.translations)) {
        return `device ${dev.device} is attached to rebuilt HWPT ${hwpt.id} of retrieved iommufd ${file}, whose domain does not translate as the preserved one: ${firstDiff(r.translations, inDomain)}`;
      }
      const ioas = hwpt.ioas === null ? undefined : ctx.objects.find((o) => o.id === hwpt.ioas);
      if (ioas?.type === 'IOAS') {
        const pieces = mappedTranslations(k, ctx, ioas);
        if (pieces.some((p) => p.phys === null)) return `device ${dev.device}: rebuilt IOAS ${ioas.id} has an area page that is not pinned`;
        const inAreas = mergeRuns(pieces.map((p) => ({ iova: p.iova, size: p.size, phys: p.phys as bigint, prot: p.prot })));
        if (!runsEqual(inAreas, r.translations)) {
          return `device ${dev.device}: the areas of rebuilt IOAS ${ioas.id} do not map what the preserved domain maps: ${firstDiff(r.translations, inAreas)}`;
        }
      }
    }
  }
  return undefined;
}

function v(message: string): Violation {
  return { invariant: 'reconstruction-equivalent', message };
}

function check(before: Kernel, _call: Syscall, result: SyscallResult<Kernel>): Violation | undefined {
  const after = afterOf(before, result);
  if (after === before) return undefined;
  const m = newlyBroken(before, after, reconstructionState);
  return m === undefined ? undefined : v(m);
}

/** The invariant, for the registry. */
export const reconstructionEquivalent: StepInvariant = {
  name: 'reconstruction-equivalent', kind: 'step', source: 'domain.md §F I11', check,
  state: (k) => { const m = reconstructionState(k); return m === undefined ? undefined : v(m); },
};
