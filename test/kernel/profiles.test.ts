/**
 * Kernel profiles (src/kernel/profiles.ts): what each kernel has, and that the shipped ones differ in the IOVA
 * allocator and the page-table layout as the issue requires.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, PROFILES } from '../../src/kernel/index.ts';

describe('profiles', () => {
  it('the default is the kernel with the IOMMU live-update restore path, and has IOMMU_IOAS_MAP_FILE', () => {
    expect(DEFAULT_PROFILE).toBe('linux-7.1-sk-restore');
    expect(PROFILES[DEFAULT_PROFILE].ioctls).toContain('IOMMU_IOAS_MAP_FILE');
    expect(PROFILES[DEFAULT_PROFILE].ioctls).toContain('IOMMU_HWPT_LU_RESTORE');
    expect(PROFILES[DEFAULT_PROFILE].liveUpdate.iommufd?.restore).toBe(true);
    expect(PROFILES['linux-6.12'].ioctls).not.toContain('IOMMU_IOAS_MAP_FILE');
  });
  it('the live-update profiles reach every mismatch behaviour of domain.md §E between them', () => {
    const lu = (n: keyof typeof PROFILES) => PROFILES[n].liveUpdate;
    // continue: another KHO ABI (revival disabled)
    expect(lu('linux-6.19').kho).not.toBe(lu('linux-7.1-sk-restore').kho);
    // panic: the same KHO, another LUO ABI
    expect(lu('linux-7.2').kho).toBe(lu('linux-7.1-sk-restore').kho);
    expect(lu('linux-7.2').luo?.compatible).not.toBe(lu('linux-7.1-sk-restore').luo?.compatible);
    // refuse (EIO) and a device losing its translation: the same KHO and LUO, no IOMMU/iommufd/VFIO handler
    expect(lu('linux-7.1').luo).toEqual(lu('linux-7.1-sk-restore').luo);
    expect(lu('linux-7.1').iommu).toBeNull();
    expect(lu('linux-7.1').iommufd).toBeNull();
    // upgrade and rollback between the series as posted and with the restore path: every ABI the same
    const { iommufd: a, ...restA } = lu('linux-7.1-sk-v1');
    const { iommufd: b, ...restB } = lu('linux-7.1-sk-restore');
    expect(restA).toEqual(restB);
    expect(a?.compatible).toBe(b?.compatible);
    expect([a?.restore, b?.restore]).toEqual([false, true]);
    // the older LUO with fixed limits and memfd-v1, the newest without limits
    expect(lu('linux-6.19').luo?.limits).toEqual({ filesPerSession: 128, sessions: 819 });
    expect(lu('linux-6.19').memfd).toEqual({ compatible: 'memfd-v1', seals: false });
    expect(lu('linux-7.2').luo?.limits).toBeNull();
  });
  it('6.12 and 6.16 differ in allocator policy and page-table layout; every profile names itself', () => {
    const a = PROFILES['linux-6.12'];
    const b = PROFILES['linux-6.16'];
    expect(a.iovaAllocator).not.toEqual(b.iovaAllocator);
    expect(a.pageTableLayout).not.toBe(b.pageTableLayout);
    for (const [name, p] of Object.entries(PROFILES)) expect(p.name).toBe(name);
  });
});
