/**
 * The IOAS ioctls (src/kernel/ioas.ts), success and error paths, many as the kernel selftests
 * (tools/testing/selftests/iommu/iommufd.c) run them, in the no_domain and mock_domain fixture variants.
 */
import { describe, expect, it } from 'vitest';
import { IOMMU_OPTION_IDS as OPT, IOMMU_OPTION_OPS as OP, ULONG_MAX } from '../../src/kernel/index.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, RW, U64_MAX, World, config, mockDev } from './harness.ts';

/** The selftest's iommufd_ioas fixture: an IOAS and, with `mock`, one mock device attached to it. */
function fixture(mock: boolean): { w: World; ioas: number; base: bigint } {
  const w = new World(config({ devices: [mockDev('mock0'), mockDev('mock1')] }));
  const ioas = w.newIoas();
  if (mock) w.bindAttach('mock0', ioas);
  return { w, ioas, base: mock ? MOCK_APERTURE[0] : 0n };
}

describe('IOMMU_IOAS_ALLOC', () => {
  it('hands out the lowest free id from 1 and takes it back after destroy', () => {
    const w = new World();
    expect(w.newIoas()).toBe(1);
    expect(w.newIoas()).toBe(2);
    w.ok(w.destroy(1));
    expect(w.newIoas()).toBe(1);
  });
  it('refuses flags with EOPNOTSUPP', () => {
    const w = new World();
    w.err(w.ioasAlloc(1), 'EOPNOTSUPP', 'iommufd_ioas_alloc_ioctl:flags');
  });
});

