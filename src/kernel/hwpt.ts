/**
 * HW page tables (drivers/iommu/iommufd/hw_pagetable.c): IOMMU_HWPT_ALLOC, the paging HWPT allocation shared with
 * automatic domains, nested HWPTs (for the selftest mock driver), and the HWPT destroy ops.
 *
 * A HWPT_PAGING wraps one paging iommu_domain allocated for the device it was created with, holds its IOAS, and
 * is in the IOAS's domains for as long as it lives: it is filled with every area when created. A HWPT_NESTED wraps a
 * nested domain on a NEST_PARENT HWPT_PAGING and holds that parent.
 */
import { HWPT_ALLOC_FLAGS, IOMMU_HWPT_DATA_TYPES, IOMMU_HWPT_SELFTEST_MIN_LEN, type IommuHwptAlloc } from './uapi.ts';
import type { DeviceInfo, DeviceObject, HwptNestedObject, HwptPagingObject, Kernel } from './types.ts';
import { profileOf } from './profiles.ts';
import { done, fail, isFail, notModelled, NotModelledError, type Fail, type Outcome, type Refused } from './outcome.ts';
import { addUsers, getObject, nextObjectId, objectOf, putObject } from './main.ts';
import { domainAllocNested, domainAllocPaging, domainById, domainFree } from './domain.ts';
import { ioasOf, ioptTableAddDomain, ioptTableRemoveDomain } from './ioPagetable.ts';
import { deviceInfo, hwptAttach } from './device.ts';

/**
 * iommufd_hwpt_paging_alloc(): a HWPT_PAGING on IOAS `ioasId` with a new paging domain for `dev`. With
 * `immediateAttach` (the auto-domain attach path) the device is attached before the domain is filled. Returns the
 * kernel and the new HWPT id (the object is in the table; the caller marks auto domains).
 */
export function iommufdHwptPagingAlloc(
  k: Kernel, ictx: number, ioasId: number, dev: DeviceObject, flags: number, userData: boolean, immediateAttach: boolean,
): [Kernel, number] | Fail {
  const info = deviceInfo(k, dev.device);
  if (flags & ~profileOf(k.profile).hwptPagingFlags) return fail('iommufd_hwpt_paging_alloc:flags');
  if ((flags & HWPT_ALLOC_FLAGS.DIRTY_TRACKING) && !info.dirtyTracking) return fail('iommufd_hwpt_paging_alloc:no-dirty-cap');
  const id = nextObjectId(k, ictx);
  // domain_alloc_paging_flags(): the mock and VT-d drivers take no driver data for a paging domain.
  if (userData) return fail('domain_alloc_paging_flags:user-data');
  const [k1, domain] = domainAllocPaging(k, {
    iommu: info.iommu, driver: info.driver, pgsizeBitmap: info.pgsizeBitmap, aperture: info.aperture,
    dirtyTracking: (flags & HWPT_ALLOC_FLAGS.DIRTY_TRACKING) !== 0,
  });
  const hwpt: HwptPagingObject = {
    id, type: 'HWPT_PAGING', users: 1, ioas: ioasId, domain, autoDomain: false,
    nestParent: (flags & HWPT_ALLOC_FLAGS.NEST_PARENT) !== 0, luToken: null, luRestored: false,
  };
  let k2 = addUsers(putObject(k1, ictx, hwpt), ictx, ioasId, 1);
  if (immediateAttach) {
    const r = hwptAttach(k2, ictx, id, objectOf(k2, ictx, dev.id, 'DEVICE'));
    if (isFail(r)) return r;
    k2 = r;
  }
  const r = ioptTableAddDomain(k2, ictx, ioasId, domain);
  if (isFail(r)) return r;
  const ioas = ioasOf(r, ictx, ioasId);
  return [putObject(r, ictx, { ...ioas, hwpts: [...ioas.hwpts, id] }), id];
}

/** iommufd_hwpt_nested_alloc() + the driver's domain_alloc_nested() (the selftest mock only). */
function iommufdHwptNestedAlloc(
  k: Kernel, ictx: number, parent: HwptPagingObject, info: DeviceInfo, cmd: IommuHwptAlloc,
): [Kernel, number] | Fail | Refused {
  if ((cmd.flags & ~profileOf(k.profile).hwptNestedFlags) || !cmd.data_len) return fail('iommufd_hwpt_nested_alloc:flags-or-data');
  if (parent.autoDomain || !parent.nestParent || domainById(k, parent.domain).driver !== info.driver) {
    return fail('iommufd_hwpt_nested_alloc:parent');
  }
  if (info.driver !== 'mock') return notModelled('a nested HWPT of a PCI IOMMU driver (its stage-1 table format is not modelled)');
  // mock_domain_alloc_nested() / __mock_domain_alloc_nested()
  if (cmd.data_type !== IOMMU_HWPT_DATA_TYPES.SELFTEST) return fail('mock_domain_alloc_nested:data-type');
  if (cmd.data_len < IOMMU_HWPT_SELFTEST_MIN_LEN) return fail('iommu_copy_struct_from_user:short');
  const id = nextObjectId(k, ictx);
  const [k1, domain] = domainAllocNested(k, parent.domain);
  const hwpt: HwptNestedObject = { id, type: 'HWPT_NESTED', users: 1, parent: parent.id, domain };
  return [addUsers(putObject(k1, ictx, hwpt), ictx, parent.id, 1), id];
}

