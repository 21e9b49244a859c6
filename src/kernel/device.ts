/**
 * Devices: the VFIO cdev ioctls (drivers/vfio/device_cdev.c, drivers/vfio/iommufd.c) and iommufd's device side
 * (drivers/iommu/iommufd/device.c): bind, attach (to a HWPT, or to an IOAS through an automatic HWPT), replace,
 * detach, unbind, and what the IOMMU hardware then does for the device (`Kernel.hw`).
 *
 * Every device is alone in its iommu_group. Binding claims DMA ownership, which blocks the device; attaching
 * points the hardware at the HWPT's domain; detaching blocks it again; unbinding releases ownership and the device
 * returns to the host's default domain. An automatic HWPT is destroyed when its last device leaves
 * (iommufd_hw_pagetable_put() -> iommufd_object_put_and_try_destroy()).
 *
 * Live update: a device the previous kernel preserved comes up attached (in hardware) to its restored domain with
 * DMA ownership claimed (kexec.ts). Its retrieved cdev binds only to the iommufd retrieved from the same session
 * (EPERM otherwise) and binding it does not block the device: the restored translation stays until userspace
 * attaches it elsewhere. No other cdev of it can be opened (EBUSY) until its session finishes.
 */
import { VFIO_DEVICE_PT_FLAGS, type VfioDeviceAttachIommufdPt, type VfioDeviceBindIommufd, type VfioDeviceDetachIommufdPt } from './uapi.ts';
import type { DeviceInfo, DeviceObject, HwDevice, HwPageTable, Kernel, VfioFile } from './types.ts';
import { profileOf } from './profiles.ts';
import { done, fail, isFail, notModelled, type Fail, type Outcome } from './outcome.ts';
import { addUsers, getObject, nextObjectId, objectOf, objectRemove, putObject } from './main.ts';
import { domainById } from './domain.ts';
import { iommufdHwptPagingAlloc } from './hwpt.ts';
import { addFile, fdFile, fdInstall, fget, fileById, fput, putFile } from './files.ts';
import type { KnownRuleId } from './rules.ts';
import { luHeldDevice, luReplaceCheck } from './luHardening.ts';

/** The config device `name`. */
export function deviceInfo(k: Kernel, name: string): DeviceInfo {
  const d = k.devices.find((x) => x.name === name);
  if (!d) throw new Error(`model bug: no device ${name}`);
  return d;
}

function setHw(k: Kernel, device: string, patch: Partial<Omit<HwDevice, 'device'>>): Kernel {
  return { ...k, hw: k.hw.map((h) => (h.device === device ? { ...h, ...patch } : h)) };
}

/** What the hardware walks for a device attached to `domainId`: its tables, or a nested domain's parent's. */
export function hwPageTableOf(k: Kernel, domainId: number): HwPageTable | null {
  let d = domainById(k, domainId);
  if (d.top === null && d.parent !== null) d = domainById(k, d.parent);
  return d.top === null ? null : { top: d.top, levels: d.levels };
}

/** The hardware now translates the device through `domainId`. */
function hwAttachDomain(k: Kernel, device: string, domainId: number): Kernel {
  return setHw(k, device, { domain: domainId, pt: hwPageTableOf(k, domainId) });
}

/** The hardware state of device `name`. */
export function hwOf(k: Kernel, name: string): HwDevice {
  const h = k.hw.find((x) => x.device === name);
  if (!h) throw new Error(`model bug: no hw state for ${name}`);
  return h;
}

/**
 * Whether the IOMMU driver accepts `domainId` for the device (attach_dev / paging_domain_compatible): a domain of
 * another IOMMU instance is refused, and so is a dirty-tracking domain for a device without dirty tracking
 * (selftest.c mock_domain_nop_attach()).
 */
function driverAccepts(k: Kernel, domainId: number, info: DeviceInfo): boolean {
  const d = domainById(k, domainId);
  if (d.iommu !== info.iommu) return false;
  return !(d.dirtyTracking && !info.dirtyTracking);
}

