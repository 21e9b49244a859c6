/**
 * The io_pagetable layer (src/kernel/ioPagetable.ts): the automatic IOVA allocator of each profile, reserved and
 * allowed ranges, and what adding and removing domains does to an IOAS.
 */
import { describe, expect, it } from 'vitest';
import { ULONG_MAX, type IoasObject } from '../../src/kernel/index.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, RW, World, config, mockDev } from './harness.ts';

function ioasIn(w: World, id: number): IoasObject {
  for (const f of w.k.files) if (f.kind === 'iommufd') for (const o of f.ctx.objects) if (o.type === 'IOAS' && o.id === id) return o;
  throw new Error(`no IOAS ${id}`);
}

describe('iopt_alloc_iova (selftest area_auto_iova)', () => {
  for (const mock of [false, true]) {
    it(`${mock ? 'mock_domain' : 'no_domain'}: aligned to the lowest set bit of the length, avoiding reserved, inside allowed`, () => {
      const w = new World(config({ devices: [mockDev('mock0')] }));
      const ioas = w.newIoas();
      if (mock) w.bindAttach('mock0', ioas);
      const iovas: bigint[] = [];
      for (let i = 0; i < 10; i++) iovas.push(w.ok(w.map({ ioas_id: ioas, length: P })).iova as bigint);
      for (const iova of iovas) w.ok(w.unmap(ioas, iova, P));
      const va = mock ? BUF_VA : 1n << 31n;
      const maps: [bigint, bigint][] = [];
      for (let i = 1n; i <= 10n; i++) {
        const length = P * i;
        const iova = w.ok(w.map({ ioas_id: ioas, user_va: va, length })).iova as bigint;
        const lowBit = length & -length;
        expect(iova % lowBit).toBe(0n);
        maps.push([iova, length]);
      }
      for (const [iova, length] of maps) w.ok(w.unmap(ioas, iova, length));
      w.ok(w.addReserved(ioas, 4n * P, 100n * P));
      for (let i = 1n; i <= 10n; i++) {
        const iova = w.ok(w.map({ ioas_id: ioas, length: P * i })).iova as bigint;
        expect(iova > 4n * P && iova < 104n * P).toBe(false);
      }
      w.ok(w.unmap(ioas, 0n, 0xffff_ffff_ffff_ffffn));
      w.err(w.allow(ioas, [[P, 600n * P]]), 'EADDRINUSE');
      const [lo, hi] = mock ? [MOCK_APERTURE[0] + P, MOCK_APERTURE[0] + 600n * P - 1n] : [200n * P, 600n * P - 1n];
      w.ok(w.allow(ioas, [[lo, hi]]));
      for (let i = 1n; i <= 10n; i++) {
        const iova = w.ok(w.map({ ioas_id: ioas, length: P * i })).iova as bigint;
        expect(iova >= lo && iova + P * i <= hi + 1n).toBe(true);
      }
    });
  }

  it('never returns IOVA 0 and keeps the page offset of the user address', () => {
    const w = new World();
    const ioas = w.newIoas();
    expect(w.ok(w.map({ ioas_id: ioas, length: 1n, user_va: BUF_VA })).iova).toBe(P);
    // The page offset is OR-ed into the aligned start (ALIGN(start, A) | page_offset): with A = 1 and the hole
    // starting at 0x1001, that is 0x1001 | 0x123.
    expect(w.ok(w.map({ ioas_id: ioas, length: 0x100n, user_va: BUF_VA + 0x123n })).iova).toBe(0x1123n);
    expect(w.ok(w.map({ ioas_id: ioas, length: P, user_va: BUF_VA + 0x123n })).iova).toBe(0x1223n | 0x123n);
  });

  it('caps the alignment at HPAGE_SIZE with THP (6.16) and at PAGE_SIZE without (6.12 oracle build)', () => {
    const length = 4n << 20n;
    const at = (profile: 'linux-6.12' | 'linux-6.16'): bigint => {
      const w = new World(config(), profile);
      const ioas = w.newIoas();
      w.ok(w.mapFixed(ioas, P, P));
      return w.ok(w.map({ ioas_id: ioas, length, user_va: BUF_VA })).iova as bigint;
    };
    expect(at('linux-6.16')).toBe(2n << 20n);
    expect(at('linux-6.12')).toBe(2n * P);
  });

  it('a one-byte hole at the end of a window: 6.12.0 takes it, 6.16 and 6.12.117 do not (aligned_start >= last)', () => {
    const run = (profile: 'linux-6.12.0-thp' | 'linux-6.12' | 'linux-6.16') => {
      const w = new World(config(), profile);
      const ioas = w.newIoas();
      w.ok(w.map({ ioas_id: ioas, iova: 0x1000n, length: 1n, flags: RW | FIXED }));
      w.ok(w.allow(ioas, [[0x1000n, 0x1001n]]));
      return w.run(w.map({ ioas_id: ioas, length: 1n }));
    };
    const old = run('linux-6.12.0-thp');
    expect(old.ok && old.out.iova).toBe(0x1001n);
    for (const p of ['linux-6.16', 'linux-6.12'] as const) {
      const neu = run(p);
      expect(!neu.ok && 'errno' in neu && neu.errno).toBe('ENOSPC');
    }
  });

  it('6.12.0 with THP: ALIGN() wraps near the top; the IOMMUFD_TEST re-check refuses it, or IOVA 0 comes back', () => {
    const s = 0xffff_ffff_ffe0_1000n;
    const length = 0x101000n;
    const w = new World(config(), 'linux-6.12.0-thp');
    const ioas = w.newIoas();
    w.ok(w.map({ ioas_id: ioas, iova: 0x1000n, length: s - 0x1000n, user_va: 0n, flags: RW | FIXED }));
    w.err(w.map({ ioas_id: ioas, length }), 'EINVAL', 'iopt_alloc_area_pages:test-check-iova');
    const w2 = new World(config(), 'linux-6.12.0-thp');
    const ioas2 = w2.newIoas();
    w2.ok(w2.map({ ioas_id: ioas2, iova: 0x200000n, length: s - 0x200000n, user_va: 0n, flags: RW | FIXED }));
    expect(w2.ok(w2.map({ ioas_id: ioas2, length })).iova).toBe(0n);
    const w3 = new World(config(), 'linux-6.16');
    const ioas3 = w3.newIoas();
    w3.ok(w3.map({ ioas_id: ioas3, iova: 0x200000n, length: s - 0x200000n, user_va: 0n, flags: RW | FIXED }));
    w3.err(w3.map({ ioas_id: ioas3, length }), 'ENOSPC', 'iopt_alloc_iova:no-space');
  });

  it('EOVERFLOW for a huge length, EINVAL for an alignment below the IOAS alignment, ENOSPC when nothing fits', () => {
    const w = new World(config({ devices: [mockDev('mock0')] }));
    const ioas = w.newIoas();
    w.err(w.map({ ioas_id: ioas, length: 1n << 63n }), 'EOVERFLOW', 'iopt_alloc_iova:length');
    w.bindAttach('mock0', ioas);
    w.err(w.map({ ioas_id: ioas, length: 2048n, user_va: BUF_VA + 1024n }), 'EINVAL', 'iopt_alloc_iova:alignment');
    w.ok(w.allow(ioas, [[MOCK_APERTURE[0], MOCK_APERTURE[0] + P - 1n]]));
    w.err(w.map({ ioas_id: ioas, length: 2n * P }), 'ENOSPC', 'iopt_alloc_iova:no-space');
  });
});

