/**
 * Kernel profiles (src/kernel/profiles.ts): what each kernel has, and that the shipped ones differ in the IOVA
 * allocator and the page-table layout as the issue requires.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, PROFILES } from '../../src/kernel/index.ts';

describe('profiles', () => {
  it('the default is the newest kernel modelled, and has IOMMU_IOAS_MAP_FILE', () => {
    expect(DEFAULT_PROFILE).toBe('linux-6.16');
    expect(PROFILES[DEFAULT_PROFILE].ioctls).toContain('IOMMU_IOAS_MAP_FILE');
    expect(PROFILES['linux-6.12'].ioctls).not.toContain('IOMMU_IOAS_MAP_FILE');
  });
  it('6.12 and 6.16 differ in allocator policy and page-table layout; every profile names itself', () => {
    const a = PROFILES['linux-6.12'];
    const b = PROFILES['linux-6.16'];
    expect(a.iovaAllocator).not.toEqual(b.iovaAllocator);
    expect(a.pageTableLayout).not.toBe(b.pageTableLayout);
    for (const [name, p] of Object.entries(PROFILES)) expect(p.name).toBe(name);
  });
});