function hwptDomain(k: Kernel, ictx: number, hwptId: number): number {
  const h = getObject(k, ictx, hwptId);
  if (!h || (h.type !== 'HWPT_PAGING' && h.type !== 'HWPT_NESTED')) throw new Error(`model bug: ${hwptId} is not a HWPT`);
  return h.domain;
}

/**
 * iommufd_hw_pagetable_attach(): the group's first (only) device attaches the domain in hardware
 * (iommu_attach_group_handle); the HWPT gains a user. Device reserved regions are not modelled (none declared).
 */
export function hwptAttach(k: Kernel, ictx: number, hwptId: number, dev: DeviceObject): Kernel | Fail {
  if (dev.hwpt !== null && dev.hwpt !== hwptId) throw new Error('model bug: attach of an attached device');
  const domain = hwptDomain(k, ictx, hwptId);
  if (!driverAccepts(k, domain, deviceInfo(k, dev.device))) return fail('iommufd_hw_pagetable_attach:incompatible');
  // Hardening patch (profiles.ts PATCHES): the first attach of a retrieved device moves it off its restored domain.
  const refused = luReplaceCheck(k, dev, domain);
  if (refused) return refused;
  const k1 = putObject(k, ictx, { ...dev, hwpt: hwptId });
  return hwAttachDomain(addUsers(k1, ictx, hwptId, 1), dev.device, domain);
}

/** iommufd_hw_pagetable_put(): an automatic HWPT is destroyed with its last user; any other just loses one. */
function hwptPut(k: Kernel, ictx: number, hwptId: number): Kernel {
  const h = getObject(k, ictx, hwptId);
  if (h?.type === 'HWPT_PAGING' && h.autoDomain) {
    const r = objectRemove(k, ictx, hwptId, true);
    if (typeof r === 'string') throw new Error('model bug: auto HWPT put');
    return r;
  }
  return addUsers(k, ictx, hwptId, -1);
}

/**
 * iommufd_device_do_replace(): moves the attached device onto `hwptId` (hitless where the driver supports it; the
 * hardware switches domains in one step). Returns the old HWPT for the caller to put, or null when it is the same.
 */
function deviceDoReplace(k: Kernel, ictx: number, dev: DeviceObject, hwptId: number): [Kernel, number | null] | Fail {
  if (dev.hwpt === null) throw new Error('model bug: replace of an unattached device');
  if (dev.hwpt === hwptId) return [k, null];
  const domain = hwptDomain(k, ictx, hwptId);
  if (!driverAccepts(k, domain, deviceInfo(k, dev.device))) return fail('iommufd_device_do_replace:incompatible');
  // Hardening patches (profiles.ts PATCHES): not in any posted kernel.
  if (luHeldDevice(k, ictx, dev)) return fail('iommufd_device_do_replace:lu-held');
  const refused = luReplaceCheck(k, dev, domain);
  if (refused) return refused;
  const old = dev.hwpt;
  let k1 = putObject(k, ictx, { ...dev, hwpt: hwptId });
  k1 = addUsers(k1, ictx, hwptId, 1);
  return [hwAttachDomain(k1, dev.device, domain), old];
}

interface ChangePt {
  k: Kernel;
  ptId: number;
  rule: KnownRuleId;
}

/**
 * iommufd_device_auto_get_domain(): try each automatic HWPT of the IOAS in hwpt_list order (EINVAL means
 * incompatible: try the next; any other error fails); else allocate a new automatic HWPT (attach mode: attached
 * before it is filled; replace mode: filled, then replaced onto).
 */