describe('IOMMU_IOAS_MAP / UNMAP (selftest iommufd_ioas.area)', () => {
  for (const mock of [false, true]) {
    it(`${mock ? 'mock_domain' : 'no_domain'}: unmap of nothing, maps, no split, no over-map, unmap all`, () => {
      const { w, ioas, base } = fixture(mock);
      for (let i = 0n; i < 10n; i++) w.err(w.unmap(ioas, i * P, P), 'ENOENT', 'iommufd_ioas_unmap:nothing-unmapped');
      for (let i = 0n; i < 10n; i++) w.ok(w.mapFixed(ioas, base + i * P, P));
      for (let i = 0n; i < 10n; i++) expect(w.ok(w.unmap(ioas, base + i * P, P)).length).toBe(P);
      w.ok(w.mapFixed(ioas, base + 16n * P, 2n * P));
      w.err(w.unmap(ioas, base + 16n * P, P), 'ENOENT', 'iopt_unmap_iova_range:partial-area');
      w.err(w.unmap(ioas, base + 17n * P, P), 'ENOENT', 'iopt_unmap_iova_range:partial-area');
      for (const [at, n] of [[16n, 2n], [16n, 1n], [17n, 1n], [15n, 2n], [15n, 3n]] as const) {
        w.err(w.mapFixed(ioas, base + at * P, n * P), 'EEXIST', 'iopt_check_iova:area-overlap');
      }
      expect(w.ok(w.unmap(ioas, 0n, U64_MAX), 'iommufd_ioas_unmap:all-ok').length).toBe(2n * P);
      expect(w.ok(w.unmap(ioas, 0n, U64_MAX), 'iommufd_ioas_unmap:all-ok').length).toBe(0n);
    });
  }

  it('unmap_fully_contained_areas: partial hits fail, the whole span returns 32 pages', () => {
    for (const mock of [false, true]) {
      const { w, ioas, base: b0 } = fixture(mock);
      const base = b0 + 4n * P;
      for (let i = 0n; i < 4n; i++) w.ok(w.mapFixed(ioas, base + i * 16n * P, 8n * P));
      w.err(w.unmap(ioas, base - 4n * P, 8n * P), 'ENOENT');
      w.err(w.unmap(ioas, base + 3n * 16n * P + 8n * P - 4n * P, 8n * P), 'ENOENT');
      expect(w.ok(w.unmap(ioas, base - 4n * P, 3n * 16n * P + 8n * P + 4n * P)).length).toBe(32n * P);
    }
  });

  it('a partial unmap keeps the areas removed before the one sticking out (no rollback)', () => {
    const { w, ioas } = fixture(true);
    const base = MOCK_APERTURE[0];
    w.ok(w.mapFixed(ioas, base, P));
    w.ok(w.mapFixed(ioas, base + 2n * P, P));
    w.ok(w.mapFixed(ioas, base + 4n * P, 2n * P));
    const r = w.err(w.unmap(ioas, base, 5n * P), 'ENOENT', 'iopt_unmap_iova_range:partial-area');
    expect(r.ok === false && 'partial' in r && r.partial).toBe(true);
    expect(r.ok === false && 'out' in r ? r.out : undefined).toBeUndefined();
    const left = w.k.files.flatMap((f) => (f.kind === 'iommufd' ? f.ctx.objects : [])).find((o) => o.id === ioas);
    expect(left?.type === 'IOAS' ? left.areas.map((a) => a.iova) : []).toEqual([base + 4n * P]);
  });

  it('checks flags, overflow, access and the IOAS in the kernel order', () => {
    const { w, ioas } = fixture(false);
    w.err(w.map({ ioas_id: ioas, length: P, flags: RW | 8 }), 'EOPNOTSUPP', 'iommufd_ioas_map:flags');
    w.err(w.map({ ioas_id: ioas, length: P, __reserved: 1 }), 'EOPNOTSUPP', 'iommufd_ioas_map:flags');
    w.err(w.map({ ioas_id: 99, length: ULONG_MAX, flags: RW | 8 }), 'EOPNOTSUPP');
    w.err(w.map({ ioas_id: 99, length: ULONG_MAX }), 'EOVERFLOW', 'iommufd_ioas_map:overflow');
    w.err(w.map({ ioas_id: ioas, iova: ULONG_MAX, length: P, flags: RW | FIXED }), 'EOVERFLOW', 'iommufd_ioas_map:overflow');
    w.err(w.map({ ioas_id: 99, length: P, flags: 0 }), 'EINVAL', 'iommufd_ioas_map:no-access');
    w.err(w.map({ ioas_id: 99, length: P }), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.err(w.map({ ioas_id: ioas, length: 0n }), 'EINVAL', 'iopt_alloc_pages:length');
    w.err(w.unmap(ioas, 0n, 0n), 'EINVAL', 'iopt_unmap_iova:length');
    w.err(w.unmap(ioas, ULONG_MAX, 1n), 'EOVERFLOW', 'iommufd_ioas_unmap:overflow');
    w.err(w.unmap(ioas, ULONG_MAX - 1n, 3n), 'EOVERFLOW', 'iopt_unmap_iova:overflow');
    w.err(w.unmap(99, 0n, U64_MAX), 'ENOENT', 'iommufd_get_ioas:not-found');
  });

  it('a fixed map: misaligned, overflowing, reserved (EINVAL, not EEXIST)', () => {
    const { w, ioas, base } = fixture(true);
    w.err(w.mapFixed(ioas, base + 1024n, P), 'EINVAL', 'iopt_check_iova:misaligned');
    w.err(w.mapFixed(ioas, ULONG_MAX - P + 1n - 2048n, 2n * P), 'EOVERFLOW', 'iopt_check_iova:overflow');
    w.err(w.mapFixed(ioas, 0n, P), 'EINVAL', 'iopt_check_iova:reserved');
    w.err(w.mapFixed(ioas, MOCK_APERTURE[1] + 1n, P), 'EINVAL', 'iopt_check_iova:reserved');
    w.err(w.map({ ioas_id: ioas, length: 1000n }), 'EINVAL', 'iopt_alloc_area_pages:length');
  });

  it('ioas_iova_alloc: with a mock domain every length not a multiple of 2048 is EINVAL', () => {
    for (const mock of [false, true]) {
      const { w, ioas } = fixture(mock);
      for (const length of [1n, 2047n, 2048n, 4095n, 4096n, 6144n, 8191n]) {
        if (mock && length % 2048n) w.err(w.map({ ioas_id: ioas, length }), 'EINVAL', 'iopt_alloc_area_pages:length');
        else {
          const iova = w.ok(w.map({ ioas_id: ioas, length })).iova as bigint;
          w.ok(w.unmap(ioas, iova, length));
        }
      }
    }
  });

  it('mock_domain basic: a map reaching unmapped user memory is EFAULT (first page or half way)', () => {
    const w = new World(config({ devices: [mockDev('mock0')], buffers: [
      { name: 'buf', va: BUF_VA, pages: 64, holes: [] },
      { name: 'half', va: BUF_VA + 0x100000n, pages: 8, holes: [4, 5, 6, 7] },
      { name: 'none', va: BUF_VA + 0x200000n, pages: 8, holes: [0, 1, 2, 3, 4, 5, 6, 7] },
    ] }));
    const ioas = w.newIoas();
    w.bindAttach('mock0', ioas);
    const iova = w.ok(w.map({ ioas_id: ioas, length: P })).iova as bigint;
    expect(iova % P).toBe(0n);
    w.err(w.map({ ioas_id: ioas, user_va: BUF_VA + 0x100000n, length: 8n * P }), 'EFAULT', 'pfn_reader_user_pin:fault');
    w.err(w.map({ ioas_id: ioas, user_va: BUF_VA + 0x200000n, length: 8n * P }), 'EFAULT', 'pfn_reader_user_pin:fault');
    w.err(w.map({ ioas_id: ioas, user_va: 0x1000n, length: P }), 'EFAULT');
  });

  it('without a domain a map of unbacked memory succeeds (lazy); the first domain then fails EFAULT (fork_gone)', () => {
    const w = new World(config({ devices: [mockDev('mock0')], buffers: [{ name: 'gone', va: BUF_VA, pages: 4, holes: [0, 1, 2, 3] }] }));
    const ioas = w.newIoas();
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], 4n * P));
    w.ok(w.bind('mock0'));
    w.err(w.attach('mock0', ioas), 'EFAULT', 'pfn_reader_user_pin:fault');
    expect(w.k.domains).toEqual([]);
  });
});

