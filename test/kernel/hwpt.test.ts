/**
 * IOMMU_HWPT_ALLOC and HWPT lifetimes (src/kernel/hwpt.ts), after the selftests alloc_hwpt, alloc_hwpt_nested and
 * enforce_dirty (tools/testing/selftests/iommu/iommufd.c).
 */
import { describe, expect, it } from 'vitest';
import { HWPT_ALLOC_FLAGS as F, IOMMU_HWPT_DATA_TYPES as T, domainTranslations } from '../../src/kernel/index.ts';
import { MOCK_APERTURE, P, World, config, mockDev } from './harness.ts';

function mockWorld(profile?: 'linux-6.12' | 'linux-6.16'): { w: World; ioas: number; devid: number } {
  const w = new World(config({ devices: [mockDev('m0'), mockDev('m1'), mockDev('nodirty', { dirtyTracking: false }), { name: 'pci' }] }), profile);
  const ioas = w.newIoas();
  const [devid] = w.bindAttach('m0', ioas);
  return { w, ioas, devid };
}

describe('IOMMU_HWPT_ALLOC paging (selftest alloc_hwpt)', () => {
  it('rotation: attached HWPTs are EBUSY, detached ones destroy; a second device attaches to a manual HWPT', () => {
    const { w, ioas, devid } = mockWorld();
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: ~F.NEST_PARENT }), 'EOPNOTSUPP', 'iommufd_hwpt_paging_alloc:flags');
    const h0 = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas }), 'iommufd_hwpt_alloc:ok-paging').out_hwpt_id as number;
    const h1 = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: F.NEST_PARENT })).out_hwpt_id as number;
    w.ok(w.attach('m0', h0), 'iommufd_device_replace:ok-hwpt');
    w.err(w.destroy(h0), 'EBUSY', 'iommufd_object_remove:busy');
    w.ok(w.attach('m0', h1));
    w.err(w.destroy(h1), 'EBUSY');
    w.ok(w.attach('m0', ioas), 'iommufd_device_replace:ok-auto-new');
    w.ok(w.destroy(h1));
    w.ok(w.bind('m1'));
    w.ok(w.attach('m1', h0), 'iommufd_device_attach:ok-hwpt');
    w.ok(w.close(w.dev('m1')));
    w.ok(w.destroy(h0));
  });

  it('a new HWPT is filled with every area of its IOAS', () => {
    const { w, ioas, devid } = mockWorld();
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], 4n * P));
    const h = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
    const hw = w.k.files.flatMap((f) => (f.kind === 'iommufd' ? f.ctx.objects : [])).find((o) => o.id === h);
    expect(hw?.type === 'HWPT_PAGING' ? domainTranslations(w.k, hw.domain).length : 0).toBe(8);
  });

  it('checks __reserved, data, the device and the pt in the kernel order', () => {
    const { w, ioas, devid } = mockWorld();
    w.err(w.hwptAlloc({ dev_id: 99, pt_id: 99, __reserved: 1 }), 'EOPNOTSUPP', 'iommufd_hwpt_alloc:reserved');
    w.err(w.hwptAlloc({ dev_id: 99, pt_id: 99, data_len: 4 }), 'EINVAL', 'iommufd_hwpt_alloc:data-len');
    w.err(w.hwptAlloc({ dev_id: 99, pt_id: 99, data_type: T.SELFTEST }), 'EINVAL', 'iommufd_hwpt_alloc:data-len');
    w.err(w.hwptAlloc({ dev_id: ioas, pt_id: devid }), 'ENOENT', 'iommufd_get_device:not-found');
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: 99 }), 'EINVAL', 'iommufd_hwpt_alloc:pt-not-found');
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: devid }), 'EINVAL', 'iommufd_hwpt_alloc:pt-type');
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: ioas, data_type: T.SELFTEST, data_len: 4 }), 'EOPNOTSUPP', 'domain_alloc_paging_flags:user-data');
  });

  it('FAULT_ID_VALID finds no FAULT object: ENOENT, and the half-made HWPT leaves nothing behind', () => {
    const { w, ioas, devid } = mockWorld();
    const before = w.k;
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: F.FAULT_ID_VALID, fault_id: 1 }), 'ENOENT', 'iommufd_get_fault:not-found');
    expect(w.k).toBe(before);
  });

  it('6.12 takes neither FAULT_ID_VALID (ORACLE.md probe) nor PASID on a paging HWPT; 6.16 takes both', () => {
    const c = mockWorld('linux-6.12');
    c.w.err(c.w.hwptAlloc({ dev_id: c.devid, pt_id: c.ioas, flags: F.FAULT_ID_VALID }), 'EOPNOTSUPP', 'iommufd_hwpt_paging_alloc:flags');
  });
  it('the PASID flag exists from 6.15 on (6.12: EOPNOTSUPP)', () => {
    const a = mockWorld('linux-6.12');
    a.w.err(a.w.hwptAlloc({ dev_id: a.devid, pt_id: a.ioas, flags: F.PASID }), 'EOPNOTSUPP', 'iommufd_hwpt_paging_alloc:flags');
    const b = mockWorld('linux-6.16');
    b.w.ok(b.w.hwptAlloc({ dev_id: b.devid, pt_id: b.ioas, flags: F.PASID }));
  });
});

