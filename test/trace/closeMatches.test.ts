import { describe, expect, it } from 'vitest';
import { closeMatches, didYouMean } from '../../src/trace/closeMatches.ts';

const OPS = ['IOMMU_IOAS_MAP', 'IOMMU_IOAS_MAP_FILE', 'IOMMU_IOAS_UNMAP', 'IOMMU_IOAS_COPY', 'IOMMU_DESTROY'];

describe('closeMatches', () => {
  it('finds misspellings by edit distance, closest first', () => {
    expect(closeMatches('IOMMU_IOAS_MAPP', OPS)).toEqual(['IOMMU_IOAS_MAP', 'IOMMU_IOAS_COPY', 'IOMMU_IOAS_UNMAP']);
    expect(closeMatches('iommu_destroy', OPS)).toEqual(['IOMMU_DESTROY']);
  });

  it('finds names that only add a prefix or a suffix', () => {
    expect(closeMatches('IOAS_MAP', OPS)).toEqual(['IOMMU_IOAS_MAP']);
    expect(closeMatches('READ', ['FIXED_IOVA', 'READABLE', 'WRITEABLE'])).toEqual(['READABLE']);
  });

  it('suggests nothing when nothing is close', () => {
    expect(closeMatches('FROBNICATE', OPS)).toEqual([]);
    expect(didYouMean('FROBNICATE', OPS)).toBe('');
    expect(didYouMean('IOMMU_DESTORY', OPS)).toBe('; did you mean IOMMU_DESTROY?');
  });
});