describe('IOMMU_IOAS_MAP_FILE', () => {
  const cfg = config({ memfds: [{ name: 'guest', pages: 4 }], devices: [mockDev('mock0')] });

  it('selftest basic (file variant): ok, length past the file EINVAL, after ftruncate(0) EINVAL', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    w.bindAttach('mock0', ioas);
    const fd = w.memfd('guest');
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: P }), 'iommufd_ioas_map_file:ok');
    w.err(w.mapFile({ ioas_id: ioas, fd, length: 4n * P + 1n }), 'EINVAL');
    w.ok(w.ftruncate(fd, 0n));
    w.err(w.mapFile({ ioas_id: ioas, fd, length: P }), 'EINVAL', 'memfd_pin_folios:beyond-eof');
  });

  it('a page only partly inside i_size cannot be pinned (memfd_pin_folios: end >= i_size)', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    w.bindAttach('mock0', ioas);
    const fd = w.memfd('guest');
    w.ok(w.ftruncate(fd, 3n * P + 1n));
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: 3n * P }));
    w.err(w.mapFile({ ioas_id: ioas, fd, start: 3n * P, length: P }), 'EINVAL', 'memfd_pin_folios:beyond-eof');
  });

  it('maps lazily without a domain; the EINVAL of a truncated file appears at attach', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    const fd = w.memfd('guest');
    w.ok(w.mapFile({ ioas_id: ioas, fd, length: 4n * P, iova: MOCK_APERTURE[0], flags: RW | FIXED }));
    w.ok(w.ftruncate(fd, P));
    w.ok(w.bind('mock0'));
    w.err(w.attach('mock0', ioas), 'EINVAL', 'memfd_pin_folios:beyond-eof');
  });

  it('checks flags, overflow, access, IOAS, fd and range in the kernel order', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    const fd = w.memfd('guest');
    w.err(w.mapFile({ ioas_id: 99, fd: 99, length: P, flags: 16 }), 'EOPNOTSUPP', 'iommufd_ioas_map_file:flags');
    w.err(w.mapFile({ ioas_id: 99, fd: 99, length: ULONG_MAX }), 'EOVERFLOW', 'iommufd_ioas_map_file:overflow');
    w.err(w.mapFile({ ioas_id: 99, fd: 99, length: P, flags: FIXED }), 'EINVAL', 'iommufd_ioas_map_file:no-access');
    w.err(w.mapFile({ ioas_id: 99, fd: 99, length: P }), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.err(w.mapFile({ ioas_id: ioas, fd: 99, length: P }), 'EBADF', 'iommufd_ioas_map_file:bad-fd');
    w.err(w.mapFile({ ioas_id: ioas, fd, start: U64_MAX - 10n, length: P }), 'EOVERFLOW', 'iopt_alloc_file_pages:overflow');
    w.err(w.mapFile({ ioas_id: ioas, fd, length: 0n }), 'EINVAL', 'iopt_alloc_pages:length');
  });

  it('an automatic IOVA outside a later aperture makes the attach EADDRINUSE', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    expect(w.ok(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length: 4n * P })).iova).toBe(0x4000n);
    w.ok(w.bind('mock0'));
    w.err(w.attach('mock0', ioas), 'EADDRINUSE', 'iopt_reserve_iova:in-use');
  });

  it('does not exist in linux-6.12 (ENOTTY)', () => {
    const w = new World(cfg, 'linux-6.12');
    const ioas = w.newIoas();
    w.err(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length: P }), 'ENOTTY', 'iommufd_fops_ioctl:unknown');
  });

  it('keeps the page offset of start in the automatic IOVA', () => {
    const w = new World(cfg);
    const ioas = w.newIoas();
    const iova = w.ok(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), start: 100n, length: P })).iova as bigint;
    expect(iova % P).toBe(100n);
  });
});