function deviceAutoGetDomain(k: Kernel, ictx: number, dev: DeviceObject, ioasId: number, replace: boolean): ChangePt | Fail {
  const ioas = objectOf(k, ictx, ioasId, 'IOAS');
  for (const hwptId of ioas.hwpts) {
    const h = objectOf(k, ictx, hwptId, 'HWPT_PAGING');
    if (!h.autoDomain) continue;
    if (replace) {
      const r = deviceDoReplace(k, ictx, dev, hwptId);
      if (isFail(r)) {
        if (r.rule === 'iommufd_device_do_replace:incompatible') continue;
        return r;
      }
      if (r[1] === null) return { k: r[0], ptId: hwptId, rule: 'iommufd_device_replace:ok-same' };
      return { k: hwptPut(r[0], ictx, r[1]), ptId: hwptId, rule: 'iommufd_device_replace:ok-auto-reuse' };
    }
    const r = hwptAttach(k, ictx, hwptId, dev);
    if (isFail(r)) {
      if (r.rule === 'iommufd_hw_pagetable_attach:incompatible') continue;
      return r;
    }
    return { k: r, ptId: hwptId, rule: 'iommufd_device_attach:ok-auto-reuse' };
  }
  const alloc = iommufdHwptPagingAlloc(k, ictx, ioasId, dev, 0, false, !replace);
  if (isFail(alloc)) return alloc;
  let [k1, hwptId] = alloc;
  k1 = putObject(k1, ictx, { ...objectOf(k1, ictx, hwptId, 'HWPT_PAGING'), autoDomain: true });
  if (!replace) return { k: k1, ptId: hwptId, rule: 'iommufd_device_attach:ok-auto-new' };
  const r = deviceDoReplace(k1, ictx, objectOf(k1, ictx, dev.id, 'DEVICE'), hwptId);
  if (isFail(r)) return r;
  const [k2, old] = r;
  return { k: old === null ? k2 : hwptPut(k2, ictx, old), ptId: hwptId, rule: 'iommufd_device_replace:ok-auto-new' };
}

/** iommufd_device_change_pt() for attach (iommufd_device_attach()) or replace (iommufd_device_replace()). */
function deviceChangePt(k: Kernel, ictx: number, dev: DeviceObject, ptId: number, replace: boolean): ChangePt | Fail {
  const pt = getObject(k, ictx, ptId);
  if (!pt) return fail('iommufd_device_change_pt:not-found');
  if (pt.type === 'HWPT_PAGING' || pt.type === 'HWPT_NESTED') {
    if (!replace) {
      const r = hwptAttach(k, ictx, ptId, dev);
      return isFail(r) ? r : { k: r, ptId, rule: 'iommufd_device_attach:ok-hwpt' };
    }
    const r = deviceDoReplace(k, ictx, dev, ptId);
    if (isFail(r)) return r;
    if (r[1] === null) return { k: r[0], ptId, rule: 'iommufd_device_replace:ok-same' };
    return { k: hwptPut(r[0], ictx, r[1]), ptId, rule: 'iommufd_device_replace:ok-hwpt' };
  }
  if (pt.type === 'IOAS') return deviceAutoGetDomain(k, ictx, dev, ptId, replace);
  return fail('iommufd_device_change_pt:type');
}

/** The bound VFIO cdev's DEVICE object. */
function boundDevice(k: Kernel, f: VfioFile): DeviceObject {
  if (!f.bound) throw new Error('model bug: unbound cdev');
  return objectOf(k, f.bound.iommufd, f.bound.devid, 'DEVICE');
}

function checkPtFlags(k: Kernel, flags: number, rule: 'vfio_df_ioctl_attach_pt:flags' | 'vfio_df_ioctl_detach_pt:flags'): Fail | 'pasid' | null {
  if (profileOf(k.profile).vfioPtFlags === 'zero') return flags ? fail(rule) : null;
  if (flags & ~VFIO_DEVICE_PT_FLAGS.PASID) return fail(rule);
  return flags & VFIO_DEVICE_PT_FLAGS.PASID ? 'pasid' : null;
}

/**
 * The iommufd file LUO retrieved under `token` in incoming session `session`, if it has been retrieved: the only
 * iommufd a retrieved cdev with IOMMU state may bind to.
 */
