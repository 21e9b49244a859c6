/**
 * The hardening patches of profiles.ts PATCHES, as the kernel would run them: checks on a replace, a detach and an
 * IOAS change of a device whose live update is not finished. Each check reads only what the kernel has (its
 * domains, its page tables, the device's IOMMU capabilities), never the verifier's history: the invariants judge the
 * patches independently.
 */
import type { DeviceObject, Kernel } from './types.ts';
import { hasPatch } from './profiles.ts';
import { fail, type Fail } from './outcome.ts';
import { getObject } from './main.ts';
import { domainTranslations } from './domain.ts';
import { mergeRuns, runsEqual } from './runs.ts';

function claimed(k: Kernel, device: string): boolean {
  return k.hw.some((h) => h.device === device && h.luClaimed);
}

function hwptOf(k: Kernel, ictx: number, id: number | null) {
  const o = id === null ? undefined : getObject(k, ictx, id);
  return o?.type === 'HWPT_PAGING' ? o : undefined;
}

/**
 * lu-replace-check: moving a claimed device off its restored domain onto `domain` needs the same translations
 * (merged runs: IOVA, frame, prot) and, on break-before-make hardware, the same leaves (so also the same sizes).
 */
export function luReplaceCheck(k: Kernel, ictx: number, dev: DeviceObject, domain: number): Fail | null {
  if (!hasPatch(k.profile, 'lu-replace-check') || !claimed(k, dev.device)) return null;
  const from = hwptOf(k, ictx, dev.hwpt);
  if (!from?.luRestored || from.domain === domain) return null;
  const was = domainTranslations(k, from.domain);
  const now = domainTranslations(k, domain);
  if (!runsEqual(mergeRuns(was), mergeRuns(now))) return fail('iommufd_device_do_replace:lu-mismatch');
  const bbm = k.devices.find((d) => d.name === dev.device)?.breakBeforeMake ?? false;
  if (bbm && (was.length !== now.length || was.some((t, i) => t.size !== now[i]?.size))) return fail('iommufd_device_do_replace:lu-leaf-mismatch');
  return null;
}

/**
 * lu-hold-until-finish: a claimed device attached to a HWPT that is not a restored one (it was replaced onto it)
 * stays there, and that HWPT's IOAS keeps its areas, until the session finishes (finish clears the claim).
 */
export function luHeldDevice(k: Kernel, ictx: number, dev: DeviceObject): boolean {
  if (!hasPatch(k.profile, 'lu-hold-until-finish') || !claimed(k, dev.device)) return false;
  const at = hwptOf(k, ictx, dev.hwpt);
  return at !== undefined && !at.luRestored;
}

/** lu-hold-until-finish: `ioasId` is behind a held device's HWPT. */
export function luHeldIoas(k: Kernel, ictx: number, ioasId: number): boolean {
  if (!hasPatch(k.profile, 'lu-hold-until-finish')) return false;
  const ctx = k.files.find((f) => f.id === ictx);
  if (ctx?.kind !== 'iommufd') return false;
  return ctx.ctx.objects.some((o) => o.type === 'DEVICE' && luHeldDevice(k, ictx, o) && hwptOf(k, ictx, o.hwpt)?.ioas === ioasId);
}