describe('IOMMU_IOAS_COPY', () => {
  it('copy_area: inside one IOAS, then to a new IOAS at the automatic dst', () => {
    for (const mock of [false, true]) {
      const { w, ioas, base } = fixture(mock);
      w.ok(w.mapFixed(ioas, base, P));
      w.ok(w.copy({ src_ioas_id: ioas, dst_ioas_id: ioas, src_iova: base, dst_iova: base + P, length: P, flags: RW | FIXED }));
      const dst = w.newIoas();
      w.ok(w.copy({ src_ioas_id: ioas, dst_ioas_id: dst, src_iova: base, dst_iova: 0n, length: P, flags: RW | FIXED }), 'iommufd_ioas_copy:ok');
    }
  });

  it('copy_sweep: sources outside the mapped range are ENOENT, inside ok', () => {
    for (const mock of [false, true]) {
      const { w, ioas } = fixture(mock);
      const dst = w.newIoas();
      const bufferSize = 16n * P;
      const last = MOCK_APERTURE[0] + bufferSize - (mock ? 1n : 2n);
      w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], last - MOCK_APERTURE[0] + 1n));
      let n = 0;
      for (let iova = MOCK_APERTURE[0] - P; iova <= last; iova += 511n) {
        const c = w.copy({ src_ioas_id: ioas, dst_ioas_id: dst, src_iova: iova, dst_iova: MOCK_APERTURE[0], length: 2048n, flags: RW | FIXED });
        if (iova < MOCK_APERTURE[0] || iova + 2048n - 1n > last) w.err(c, 'ENOENT', 'iopt_get_pages:not-contiguous');
        else {
          w.ok(c);
          w.ok(w.unmap(dst, MOCK_APERTURE[0], 2048n));
          n++;
        }
      }
      expect(n).toBeGreaterThan(100);
      w.ok(w.destroy(dst));
    }
  });

  it('shares the iopt_pages: a copy into an IOAS with a domain pins nothing again', () => {
    const w = new World(config({ devices: [mockDev('mock0')], rlimitMemlock: 8 }));
    const a = w.newIoas();
    const b = w.newIoas();
    w.bindAttach('mock0', a);
    w.ok(w.mapFixed(a, MOCK_APERTURE[0], 4n * P));
    expect(w.k.process.userLockedVm).toBe(4);
    w.ok(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: MOCK_APERTURE[0], dst_iova: MOCK_APERTURE[0] + 8n * P, length: 4n * P, flags: RW | FIXED }));
    w.ok(w.copy({ src_ioas_id: a, dst_ioas_id: b, src_iova: MOCK_APERTURE[0], length: 4n * P }));
    expect(w.k.process.userLockedVm).toBe(4);
    expect(w.k.process.mmPinnedVm).toBe(4);
  });

  it('copies across contiguous areas, one new area per source piece', () => {
    const w = new World();
    const a = w.newIoas();
    w.ok(w.mapFixed(a, 0x10000n, P));
    w.ok(w.mapFixed(a, 0x11000n, P, BUF_VA + 8n * P));
    w.ok(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: 0x10800n, dst_iova: 0x20000n, length: P, flags: RW | FIXED }));
    const ioas = w.k.files.flatMap((f) => (f.kind === 'iommufd' ? f.ctx.objects : [])).find((o) => o.id === a);
    expect(ioas?.type === 'IOAS' ? ioas.areas.filter((x) => x.iova >= 0x20000n).map((x) => [x.iova, x.last]) : []).toEqual([[0x20000n, 0x207ffn], [0x20800n, 0x20fffn]]);
  });

  it('checks in the kernel order; WRITEABLE on read-only pages is EPERM', () => {
    const w = new World();
    const a = w.newIoas();
    w.ok(w.map({ ioas_id: a, iova: 0x10000n, length: P, flags: 4 | FIXED }));
    w.err(w.copy({ src_ioas_id: 99, dst_ioas_id: 99, src_iova: 0n, length: P, flags: 64 }), 'EOPNOTSUPP', 'iommufd_ioas_copy:flags');
    w.err(w.copy({ src_ioas_id: 99, dst_ioas_id: 99, src_iova: ULONG_MAX, length: P }), 'EOVERFLOW', 'iommufd_ioas_copy:overflow');
    w.err(w.copy({ src_ioas_id: 99, dst_ioas_id: 99, src_iova: 0n, length: P, flags: 0 }), 'EINVAL', 'iommufd_ioas_copy:no-access');
    w.err(w.copy({ src_ioas_id: 99, dst_ioas_id: a, src_iova: 0n, length: P }), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.err(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: 0x10000n, length: 0n }), 'EINVAL', 'iopt_get_pages:length');
    w.err(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: 0x10000n, length: ULONG_MAX - 0x8000n }), 'EOVERFLOW', 'iopt_get_pages:overflow');
    w.err(w.copy({ src_ioas_id: a, dst_ioas_id: 99, src_iova: 0x10000n, length: P }), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.err(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: 0x10000n, length: P }), 'EPERM', 'iopt_insert_area:not-writable');
    w.ok(w.copy({ src_ioas_id: a, dst_ioas_id: a, src_iova: 0x10000n, length: P, flags: 4 }));
  });
});

