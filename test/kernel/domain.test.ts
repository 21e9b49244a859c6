/**
 * I/O page tables (src/kernel/domain.ts): level shapes, the profiles' layout policies, the walk, and table pages
 * as frames.
 */
import { describe, expect, it } from 'vitest';
import { domainTranslations, leafSizes, translate, PCI_DEFAULT_PGSIZE } from '../../src/kernel/index.ts';
import { levelsFor } from '../../src/kernel/domain.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, RW, World, config, mockDev } from './harness.ts';

const K4 = 1n << 12n;
const M2 = 1n << 21n;

describe('levelsFor', () => {
  it('one level per supported page size, then 9-bit levels up to the aperture', () => {
    expect(levelsFor(PCI_DEFAULT_PGSIZE, (1n << 48n) - 1n)).toEqual([12, 21, 30, 39]);
    expect(levelsFor(2048n, MOCK_APERTURE[1])).toEqual([11, 20, 29]);
    expect(levelsFor(0x5000n, (1n << 48n) - 1n)).toEqual([12, 14, 23, 32, 41]);
  });
});

describe('leafSizes (iommu_pgsize)', () => {
  it('largest-fit: the largest size fitting the alignment of iova|paddr and the remaining length', () => {
    expect(leafSizes(PCI_DEFAULT_PGSIZE, 0n, 0n, M2 + K4, 'largest-fit')).toEqual([M2, K4]);
    const s = leafSizes(PCI_DEFAULT_PGSIZE, K4, K4, 4n * (1n << 20n), 'largest-fit');
    expect(s.length).toBe(513);
    expect(s[511]).toBe(M2);
    expect(leafSizes(PCI_DEFAULT_PGSIZE, 0n, K4, 4n * M2, 'largest-fit').every((x) => x === K4)).toBe(true);
  });
  it('base-pages: every leaf is the smallest page', () => {
    expect(leafSizes(PCI_DEFAULT_PGSIZE, 0n, 0n, M2, 'base-pages')).toEqual(Array(512).fill(K4));
  });
  it('refuses a range not aligned to the smallest page (a model bug, never produced by iommufd)', () => {
    expect(() => leafSizes(PCI_DEFAULT_PGSIZE, 0x800n, 0n, K4, 'largest-fit')).toThrow(/model bug/);
  });
});

describe('domains as page tables in memory', () => {
  /** A 4K|16K PCI IOMMU, 8 pages mapped at an IOVA congruent to their frames modulo 16K. */
  function mapped(profile: 'linux-6.12' | 'linux-6.16'): World {
    const w = new World(config({ devices: [{ name: 'd', pgsize: 0x5000n }] }), profile);
    const ioas = w.newIoas();
    w.bindAttach('d', ioas);
    w.ok(w.map({ ioas_id: ioas, iova: 0x11000n, length: 8n * P, flags: RW | FIXED }));
    return w;
  }

  it('6.16 coalesces an aligned run into a 16K leaf; 6.12 maps base pages only', () => {
    const sizes = (w: World) => domainTranslations(w.k, 1).map((t) => [t.iova, t.size, t.phys]);
    expect(sizes(mapped('linux-6.16'))).toEqual([
      [0x11000n, K4, 0x1000n], [0x12000n, K4, 0x2000n], [0x13000n, K4, 0x3000n], [0x14000n, 0x4000n, 0x4000n], [0x18000n, K4, 0x8000n],
    ]);
    expect(sizes(mapped('linux-6.12')).length).toBe(8);
  });

  it('translate() walks the table frames: phys, prot, leaf size; a hole is a fault (null)', () => {
    const w = mapped('linux-6.16');
    expect(translate(w.k, 1, 0x15123n)).toEqual({ phys: 0x5123n, prot: 7, size: 0x4000n });
    expect(translate(w.k, 1, 0x10000n)).toBeNull();
    expect(translate(w.k, 1, 0x19000n)).toBeNull();
  });

  it('table pages are frames owned by the domain, freed when empty (all but the top) and with the domain', () => {
    const w = mapped('linux-6.16');
    const tables = () => w.k.frames.filter((f) => f?.owner.kind === 'pagetable').map((f) => f?.label);
    // 4K leaves sit in level-0 tables of 16K each: 0x11000-0x13fff in one, 0x18000 in another; the 16K leaf in level 1.
    expect(tables()).toEqual(['pt:d1:l4', 'pt:d1:l3', 'pt:d1:l2', 'pt:d1:l1', 'pt:d1:l0', 'pt:d1:l0']);
    w.ok(w.unmap(1, 0x11000n, 8n * P));
    expect(tables()).toEqual(['pt:d1:l4']);
    w.ok(w.detach('d'));
    expect(tables()).toEqual([]);
  });

  it('HUGE_PAGES=0 maps PAGE_SIZE at a time (batch_iommu_map_small) even on 6.16', () => {
    const w = new World(config({ devices: [{ name: 'd', pgsize: 0x5000n }] }), 'linux-6.16');
    const ioas = w.newIoas();
    w.ok(w.option({ option_id: 1, op: 0, object_id: ioas, val64: 0n }));
    w.bindAttach('d', ioas);
    w.ok(w.map({ ioas_id: ioas, iova: 0x11000n, length: 8n * P, flags: RW | FIXED }));
    expect(domainTranslations(w.k, 1).every((t) => t.size === K4)).toBe(true);
  });

  it('a mock domain maps a 4K page as two 2K leaves, the second half of a page at an odd 2K offset', () => {
    const w = new World(config({ devices: [mockDev('m')] }));
    const ioas = w.newIoas();
    w.bindAttach('m', ioas);
    w.ok(w.map({ ioas_id: ioas, iova: MOCK_APERTURE[0], length: P, user_va: BUF_VA + 2048n, flags: RW | FIXED }));
    const t = domainTranslations(w.k, 1);
    expect(t.map((x) => x.size)).toEqual([2048n, 2048n]);
    expect(t[0]?.phys !== undefined && t[0].phys % P).toBe(2048n);
  });
});