describe('dirty tracking (selftest enforce_dirty)', () => {
  it('a device without dirty tracking cannot attach a DIRTY_TRACKING HWPT (EINVAL) nor allocate one (EOPNOTSUPP)', () => {
    const { w, ioas, devid } = mockWorld();
    const h = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: F.DIRTY_TRACKING })).out_hwpt_id as number;
    w.ok(w.bind('m1'));
    w.ok(w.attach('m1', h));
    const nd = w.ok(w.bind('nodirty')).out_devid as number;
    w.err(w.attach('nodirty', h), 'EINVAL', 'iommufd_hw_pagetable_attach:incompatible');
    const ioas2 = w.newIoas();
    w.err(w.hwptAlloc({ dev_id: nd, pt_id: ioas2, flags: F.DIRTY_TRACKING }), 'EOPNOTSUPP', 'iommufd_hwpt_paging_alloc:no-dirty-cap');
  });
});

describe('nested HWPTs (selftest alloc_hwpt_nested)', () => {
  it('negative cases, two nested on one parent, busy parent, the replace chain', () => {
    const { w, ioas, devid } = mockWorld();
    const parent = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: F.NEST_PARENT })).out_hwpt_id as number;
    const notWork = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
    const nested = (pt_id: number, extra: Partial<{ flags: number; data_type: number; data_len: number }> = {}) =>
      w.hwptAlloc({ dev_id: devid, pt_id, flags: 0, data_type: T.SELFTEST, data_len: 4, ...extra });
    w.err(nested(parent, { data_type: T.NONE }), 'EINVAL', 'iommufd_hwpt_alloc:data-len');
    w.err(nested(parent, { data_type: T.SELFTEST + 1 }), 'EOPNOTSUPP', 'mock_domain_alloc_nested:data-type');
    w.err(nested(parent, { data_len: 3 }), 'EINVAL', 'iommu_copy_struct_from_user:short');
    w.err(nested(parent, { flags: F.NEST_PARENT }), 'EOPNOTSUPP', 'iommufd_hwpt_nested_alloc:flags-or-data');
    w.err(nested(notWork), 'EINVAL', 'iommufd_hwpt_nested_alloc:parent');
    const n0 = w.ok(nested(parent), 'iommufd_hwpt_alloc:ok-nested').out_hwpt_id as number;
    const n1 = w.ok(nested(parent)).out_hwpt_id as number;
    w.err(nested(n0), 'EINVAL', 'iommufd_hwpt_alloc:pt-type');
    w.err(w.destroy(parent), 'EBUSY');
    w.ok(w.attach('m0', n0));
    w.err(w.destroy(n0), 'EBUSY');
    w.ok(w.attach('m0', n1));
    w.err(w.destroy(n1), 'EBUSY');
    w.ok(w.destroy(n0));
    w.ok(w.attach('m0', parent));
    w.ok(w.destroy(n1));
    w.ok(w.attach('m0', ioas));
    w.ok(w.destroy(parent));
    w.ok(w.destroy(notWork));
  });

  it('an auto domain is no parent; a PCI driver nested HWPT is not modelled', () => {
    const { w, ioas, devid } = mockWorld();
    w.err(w.hwptAlloc({ dev_id: devid, pt_id: 3, data_type: T.SELFTEST, data_len: 4 }), 'EINVAL', 'iommufd_hwpt_nested_alloc:parent');
    const pci = w.ok(w.bind('pci')).out_devid as number;
    const ioas2 = w.newIoas();
    const p = w.ok(w.hwptAlloc({ dev_id: pci, pt_id: ioas2, flags: F.NEST_PARENT })).out_hwpt_id as number;
    expect(w.notModelled(w.hwptAlloc({ dev_id: pci, pt_id: p, data_type: T.VTD_S1, data_len: 16 }))).toMatch(/nested/);
    void ioas;
  });
});
