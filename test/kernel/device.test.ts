/**
 * Devices (src/kernel/device.ts): VFIO cdev bind / attach / replace / detach / release, automatic HWPTs, and what
 * the hardware does for the device at each step.
 */
import { describe, expect, it } from 'vitest';
import { VFIO_DEVICE_PT_FLAGS } from '../../src/kernel/index.ts';
import { MOCK_APERTURE, P, World, config, mockDev } from './harness.ts';

const hwOf = (w: World, name: string) => w.k.hw.find((h) => h.device === name);
const objects = (w: World) => w.k.files.flatMap((f) => (f.kind === 'iommufd' ? f.ctx.objects : []));

describe('VFIO_DEVICE_BIND_IOMMUFD', () => {
  it('creates the DEVICE object, claims DMA ownership (blocked), and refuses a second bind', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    expect(hwOf(w, 'm0')).toEqual({ device: 'm0', domain: 'default', pt: null, dmaOwner: null, luClaimed: false });
    expect(w.ok(w.bind('m0'), 'vfio_df_ioctl_bind_iommufd:ok').out_devid).toBe(1);
    expect(hwOf(w, 'm0')).toEqual({ device: 'm0', domain: 'blocked', pt: null, dmaOwner: 1, luClaimed: false });
    w.err(w.bind('m0'), 'EINVAL', 'vfio_df_ioctl_bind_iommufd:bound');
  });
  it('checks flags, the fd, and the kind of file', () => {
    const w = new World(config({ devices: [mockDev('m0')], memfds: [{ name: 'g', pages: 1 }] }));
    w.err(w.bind('m0', w.ifd, 1), 'EINVAL', 'vfio_df_ioctl_bind_iommufd:args');
    w.err(w.bind('m0', -1), 'EINVAL', 'vfio_df_ioctl_bind_iommufd:args');
    w.err(w.bind('m0', 77), 'EBADF', 'iommufd_ctx_from_fd:bad-fd');
    w.err(w.bind('m0', w.memfd('g')), 'EBADFD', 'iommufd_ctx_from_fd:not-iommufd');
  });
  it('an unbound cdev refuses every other ioctl with EINVAL; a bound one answers iommufd ioctls ENOTTY', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    w.err(w.attach('m0', 1), 'EINVAL', 'vfio_device_fops_unl_ioctl:not-bound');
    w.err(w.detach('m0'), 'EINVAL', 'vfio_device_fops_unl_ioctl:not-bound');
    w.err({ op: 'IOMMU_IOAS_ALLOC', fd: w.dev('m0'), arg: { flags: 0 } }, 'EINVAL', 'vfio_device_fops_unl_ioctl:not-bound');
    w.ok(w.bind('m0'));
    w.err({ op: 'IOMMU_IOAS_ALLOC', fd: w.dev('m0'), arg: { flags: 0 } }, 'ENOTTY', 'vfio_device_fops_unl_ioctl:unknown');
  });
});