describe('IOMMU_IOAS_IOVA_RANGES (selftest iova_ranges)', () => {
  it('no_domain: [0, SIZE_MAX], alignment 1; EMSGSIZE with num_iovas written; two ranges around a reserved page', () => {
    const { w, ioas } = fixture(false);
    const r = w.ok(w.ranges(ioas));
    expect(r).toEqual({ num_iovas: 1, out_iova_alignment: 1n, allowed_iovas: [{ start: 0n, last: U64_MAX }] });
    const e = w.err(w.ranges(ioas, 0), 'EMSGSIZE', 'iommufd_ioas_iova_ranges:too-small');
    expect(!e.ok && 'out' in e ? e.out : null).toEqual({ num_iovas: 1, out_iova_alignment: 1n, allowed_iovas: [] });
    w.ok(w.addReserved(ioas, P, P));
    expect(w.ok(w.ranges(ioas)).allowed_iovas).toEqual([{ start: 0n, last: P - 1n }, { start: 2n * P, last: U64_MAX }]);
    const e2 = w.err(w.ranges(ioas, 1), 'EMSGSIZE');
    expect(!e2.ok && 'out' in e2 ? e2.out : null).toEqual({ num_iovas: 2, out_iova_alignment: 1n, allowed_iovas: [{ start: 0n, last: P - 1n }] });
  });
  it('mock_domain: the aperture, alignment MOCK_PAGE_SIZE; a reserved page outside it changes nothing', () => {
    const { w, ioas } = fixture(true);
    expect(w.ok(w.ranges(ioas))).toEqual({ num_iovas: 1, out_iova_alignment: 2048n, allowed_iovas: [{ start: MOCK_APERTURE[0], last: MOCK_APERTURE[1] }] });
    w.ok(w.addReserved(ioas, P, P));
    expect(w.ok(w.ranges(ioas, 1)).num_iovas).toBe(1);
  });
  it('errors', () => {
    const { w, ioas } = fixture(false);
    w.err(w.ranges(ioas, 1, 1), 'EOPNOTSUPP', 'iommufd_ioas_iova_ranges:reserved');
    w.err(w.ranges(77), 'ENOENT', 'iommufd_get_ioas:not-found');
  });
});

