/**
 * The hardening patches of profiles.ts PATCHES, as the kernel would run them: checks on a replace, a detach and an
 * IOAS change of a device whose live update is not finished, and on a reboot while one is not finished. Each check
 * reads only what the kernel has (its domains, its page tables, the device's IOMMU capabilities), never the
 * verifier's history: the invariants judge the patches independently.
 */
import type { DeviceObject, Kernel } from './types.ts';
import { hasPatch } from './profiles.ts';
import { fail, type Fail } from './outcome.ts';
import { ctxOf, getObject } from './main.ts';
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
 * lu-replace-check: moving a claimed device off the domain the IOMMU restored at boot (the device is still on it in
 * hardware: to iommufd its attach is a first attach, or a replace from the HWPT IOMMU_HWPT_LU_RESTORE made of it)
 * onto `domain` needs the same translations (merged runs: IOVA, frame, prot) and, on break-before-make hardware,
 * the same leaves (so also the same sizes).
 */
export function luReplaceCheck(k: Kernel, dev: DeviceObject, domain: number): Fail | null {
  if (!hasPatch(k.profile, 'lu-replace-check')) return null;
  const hw = k.hw.find((h) => h.device === dev.device);
  if (!hw?.luClaimed || typeof hw.domain !== 'number' || hw.domain === domain) return null;
  const from = hw.domain;
  if (!k.domains.some((d) => d.id === from && d.restored)) return null;
  const was = domainTranslations(k, from);
  const now = domainTranslations(k, domain);
  if (!runsEqual(mergeRuns(was), mergeRuns(now))) return fail('lu_replace_check:translations');
  const bbm = k.devices.find((d) => d.name === dev.device)?.breakBeforeMake ?? false;
  if (bbm && (was.length !== now.length || was.some((t, i) => t.size !== now[i]?.size))) return fail('lu_replace_check:leaf-sizes');
  return null;
}

/**
 * The device's cdev was preserved with IOMMU state (it was attached to a preserved HWPT): the IOMMU restored its
 * domain at boot. A cdev preserved unattached is claimed too, but had no translation to keep.
 */
function preservedWithDomain(k: Kernel, ictx: number, dev: DeviceObject): boolean {
  return k.files.some((f) => f.kind === 'vfio' && f.bound?.iommufd === ictx && f.bound.devid === dev.id && f.lu?.iommufdToken != null);
}

/**
 * lu-hold-until-finish: a claimed device preserved with IOMMU state and attached to a HWPT that is not a restored one
 * (it was replaced onto it) stays there, and that HWPT's IOAS keeps its areas, until the session finishes (finish
 * clears the claim).
 */
export function luHeldDevice(k: Kernel, ictx: number, dev: DeviceObject): boolean {
  if (hasPatch(k.profile, 'lu-hold-attachment') && (outgoingWithIommuState(k, dev.device) || onPreservedHwpt(k, ictx, dev))) return true;
  if (!hasPatch(k.profile, 'lu-hold-until-finish') || !claimed(k, dev.device) || !preservedWithDomain(k, ictx, dev)) return false;
  const at = hwptOf(k, ictx, dev.hwpt);
  return at !== undefined && !at.luRestored;
}

/** lu-hold-attachment: the device's cdev is preserved, with IOMMU state, in a session for the next kernel. */
function outgoingWithIommuState(k: Kernel, device: string): boolean {
  return k.lu.outgoing.some((s) => s.files.some((f) => f.data.handler === 'vfio' && f.data.device === device && f.data.hwptToken !== null));
}

/** lu-hold-attachment: the device is attached to a marked HWPT whose iommufd is preserved (its IOAS is immutable). */
function onPreservedHwpt(k: Kernel, ictx: number, dev: DeviceObject): boolean {
  const h = hwptOf(k, ictx, dev.hwpt);
  if (!h || h.luToken === null || h.ioas === null) return false;
  const ioas = getObject(k, ictx, h.ioas);
  return ioas?.type === 'IOAS' && ioas.luImmutable;
}

/** lu-reboot-after-finish: a device the IOMMU restored at boot is still claimed (its live update is not finished). */
export function luRebootRefused(k: Kernel): boolean {
  return hasPatch(k.profile, 'lu-reboot-after-finish') && k.hw.some((h) => h.luClaimed && typeof h.domain === 'number');
}

/** lu-hold-until-finish: `ioasId` is behind a held device's HWPT. */
export function luHeldIoas(k: Kernel, ictx: number, ioasId: number): boolean {
  if (!hasPatch(k.profile, 'lu-hold-until-finish')) return false;
  // (lu-hold-attachment needs no IOAS rule: the IOAS of a preserved HWPT is immutable from the iommufd preserve.)
  return ctxOf(k, ictx).objects.some((o) => o.type === 'DEVICE' && luHeldDevice(k, ictx, o) && hwptOf(k, ictx, o.hwpt)?.ioas === ioasId);
}