describe('VFIO_DEVICE_ATTACH_IOMMUFD_PT', () => {
  it('to an IOAS: a new automatic HWPT; a second device of the same IOMMU reuses it', () => {
    const w = new World(config({ devices: [mockDev('m0'), mockDev('m1')] }));
    const ioas = w.newIoas();
    w.ok(w.bind('m0'));
    expect(w.ok(w.attach('m0', ioas), 'iommufd_device_attach:ok-auto-new').pt_id).toBe(3);
    expect(hwOf(w, 'm0')?.domain).toBe(1);
    w.ok(w.bind('m1'));
    expect(w.ok(w.attach('m1', ioas), 'iommufd_device_attach:ok-auto-reuse').pt_id).toBe(3);
    expect(hwOf(w, 'm1')?.domain).toBe(1);
  });

  it('a device of another IOMMU skips the incompatible auto HWPT and gets its own', () => {
    const w = new World(config({ devices: [mockDev('m0'), { name: 'pci' }] }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.bind('pci'));
    expect(w.ok(w.attach('pci', ioas), 'iommufd_device_attach:ok-auto-new').pt_id).toBe(5);
    expect(w.k.domains.map((d) => d.iommu)).toEqual(['mock', 'pci:0-281474976710655:1075843072']);
  });

  it('hwpt_attach: to an existing HWPT, or ENOENT for an id that is gone', () => {
    const w = new World(config({ devices: [mockDev('m0'), mockDev('m1')] }));
    const ioas = w.newIoas();
    const [, hwpt] = w.bindAttach('m0', ioas);
    w.ok(w.bind('m1'));
    w.ok(w.attach('m1', hwpt), 'iommufd_device_attach:ok-hwpt');
    w.err(w.attach('m1', 42), 'ENOENT', 'iommufd_device_change_pt:not-found');
  });

  it('to a DEVICE id is EINVAL; to another IOMMU\'s HWPT is EINVAL', () => {
    const w = new World(config({ devices: [mockDev('m0'), { name: 'pci' }] }));
    const ioas = w.newIoas();
    const [devid, hwpt] = w.bindAttach('m0', ioas);
    w.ok(w.bind('pci'));
    w.err(w.attach('pci', devid), 'EINVAL', 'iommufd_device_change_pt:type');
    w.err(w.attach('pci', hwpt), 'EINVAL', 'iommufd_hw_pagetable_attach:incompatible');
    w.ok(w.attach('pci', ioas));
    w.err(w.attach('pci', hwpt), 'EINVAL', 'iommufd_device_do_replace:incompatible');
  });

  it('flags: any is EINVAL on 6.12; on 6.16 an undefined one is EINVAL and PASID is not modelled', () => {
    const a = new World(config({ devices: [mockDev('m0')] }), 'linux-6.12');
    a.ok(a.bind('m0'));
    a.err(a.attach('m0', 1, VFIO_DEVICE_PT_FLAGS.PASID), 'EINVAL', 'vfio_df_ioctl_attach_pt:flags');
    a.err(a.detach('m0', VFIO_DEVICE_PT_FLAGS.PASID), 'EINVAL', 'vfio_df_ioctl_detach_pt:flags');
    const b = new World(config({ devices: [mockDev('m0')] }), 'linux-6.16');
    b.ok(b.bind('m0'));
    b.err(b.attach('m0', 1, 2), 'EINVAL', 'vfio_df_ioctl_attach_pt:flags');
    b.err(b.detach('m0', 2), 'EINVAL', 'vfio_df_ioctl_detach_pt:flags');
    expect(b.notModelled(b.attach('m0', 1, VFIO_DEVICE_PT_FLAGS.PASID))).toMatch(/PASID/);
    expect(b.notModelled(b.detach('m0', VFIO_DEVICE_PT_FLAGS.PASID))).toMatch(/PASID/);
  });
});

describe('replace (selftest mock_domain replace)', () => {
  it('one device: replacing away destroys the auto HWPT (its id is then ENOENT); two devices share and keep it', () => {
    const w = new World(config({ devices: [mockDev('m0'), mockDev('m1')] }));
    const ioas = w.newIoas();
    const [, hwpt] = w.bindAttach('m0', ioas);
    const ioas2 = w.newIoas();
    w.ok(w.attach('m0', ioas2), 'iommufd_device_replace:ok-auto-new');
    w.err(w.attach('m0', hwpt), 'ENOENT');
    expect(w.ok(w.attach('m0', ioas2), 'iommufd_device_replace:ok-same').pt_id).not.toBe(hwpt);
    w.ok(w.attach('m0', ioas));
    w.ok(w.destroy(ioas2));

    const v = new World(config({ devices: [mockDev('m0'), mockDev('m1')] }));
    const i1 = v.newIoas();
    const [, h] = v.bindAttach('m0', i1);
    v.bindAttach('m1', i1);
    const i2 = v.newIoas();
    v.ok(v.attach('m0', i2), 'iommufd_device_replace:ok-auto-new');
    v.ok(v.attach('m0', h), 'iommufd_device_replace:ok-hwpt');
    v.ok(v.attach('m0', h), 'iommufd_device_replace:ok-same');
    const a = v.ok(v.attach('m0', i2), 'iommufd_device_replace:ok-auto-new').pt_id as number;
    v.ok(v.attach('m1', i2), 'iommufd_device_replace:ok-auto-reuse');
    v.err(v.attach('m1', h), 'ENOENT');
    expect(objects(v).filter((o) => o.type === 'HWPT_PAGING').map((o) => o.id)).toEqual([a]);
  });

  it('the hardware switches from one domain to the other in one step', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const ioas = w.newIoas();
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], P));
    w.bindAttach('m0', ioas);
    const ioas2 = w.newIoas();
    w.ok(w.mapFixed(ioas2, MOCK_APERTURE[0], P));
    expect(hwOf(w, 'm0')?.domain).toBe(1);
    w.ok(w.attach('m0', ioas2));
    expect(hwOf(w, 'm0')?.domain).toBe(2);
    expect(w.k.domains.map((d) => d.id)).toEqual([2]);
    expect(objects(w).filter((o) => o.type === 'HWPT_PAGING').map((o) => o.id)).toEqual([5]);
  });
});

describe('VFIO_DEVICE_DETACH_IOMMUFD_PT and release', () => {
  it('detach blocks the device and drops the auto HWPT; detaching again is a no-op success', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.detach('m0'), 'iommufd_device_detach:ok');
    expect(hwOf(w, 'm0')?.domain).toBe('blocked');
    expect(objects(w).map((o) => o.type)).toEqual(['IOAS', 'DEVICE']);
    w.ok(w.detach('m0'), 'vfio_iommufd_physical_detach_ioas:not-attached');
  });

  it('a DEVICE cannot be destroyed with IOMMU_DESTROY (its driver holds it); closing the cdev unbinds', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const ioas = w.newIoas();
    const [devid] = w.bindAttach('m0', ioas);
    w.err(w.destroy(devid), 'EBUSY');
    w.err(w.destroy(ioas), 'EBUSY');
    w.ok(w.close(w.dev('m0')));
    expect(hwOf(w, 'm0')).toEqual({ device: 'm0', domain: 'default', pt: null, dmaOwner: null, luClaimed: false });
    expect(objects(w).map((o) => o.id)).toEqual([ioas]);
    w.ok(w.destroy(ioas));
  });

  it('the iommufd lives while a bound cdev holds it, and goes with the cdev', () => {
    const w = new World(config({ devices: [{ name: 'pci' }] }));
    const ioas = w.newIoas();
    w.bindAttach('pci', ioas);
    w.ok(w.close(w.ifd));
    expect(w.k.files.filter((f) => f.kind === 'iommufd').map((f) => f.refs)).toEqual([2]);
    expect(hwOf(w, 'pci')?.domain).toBe(1);
    w.ok(w.close(w.dev('pci')));
    expect(w.k.files.filter((f) => f.kind === 'iommufd')).toEqual([]);
    expect(w.k.frames).toEqual([]);
  });
});