/** IOMMU_HWPT_ALLOC: iommufd_hwpt_alloc(). */
export function iommufdHwptAlloc(k: Kernel, ictx: number, cmd: IommuHwptAlloc): Outcome {
  if (cmd.__reserved) return fail('iommufd_hwpt_alloc:reserved');
  const none = cmd.data_type === IOMMU_HWPT_DATA_TYPES.NONE;
  if ((none && cmd.data_len) || (!none && !cmd.data_len)) return fail('iommufd_hwpt_alloc:data-len');
  const dev = getObject(k, ictx, cmd.dev_id);
  if (!dev || dev.type !== 'DEVICE') return fail('iommufd_get_device:not-found');
  const pt = getObject(k, ictx, cmd.pt_id);
  if (!pt) return fail('iommufd_hwpt_alloc:pt-not-found');
  let r: [Kernel, number] | Fail | Refused;
  let rule: 'iommufd_hwpt_alloc:ok-paging' | 'iommufd_hwpt_alloc:ok-nested';
  if (pt.type === 'IOAS') {
    r = iommufdHwptPagingAlloc(k, ictx, pt.id, dev, cmd.flags, cmd.data_len !== 0, false);
    rule = 'iommufd_hwpt_alloc:ok-paging';
  } else if (pt.type === 'HWPT_PAGING') {
    r = iommufdHwptNestedAlloc(k, ictx, pt, deviceInfo(k, dev.device), cmd);
    rule = 'iommufd_hwpt_alloc:ok-nested';
  } else return fail('iommufd_hwpt_alloc:pt-type');
  if (!Array.isArray(r)) return r;
  // FAULT_ID_VALID: iommufd_get_fault() finds no FAULT object (IOMMU_FAULT_QUEUE_ALLOC is not modelled); the new
  // HWPT is aborted and destroyed, so nothing of it stays.
  if (cmd.flags & HWPT_ALLOC_FLAGS.FAULT_ID_VALID) return fail('iommufd_get_fault:not-found');
  return done(r[0], rule, { out_hwpt_id: r[1] });
}

/**
 * iommufd_hwpt_paging_destroy(): off the IOAS's hwpt_list and domains, domain freed, IOAS released. A HWPT made by
 * IOMMU_HWPT_LU_RESTORE has no IOAS: only its (restored) domain is freed.
 */
export function iommufdHwptPagingDestroy(k: Kernel, ictx: number, hwpt: HwptPagingObject): Kernel {
  const d = domainById(k, hwpt.domain);
  if (d.restored && k.hw.some((h) => h.domain === hwpt.domain)) {
    // The device was never moved off the restored domain in iommufd's books (it was attached by the IOMMU at boot):
    // the prototype frees a domain the hardware still walks. Not modelled rather than guessed.
    throw new NotModelledError(`destroying restored HWPT ${hwpt.id} while a device is still attached to its domain in hardware`);
  }
  if (preservedOutgoing(k, hwpt.domain)) {
    throw new NotModelledError(`destroying HWPT ${hwpt.id}, whose domain is preserved for a live update (the series leaves this a TODO)`);
  }
  if (hwpt.ioas === null) return forgetDomain(domainFree(k, hwpt.domain), hwpt.domain);
  const ioas = ioasOf(k, ictx, hwpt.ioas);
  let k1 = putObject(k, ictx, { ...ioas, hwpts: ioas.hwpts.filter((h) => h !== hwpt.id) });
  k1 = ioptTableRemoveDomain(k1, ictx, hwpt.ioas, hwpt.domain);
  k1 = domainFree(k1, hwpt.domain);
  return addUsers(k1, ictx, hwpt.ioas, -1);
}

/** Whether `domain` is preserved by an iommufd in an outgoing LUO session (its tables are KHO-preserved). */
function preservedOutgoing(k: Kernel, domain: number): boolean {
  return k.lu.outgoing.some((s) => s.files.some((f) => f.data.handler === 'iommufd' && f.data.hwpts.some((h) => h.domain === domain)));
}

/** The history no longer has a domain holding a preserved domain's translations once it is freed. */
function forgetDomain(k: Kernel, domain: number): Kernel {
  if (!k.history.domains.some((d) => d.domain === domain)) return k;
  return { ...k, history: { ...k.history, domains: k.history.domains.map((d) => (d.domain === domain ? { ...d, domain: null } : d)) } };
}

/** iommufd_hwpt_nested_destroy(): domain freed, parent released. */
export function iommufdHwptNestedDestroy(k: Kernel, ictx: number, hwpt: HwptNestedObject): Kernel {
  return addUsers(domainFree(k, hwpt.domain), ictx, hwpt.parent, -1);
}