function retrievedIommufd(k: Kernel, session: string, token: bigint): number | null {
  const s = k.lu.incoming.find((x) => x.name === session);
  const f = s?.files.find((x) => x.token === token && x.data.handler === 'iommufd');
  return f && f.retrieved ? f.file : null;
}

/** VFIO_DEVICE_BIND_IOMMUFD: vfio_df_ioctl_bind_iommufd() -> iommufd_device_bind(). */
export function vfioDfIoctlBindIommufd(k: Kernel, fileId: number, cmd: VfioDeviceBindIommufd): Outcome {
  const f = fileById(k, fileId) as VfioFile;
  if (cmd.flags || cmd.iommufd < 0) return fail('vfio_df_ioctl_bind_iommufd:args');
  if (f.bound) return fail('vfio_df_ioctl_bind_iommufd:bound');
  const ctxFile = fdFile(k, cmd.iommufd);
  if (!ctxFile) return fail('iommufd_ctx_from_fd:bad-fd');
  if (ctxFile.kind !== 'iommufd') return fail('iommufd_ctx_from_fd:not-iommufd');
  const ictx = ctxFile.id;
  // SK-v1 14/14: a cdev retrieved with IOMMU state binds only to the iommufd retrieved from its session.
  if (f.lu?.iommufdToken != null && retrievedIommufd(k, f.lu.session, f.lu.iommufdToken) !== ictx) {
    return fail('vfio_df_ioctl_bind_iommufd:lu-iommufd');
  }
  // vfio_df_open(): "Only the group path allows the device to be opened multiple times" (cdev: EINVAL).
  if (k.files.some((x) => x.kind === 'vfio' && x.id !== fileId && x.device === f.device && x.bound)) return fail('vfio_df_open:opened');
  const info = deviceInfo(k, f.device);
  const devid = nextObjectId(k, ictx);
  // users: the xarray's and the VFIO driver's (held until iommufd_device_unbind()).
  let k1 = putObject(k, ictx, { id: devid, type: 'DEVICE', users: 2, device: f.device, hwpt: null });
  k1 = fget(k1, ictx); // df->iommufd (iommufd_ctx_from_fd)
  if (info.driver !== 'mock') k1 = fget(k1, ictx); // idev->ictx (not taken for selftest mock devices)
  // iommu_device_claim_dma_owner(): the device is blocked, unless it is a preserved device still on its restored
  // domain (the live update keeps that translation until userspace replaces it).
  const hw = hwOf(k1, f.device);
  const keep = hw.luClaimed && typeof hw.domain === 'number';
  k1 = setHw(k1, f.device, keep ? { dmaOwner: ictx } : { domain: 'blocked', pt: null, dmaOwner: ictx });
  k1 = putFile(k1, { ...(fileById(k1, fileId) as VfioFile), bound: { iommufd: ictx, devid } });
  return done(k1, 'vfio_df_ioctl_bind_iommufd:ok', { out_devid: devid });
}

/**
 * open() of a device's VFIO cdev (vfio_device_fops_cdev_open): a new cdev file. A device a live update claimed is
 * EBUSY until its session finishes ("opening a preserved VFIO device other than via LUO retrieve fails", DM-v3).
 */
export function vfioDeviceOpen(k: Kernel, device: string): Outcome {
  deviceInfo(k, device);
  if (hwOf(k, device).luClaimed) return fail('vfio_device_fops_cdev_open:lu-claimed');
  const [k1, id] = addFile(k, { kind: 'vfio', id: 0, refs: 0, device, bound: null, lu: null });
  const [k2, fd] = fdInstall(k1, id);
  return done(k2, 'vfio_device_fops_cdev_open:ok', { fd });
}

