/**
 * The object table (src/kernel/main.ts): ids, IOMMU_DESTROY by dependency, and the release of a whole context.
 */
import { describe, expect, it } from 'vitest';
import { HWPT_ALLOC_FLAGS as F, IOMMU_HWPT_DATA_TYPES as T } from '../../src/kernel/index.ts';
import { MOCK_APERTURE, P, World, config, mockDev } from './harness.ts';

describe('IOMMU_DESTROY', () => {
  it('cmd_fail: id 0 and an unknown id are ENOENT', () => {
    const w = new World();
    w.err(w.destroy(0), 'ENOENT', 'iommufd_object_remove:not-found');
    w.err(w.destroy(5), 'ENOENT');
  });
  it('ioas_destroy / ioas_area_destroy: areas do not hold an IOAS, a HWPT does', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const a = w.newIoas();
    w.ok(w.mapFixed(a, MOCK_APERTURE[0], P));
    w.ok(w.destroy(a), 'iommufd_destroy:ok');
    const b = w.newIoas();
    expect(b).toBe(a);
    w.bindAttach('m0', b);
    w.ok(w.mapFixed(b, MOCK_APERTURE[0], P));
    w.err(w.destroy(b), 'EBUSY', 'iommufd_object_remove:busy');
  });
  it('destroying an IOAS drops its test reservations and areas (their pages go too)', () => {
    const w = new World();
    const a = w.newIoas();
    w.ok(w.addReserved(a, P, P));
    w.ok(w.mapFixed(a, 4n * P, P));
    w.ok(w.destroy(a));
    const ctx = w.k.files.find((f) => f.kind === 'iommufd');
    expect(ctx?.kind === 'iommufd' && [ctx.ctx.objects, ctx.ctx.pages]).toEqual([[], []]);
  });
});

describe('close of the iommufd (iommufd_fops_release)', () => {
  it('ioas_area_auto_destroy: many areas, nested HWPTs and parents: everything goes, leaf first', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const ioas = w.newIoas();
    for (let i = 0n; i < 10n; i++) w.ok(w.mapFixed(ioas, MOCK_APERTURE[0] + i * P, P));
    const devid = w.ok(w.bind('m0')).out_devid as number;
    const parent = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas, flags: F.NEST_PARENT })).out_hwpt_id as number;
    w.ok(w.hwptAlloc({ dev_id: devid, pt_id: parent, data_type: T.SELFTEST, data_len: 4 }));
    w.ok(w.attach('m0', ioas));
    w.ok(w.close(w.dev('m0')));
    w.ok(w.close(w.ifd));
    expect(w.k.files).toEqual([]);
    expect(w.k.domains).toEqual([]);
    // The process's own page stays (it is its memory), unpinned; every page-table frame is gone.
    expect(w.k.frames.filter((f) => f !== null).map((f) => [f?.label, f?.pins])).toEqual([['buf:0', 0]]);
    expect(w.k.process.mmPinnedVm).toBe(0);
  });
  it('a mock device takes no context reference of its own (selftest devices), a PCI one does', () => {
    const w = new World(config({ devices: [mockDev('m0'), { name: 'pci' }] }));
    w.ok(w.bind('m0'));
    expect(w.k.files.find((f) => f.kind === 'iommufd')?.refs).toBe(2);
    w.ok(w.bind('pci'));
    expect(w.k.files.find((f) => f.kind === 'iommufd')?.refs).toBe(4);
  });
});
