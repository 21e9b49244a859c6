/**
 * The VFIO cdev LUO handler with its IOMMU side (SK-v1 12-14/14: iommufd_device_preserve(), iommu_preserve_device();
 * DM-v3 "vfio-pci-v1" for the cdev itself).
 *
 * - preserve: an unbound cdev, or a bound one not attached to a HWPT, is preserved with no IOMMU state. One attached
 *   to a HWPT that is not marked is EINVAL; one whose HWPT is marked but whose iommufd is not preserved in the same
 *   session is ENOENT; a HWPT marked after its iommufd was preserved has no preserved domain (EINVAL). (A device that
 *   is not PCI, the selftest mock, is EOPNOTSUPP in iommu_preserve_device(); its mock domain already stopped the
 *   iommufd preserve, so that check is never reached here.) A preserved attached device is recorded for the next kernel's IOMMU
 *   (re-attach at boot) and in the history with the translations it has now.
 * - retrieve: a new cdev, unbound, that binds only to the iommufd retrieved from the same session (device.ts).
 * - can_finish: retrieved. finish: the live update's DMA-ownership claim ends (the retrieved cdev owns the device).
 */
import type { DeviceObject, File, LuoFileData } from './types.ts';
import { fail } from './outcome.ts';
import { getObject, objectOf } from './main.ts';
import { addFile } from './files.ts';
import { preservedInSession } from './luo.ts';
import { domainRuns } from './iommufdLuo.ts';
import type { LuoHandler } from './luoHandler.ts';

type VfioData = Extract<LuoFileData, { handler: 'vfio' }>;

/** The VFIO cdev handler. */
export const VFIO_LUO: LuoHandler = {
  name: 'vfio',

  canPreserve: (f: File) => f.kind === 'vfio',

  preserve(k, session, f) {
    if (f.kind !== 'vfio') throw new Error('model bug: not a cdev');
    const none: VfioData = { handler: 'vfio', device: f.device, hwptToken: null, iommufdToken: null };
    if (!f.bound) return [k, none];
    const dev: DeviceObject = objectOf(k, f.bound.iommufd, f.bound.devid, 'DEVICE');
    if (dev.hwpt === null) return [k, none];
    const hwpt = getObject(k, f.bound.iommufd, dev.hwpt);
    if (!hwpt || hwpt.type !== 'HWPT_PAGING' || hwpt.luToken === null) return fail('iommufd_device_preserve:hwpt-not-marked');
    const ifile = preservedInSession(k, session, f.bound.iommufd);
    if (!ifile || ifile.data.handler !== 'iommufd') return fail('iommufd_device_preserve:iommufd-not-preserved');
    const entry = ifile.data.hwpts.find((h) => h.token === hwpt.luToken && h.domain === hwpt.domain);
    if (!entry) return fail('iommu_preserve_device:domain-not-preserved');
    const record = { session, device: f.device, translations: domainRuns(k, hwpt.domain) };
    const devices = [...k.history.devices.filter((d) => d.device !== f.device), record].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    const k1 = { ...k, history: { ...k.history, devices } };
    return [k1, { handler: 'vfio', device: f.device, hwptToken: hwpt.luToken, iommufdToken: ifile.token }];
  },

  unpreserve(k, session, lf) {
    if (lf.data.handler !== 'vfio') throw new Error('model bug: not a VFIO LUO file');
    const device = lf.data.device;
    return { ...k, history: { ...k.history, devices: k.history.devices.filter((d) => !(d.session === session && d.device === device)) } };
  },

  retrieve(k, session, lf) {
    if (lf.data.handler !== 'vfio') throw new Error('model bug: not a VFIO LUO file');
    const lu = lf.data.iommufdToken === null ? null : { session, iommufdToken: lf.data.iommufdToken };
    return addFile(k, { kind: 'vfio', id: 0, refs: 0, device: lf.data.device, bound: null, lu });
  },

  canFinish: (_k, _session, lf) => lf.retrieved,

  finish(k, _session, lf) {
    if (lf.data.handler !== 'vfio') throw new Error('model bug: not a VFIO LUO file');
    const device = lf.data.device;
    return { ...k, hw: k.hw.map((h) => (h.device === device ? { ...h, luClaimed: false } : h)) };
  },
};