describe('iopt_table_add_domain / iopt_table_remove_domain', () => {
  it('a domain reserves the outside of its aperture; IOVA_RANGES narrows, then widens when it goes', () => {
    const w = new World(config({ devices: [mockDev('mock0')] }));
    const ioas = w.newIoas();
    w.bindAttach('mock0', ioas);
    expect(ioasIn(w, ioas).reserved.map((r) => r.owner)).toEqual(['domain:1', 'domain:1']);
    w.ok(w.detach('mock0'));
    expect(ioasIn(w, ioas).reserved).toEqual([]);
    expect(w.ok(w.ranges(ioas)).allowed_iovas).toEqual([{ start: 0n, last: ULONG_MAX }]);
  });

  it('an area outside the aperture, or an allowed range there, makes the attach EADDRINUSE', () => {
    const w = new World(config({ devices: [mockDev('mock0')] }));
    const ioas = w.newIoas();
    w.ok(w.allow(ioas, [[P, 2n * P]]));
    w.ok(w.bind('mock0'));
    w.err(w.attach('mock0', ioas), 'EADDRINUSE', 'iopt_reserve_iova:in-use');
    expect(w.k.domains).toEqual([]);
    expect(w.k.hw[0]?.domain).toBe('blocked');
  });

  it('a domain whose smallest page exceeds PAGE_SIZE is EINVAL; one raising the alignment over a misaligned area EADDRINUSE', () => {
    const w = new World(config({ devices: [{ name: 'big', pgsize: 2n * P }, { name: 'pci' }] }));
    const ioas = w.newIoas();
    w.ok(w.bind('big'));
    w.err(w.attach('big', ioas), 'EINVAL', 'iopt_table_add_domain:alignment');
    w.ok(w.map({ ioas_id: ioas, iova: 0x10800n, length: 0x800n, flags: RW | FIXED }));
    w.ok(w.bind('pci'));
    w.err(w.attach('pci', ioas), 'EADDRINUSE', 'iopt_check_iova_alignment:misaligned-area');
  });

  it('removing a middle domain moves the last one into its slot (io_pagetable::domains compaction)', () => {
    const w = new World(config({ devices: [mockDev('a'), mockDev('b'), mockDev('c')] }));
    const ioas = w.newIoas();
    const hwpts: number[] = [];
    for (const d of ['a', 'b', 'c']) {
      const devid = w.ok(w.bind(d)).out_devid as number;
      hwpts.push(w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number);
    }
    expect(ioasIn(w, ioas).domains).toEqual([1, 2, 3]);
    w.ok(w.destroy(hwpts[0] as number));
    expect(ioasIn(w, ioas).domains).toEqual([3, 2]);
  });

  it('fills a new domain with every existing area and unmaps all of them when it goes', () => {
    const w = new World(config({ devices: [mockDev('mock0')] }));
    const ioas = w.newIoas();
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], 2n * P));
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0] + 8n * P, P, BUF_VA + 8n * P));
    w.bindAttach('mock0', ioas);
    expect(w.k.process.mmPinnedVm).toBe(3);
    w.ok(w.detach('mock0'));
    expect(w.k.process.mmPinnedVm).toBe(0);
    expect(w.k.frames.filter((f) => f?.owner.kind === 'pagetable')).toEqual([]);
  });
});