/** VFIO_DEVICE_ATTACH_IOMMUFD_PT: vfio_df_ioctl_attach_pt() -> vfio_iommufd_physical_attach_ioas(). */
export function vfioDfIoctlAttachPt(k: Kernel, fileId: number, cmd: VfioDeviceAttachIommufdPt): Outcome {
  const f = fileById(k, fileId) as VfioFile;
  if (!f.bound) return fail('vfio_device_fops_unl_ioctl:not-bound');
  const flags = checkPtFlags(k, cmd.flags, 'vfio_df_ioctl_attach_pt:flags');
  if (isFail(flags)) return flags;
  if (flags === 'pasid') return notModelled('VFIO_DEVICE_ATTACH_PASID (PASID attach)');
  const ictx = f.bound.iommufd;
  const dev = boundDevice(k, f);
  const replace = dev.hwpt !== null;
  const r = deviceChangePt(k, ictx, dev, cmd.pt_id, replace);
  if (isFail(r)) return r;
  // iommufd_device_attach(): the attachment holds the device ("catches caller bugs").
  const k1 = replace ? r.k : addUsers(r.k, ictx, dev.id, 1);
  return done(k1, r.rule, { pt_id: r.ptId });
}

/** iommufd_device_detach(): the device leaves its HWPT in hardware (blocked) and the HWPT is put. */
function iommufdDeviceDetach(k: Kernel, ictx: number, dev: DeviceObject): Kernel {
  if (dev.hwpt === null) throw new Error('model bug: detach of an unattached device');
  let k1 = putObject(k, ictx, { ...dev, hwpt: null });
  k1 = setHw(k1, dev.device, { domain: 'blocked', pt: null });
  k1 = hwptPut(k1, ictx, dev.hwpt);
  return addUsers(k1, ictx, dev.id, -1);
}

/** VFIO_DEVICE_DETACH_IOMMUFD_PT: vfio_df_ioctl_detach_pt() -> vfio_iommufd_physical_detach_ioas(). */
export function vfioDfIoctlDetachPt(k: Kernel, fileId: number, cmd: VfioDeviceDetachIommufdPt): Outcome {
  const f = fileById(k, fileId) as VfioFile;
  if (!f.bound) return fail('vfio_device_fops_unl_ioctl:not-bound');
  const flags = checkPtFlags(k, cmd.flags, 'vfio_df_ioctl_detach_pt:flags');
  if (isFail(flags)) return flags;
  if (flags === 'pasid') return notModelled('VFIO_DEVICE_DETACH_PASID (PASID detach)');
  const dev = boundDevice(k, f);
  if (dev.hwpt === null) return done(k, 'vfio_iommufd_physical_detach_ioas:not-attached');
  if (luHeldDevice(k, f.bound.iommufd, dev)) return fail('iommufd_device_detach:lu-held');
  return done(iommufdDeviceDetach(k, f.bound.iommufd, dev), 'iommufd_device_detach:ok');
}

/** iommufd_device_destroy(): DMA ownership released (the device goes back to its default domain), ctx released. */
export function iommufdDeviceDestroy(k: Kernel, ictx: number, dev: DeviceObject): Kernel {
  const k1 = setHw(k, dev.device, { domain: 'default', pt: null, dmaOwner: null });
  return deviceInfo(k, dev.device).driver !== 'mock' ? fput(k1, ictx) : k1;
}

/**
 * vfio_device_fops_release() -> vfio_df_unbind_iommufd(): a bound device is detached, unbound (its DEVICE object
 * destroyed: iommufd_object_destroy_user()), and df->iommufd is put.
 */
export function vfioDeviceFopsRelease(k: Kernel, fileId: number): Kernel {
  const f = fileById(k, fileId) as VfioFile;
  if (!f.bound) return k;
  const ictx = f.bound.iommufd;
  let k1 = k;
  let dev = boundDevice(k1, f);
  if (dev.hwpt !== null) {
    k1 = iommufdDeviceDetach(k1, ictx, dev);
    dev = objectOf(k1, ictx, dev.id, 'DEVICE');
  }
  const r = objectRemove(k1, ictx, dev.id, true);
  if (typeof r === 'string' || getObject(r, ictx, dev.id)) throw new Error('model bug: device unbind left the DEVICE object');
  k1 = putFile(r, { ...(fileById(r, fileId) as VfioFile), bound: null });
  return fput(k1, ictx);
}