describe('IOMMU_IOAS_ALLOW_IOVAS (selftest area_auto_iova, area_allowed)', () => {
  it('area_allowed: reserving inside an allowed range, and allowing over a reserved one, are EADDRINUSE', () => {
    for (const mock of [false, true]) {
      const { w, ioas, base } = fixture(mock);
      w.ok(w.allow(ioas, [[base, base + 600n * P]]));
      w.err(w.addReserved(ioas, base + P, P), 'EADDRINUSE', 'iopt_reserve_iova:in-use');
      w.ok(w.allow(ioas, []));
      w.ok(w.addReserved(ioas, base + P, P));
      w.err(w.allow(ioas, [[base, base + 600n * P]]), 'EADDRINUSE', 'iopt_set_allow_iova:reserved-intersects');
    }
  });
  it('rejects start >= last (a one-byte range too) and overlaps inside the call', () => {
    const { w, ioas } = fixture(false);
    w.err(w.allow(ioas, [[P, P]]), 'EINVAL', 'iommufd_ioas_load_iovas:start-not-below-last');
    w.err(w.allow(ioas, [[P, 2n * P], [2n * P, 3n * P]]), 'EINVAL', 'iommufd_ioas_load_iovas:overlap');
    w.err(w.allow(ioas, [[P, 2n * P]], 1, 1), 'EOPNOTSUPP', 'iommufd_ioas_allow_iovas:reserved');
    w.err(w.allow(42, [[P, 2n * P]]), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.ok(w.allow(ioas, [[3n * P, 4n * P], [P, 2n * P]]), 'iommufd_ioas_allow_iovas:ok');
    expect(w.notModelled(w.allow(ioas, [[P, 2n * P]], 2))).toMatch(/num_iovas/);
  });
  it('FIXED maps ignore the allowed list; automatic ones stay inside it', () => {
    const { w, ioas } = fixture(false);
    w.ok(w.allow(ioas, [[200n * P, 600n * P - 1n]]));
    w.ok(w.mapFixed(ioas, P, P));
    for (let i = 1n; i <= 10n; i++) {
      const iova = w.ok(w.map({ ioas_id: ioas, length: i * P, user_va: 1n << 31n })).iova as bigint;
      expect(iova >= 200n * P && iova + i * P <= 600n * P).toBe(true);
    }
  });
});

describe('IOMMU_OPTION', () => {
  it('global_options: RLIMIT_MODE get/set/bad value; HUGE_PAGES needs an IOAS', () => {
    const w = new World();
    expect(w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET, val64: 1n })).val64).toBe(0n);
    w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n }), 'iommufd_option_rlimit_mode:set-ok');
    w.err(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 2n }), 'EINVAL', 'iommufd_option_rlimit_mode:bad-value');
    expect(w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET })).val64).toBe(1n);
    w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 0n }));
    w.err(w.option({ option_id: OPT.HUGE_PAGES, op: OP.GET }), 'ENOENT', 'iommufd_get_ioas:not-found');
    w.err(w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET }), 'ENOENT');
  });
  it('RLIMIT_MODE: object id, objects present, no CAP_SYS_RESOURCE, bad op; unknown option; __reserved', () => {
    const w = new World();
    w.err(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET, object_id: 1 }), 'EOPNOTSUPP', 'iommufd_option_rlimit_mode:object-id');
    w.err(w.option({ option_id: OPT.RLIMIT_MODE, op: 7 }), 'EOPNOTSUPP', 'iommufd_option_rlimit_mode:bad-op');
    w.err(w.option({ option_id: 9, op: OP.GET }), 'EOPNOTSUPP', 'iommufd_option:unknown-option');
    w.err(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.GET, __reserved: 1 }), 'EOPNOTSUPP', 'iommufd_option:reserved');
    w.newIoas();
    w.err(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n }), 'EBUSY', 'iommufd_option_rlimit_mode:objects-exist');
    const u = new World(config({ rlimitMemlock: 10 }));
    u.err(u.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n }), 'EPERM', 'iommufd_option_rlimit_mode:no-cap');
  });
  it('ioas_option_huge_pages: GET 1, SET 0, GET 0, SET 2 EINVAL, SET 1', () => {
    const w = new World();
    const ioas = w.newIoas();
    const hp = (op: number, val64 = 3n) => w.option({ option_id: OPT.HUGE_PAGES, op, object_id: ioas, val64 });
    expect(w.ok(hp(OP.GET)).val64).toBe(1n);
    w.ok(hp(OP.SET, 0n), 'iopt_disable_large_pages:ok');
    expect(w.ok(hp(OP.GET)).val64).toBe(0n);
    w.err(hp(OP.SET, 2n), 'EINVAL', 'iommufd_ioas_option_huge_pages:bad-value');
    w.err(hp(9), 'EOPNOTSUPP', 'iommufd_ioas_option_huge_pages:bad-op');
    w.ok(hp(OP.SET, 1n), 'iopt_enable_large_pages:ok');
  });
  it('ioas_align_change: PAGE_SIZE alignment rejects misaligned maps and refuses misaligned areas (EADDRINUSE)', () => {
    const w = new World();
    const ioas = w.newIoas();
    const hp = (val64: bigint) => w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: ioas, val64 });
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], P));
    w.ok(hp(0n));
    w.err(w.mapFixed(ioas, MOCK_APERTURE[0] + P, P, BUF_VA + 2048n), 'EINVAL', 'iopt_insert_area:page-offset');
    w.ok(hp(0n));
    w.ok(hp(1n));
    w.ok(w.mapFixed(ioas, MOCK_APERTURE[0] + P, P, BUF_VA + 2048n));
    w.err(hp(0n), 'EADDRINUSE', 'iopt_check_iova_alignment:misaligned-area');
    w.ok(w.unmap(ioas, MOCK_APERTURE[0] + P, P));
    w.ok(w.unmap(ioas, MOCK_APERTURE[0], P));
  });
  it('HUGE_PAGES=0 is EINVAL once the IOAS has a domain and an area', () => {
    const { w, ioas, base } = fixture(true);
    w.ok(w.mapFixed(ioas, base, P));
    w.err(w.option({ option_id: OPT.HUGE_PAGES, op: OP.SET, object_id: ioas, val64: 0n }), 'EINVAL', 'iopt_disable_large_pages:domains-and-areas');
  });
});
