/**
 * The hardening patches (src/kernel/luHardening.ts, profiles.ts PATCHES) on the Google series' hitless-replace flow
 * (test/kernel/lu.ts): lu-replace-check refuses a replace off the restored domain onto a rebuilt one that does not
 * translate as it (and, on break-before-make hardware, with other leaves), and changes nothing when it does;
 * lu-hold-until-finish keeps the device and the rebuilt IOAS as they were at the replace until the session
 * finishes. Each refusal is shown to come from the patch: the plain kernel accepts the same call.
 */
import { describe, expect, it } from 'vitest';
import { IOAS_MAP_FLAGS, type Kernel, type Syscall } from '../../src/kernel/index.ts';
import { P, RW, FIXED, World, config } from './harness.ts';
import {
  GUEST_IOVA, GUEST_PAGES, HUGE_GUEST, attachCdev, attachCdevCall, detachCdevCall, preserveAll, rebuild, retrieveAll,
  type GuestShape, type RebuildOpts, type Retrieved,
} from './lu.ts';

const PLAIN = 'linux-7.1-sk-restore';
const RC = `${PLAIN}+lu-replace-check`;
const HOLD = `${PLAIN}+lu-hold-until-finish`;
const BOTH = `${PLAIN}+lu-replace-check+lu-hold-until-finish`;

/** preserveAll() on `kernel`, a kexec into the same kernel, everything retrieved. */
function retrieved(kernel: string, extra: { breakBeforeMake?: boolean } & GuestShape = {}): Retrieved {
  const { w } = preserveAll(kernel, extra);
  w.ok(w.kexec(kernel));
  return retrieveAll(w);
}

/** What dev0 reaches writing at pages 0, 5 and the last of the 16-page guest. */
function reach(w: World): string[] {
  return [0n, 5n, BigInt(GUEST_PAGES - 1)].map((i) => w.reach('dev0', GUEST_IOVA + i * P, 'write'));
}
const FAITHFUL = ['guest:0', 'guest:5', `guest:${GUEST_PAGES - 1}`];

/** The hardware domain dev0 is on. */
function hwDomain(k: Kernel): number | string {
  const h = k.hw.find((x) => x.device === 'dev0');
  if (!h) throw new Error('no dev0');
  return h.domain;
}

function unmapCall(r: Retrieved, ioas: number): Syscall {
  return { op: 'IOMMU_IOAS_UNMAP', fd: r.ifd, arg: { ioas_id: ioas, iova: GUEST_IOVA, length: BigInt(GUEST_PAGES) * P } };
}
function mapCall(r: Retrieved, ioas: number, iova = 2n * GUEST_IOVA): Syscall {
  return { op: 'IOMMU_IOAS_MAP_FILE', fd: r.ifd, arg: { flags: RW | FIXED, ioas_id: ioas, fd: r.guest, start: 0n, length: P, iova } };
}

/** Rebuilds that do not translate as the restored domain: [what, rebuild start, options]. */
const UNFAITHFUL: [string, bigint, RebuildOpts][] = [
  ['the memfd one page off', P, { length: BigInt(GUEST_PAGES - 1) * P }],
  ['read-only', 0n, { prot: IOAS_MAP_FLAGS.READABLE }],
  ['half the length', 0n, { length: BigInt(GUEST_PAGES / 2) * P }],
];

describe('lu-replace-check', () => {
  it('accepts a faithful rebuild and the replace onto it (both patches): DMA reaches the same frames, FINISH works', () => {
    const r = retrieved(BOTH);
    const b = rebuild(r);
    expect(reach(r.w)).toEqual(FAITHFUL);
    expect(attachCdev(r.w, r.cdev, b.hwpt)).toEqual({ pt_id: b.hwpt });
    expect(r.w.rules.at(-1)).toBe('iommufd_device_attach:ok-hwpt');
    expect(reach(r.w)).toEqual(FAITHFUL);
    r.w.ok(r.w.finish(r.session), 'luo_session_finish:ok');
    r.w.ok({ op: 'IOMMU_DESTROY', fd: r.ifd, arg: { id: b.restored } });
    expect(reach(r.w)).toEqual(FAITHFUL);
  });

  it('accepts the replace from the HWPT IOMMU_HWPT_LU_RESTORE made (attach to it first, then replace)', () => {
    const r = retrieved(BOTH);
    const b = rebuild(r);
    attachCdev(r.w, r.cdev, b.restored); // the same domain the hardware is on: no move
    attachCdev(r.w, r.cdev, b.hwpt);
    expect(r.w.rules.at(-1)).toBe('iommufd_device_replace:ok-hwpt');
    expect(reach(r.w)).toEqual(FAITHFUL);
  });

  for (const [what, start, opts] of UNFAITHFUL) {
    it(`refuses a rebuild with ${what} (EINVAL, translations) and changes nothing; the plain kernel accepts it`, () => {
      const r = retrieved(RC);
      const b = rebuild(r, start, opts);
      const before = r.w.k;
      const domain = hwDomain(before);
      const res = r.w.err(attachCdevCall(r.cdev, b.hwpt), 'EINVAL', 'lu_replace_check:translations');
      expect('kernel' in res ? res.kernel : undefined).toBeUndefined();
      expect(r.w.k).toBe(before);
      expect(hwDomain(r.w.k)).toBe(domain);
      expect(reach(r.w)).toEqual(FAITHFUL);
      // Also refused as a replace from the HWPT made of the restored domain.
      attachCdev(r.w, r.cdev, b.restored);
      r.w.err(attachCdevCall(r.cdev, b.hwpt), 'EINVAL', 'lu_replace_check:translations');
      expect(reach(r.w)).toEqual(FAITHFUL);

      const p = retrieved(PLAIN);
      const pb = rebuild(p, start, opts);
      p.w.strict = false; // the replace breaks reconstruction-equivalent and dma-never-faults: the point of the patch
      attachCdev(p.w, p.cdev, pb.hwpt);
      expect(p.w.lastViolations.map((v) => v.invariant)).toContain('reconstruction-equivalent');
      expect(reach(p.w)).not.toEqual(FAITHFUL);
    });
  }

  it('refuses an attach to the rebuilt IOAS itself: the automatic domain is attached before it is filled', () => {
    // iommufd_device_auto_get_domain() in attach mode (immediate_attach): the hardware would switch to an empty domain.
    const r = retrieved(RC);
    const b = rebuild(r);
    r.w.err(attachCdevCall(r.cdev, b.ioas), 'EINVAL', 'lu_replace_check:translations');
    expect(reach(r.w)).toEqual(FAITHFUL);
  });

  describe('break-before-make', () => {
    /** The huge guest preserved with 2 MiB leaves, rebuilt with HUGE_PAGES=0 (4 KiB leaves), and the replace. */
    const run = (kernel: string, bbm: boolean): { w: World; result: string; rule: string } => {
      const r = retrieved(kernel, { breakBeforeMake: bbm, ...HUGE_GUEST });
      const b = rebuild(r, 0n, { ...HUGE_GUEST, hugePages: false });
      r.w.strict = false;
      const res = r.w.run(attachCdevCall(r.cdev, b.hwpt));
      return { w: r.w, result: res.ok ? 'ok' : 'errno' in res ? res.errno : 'other', rule: res.rule };
    };

    it('refuses a rebuild with the same translations in other leaf sizes (EINVAL, leaf-sizes)', () => {
      const { w, result, rule } = run(BOTH, true);
      expect([result, rule]).toEqual(['EINVAL', 'lu_replace_check:leaf-sizes']);
      expect(w.lastViolations).toEqual([]);
    });
    it('accepts it on a device without break-before-make (the translations are the same)', () => {
      const { w, result, rule } = run(BOTH, false);
      expect([result, rule]).toEqual(['ok', 'iommufd_device_attach:ok-hwpt']);
      expect(w.lastViolations).toEqual([]);
    });
    it('without the patch the same replace is accepted, and dma-never-faults flags it', () => {
      const { w, result } = run(PLAIN, true);
      expect(result).toBe('ok');
      expect(w.lastViolations.map((v) => v.invariant)).toEqual(['dma-never-faults']);
    });
  });
});

describe('lu-hold-until-finish', () => {
  /** On `kernel`: a faithful rebuild and the replace onto it. */
  function replaced(kernel: string): { r: Retrieved; b: ReturnType<typeof rebuild> } {
    const r = retrieved(kernel);
    const b = rebuild(r);
    attachCdev(r.w, r.cdev, b.hwpt);
    return { r, b };
  }

  it('before the replace, the rebuilt IOAS changes freely', () => {
    const r = retrieved(BOTH);
    const b = rebuild(r);
    r.w.ok(mapCall(r, b.ioas));
    r.w.ok(unmapCall(r, b.ioas));
  });

  for (const kernel of [HOLD, BOTH]) {
    it(`${kernel}: after the replace, unmap, map, detach and replace are EBUSY until FINISH, then allowed`, () => {
      const { r, b } = replaced(kernel);
      const { w } = r;
      const before = w.k;
      w.err(unmapCall(r, b.ioas), 'EBUSY', 'iopt_unmap_iova_range:lu-held');
      w.err({ op: 'IOMMU_IOAS_UNMAP', fd: r.ifd, arg: { ioas_id: b.ioas, iova: 0n, length: (1n << 64n) - 1n } }, 'EBUSY', 'iopt_unmap_iova_range:lu-held');
      w.err(mapCall(r, b.ioas), 'EBUSY', 'iopt_alloc_area_pages:lu-held');
      w.err(detachCdevCall(r.cdev), 'EBUSY', 'iommufd_device_detach:lu-held');
      w.err(attachCdevCall(r.cdev, b.restored), 'EBUSY', 'iommufd_device_do_replace:lu-held');
      expect(w.k).toBe(before);
      expect(reach(w)).toEqual(FAITHFUL);
      // Another IOAS is not held.
      const other = w.ok({ op: 'IOMMU_IOAS_ALLOC', fd: r.ifd, arg: { flags: 0 } }).out_ioas_id as number;
      w.ok(mapCall(r, other));

      w.ok(w.finish(r.session), 'luo_session_finish:ok');
      w.ok(mapCall(r, b.ioas));
      w.ok(attachCdevCall(r.cdev, b.restored), 'iommufd_device_replace:ok-hwpt');
      w.ok(attachCdevCall(r.cdev, b.hwpt), 'iommufd_device_replace:ok-hwpt');
      w.ok(unmapCall(r, b.ioas), 'iommufd_ioas_unmap:ok');
      w.ok(detachCdevCall(r.cdev), 'iommufd_device_detach:ok');
    });
  }

  it('without the patch the unmap after the replace is accepted (the rebuilt table that matched no longer does)', () => {
    const { r, b } = replaced(RC);
    r.w.strict = false;
    r.w.ok(unmapCall(r, b.ioas), 'iommufd_ioas_unmap:ok');
    expect(r.w.lastViolations.length).toBeGreaterThan(0);
    expect(r.w.reach('dev0', GUEST_IOVA)).toBe('FAULT');
  });

  it('does not hold a device still on the HWPT IOMMU_HWPT_LU_RESTORE made', () => {
    const r = retrieved(HOLD);
    const b = rebuild(r);
    attachCdev(r.w, r.cdev, b.restored);
    r.w.ok(mapCall(r, b.ioas));
    r.w.ok({ op: 'IOMMU_IOAS_UNMAP', fd: r.ifd, arg: { ioas_id: b.ioas, iova: 2n * GUEST_IOVA, length: P } });
    attachCdev(r.w, r.cdev, b.hwpt); // held from here
    r.w.err(mapCall(r, b.ioas, 3n * GUEST_IOVA), 'EBUSY', 'iopt_alloc_area_pages:lu-held');
  });

  it('does not hold a device preserved without IOMMU state (it had no translation to keep)', () => {
    // A cdev preserved unattached is claimed at boot (blocked, no restored domain); its first attach moves it off
    // nothing, so the VMM may attach it and then map its guest memory as usual.
    const w = new World(config({ memfds: [{ name: 'guest', pages: 4 }], devices: [{ name: 'dev0' }] }), BOTH);
    const s = w.fd(w.createSession(w.fd(w.luOpen()), 'vm'));
    w.ok(w.preserve(s, w.memfd('guest'), 1n));
    w.ok(w.preserve(s, w.dev('dev0'), 3n));
    w.ok(w.kexec(BOTH));
    const s2 = w.fd(w.retrieveSession(w.fd(w.luOpen()), 'vm'));
    const cdev = w.fd(w.retrieveFd(s2, 3n));
    const guest = w.fd(w.retrieveFd(s2, 1n));
    const ifd = w.fd(w.iommufdOpen());
    w.ok({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: cdev, arg: { flags: 0, iommufd: ifd } });
    const ioas = w.ok({ op: 'IOMMU_IOAS_ALLOC', fd: ifd, arg: { flags: 0 } }).out_ioas_id as number;
    w.ok(attachCdevCall(cdev, ioas), 'iommufd_device_attach:ok-auto-new');
    w.ok({ op: 'IOMMU_IOAS_MAP_FILE', fd: ifd, arg: { flags: RW | FIXED, ioas_id: ioas, fd: guest, start: 0n, length: 4n * P, iova: GUEST_IOVA } });
    expect(w.reach('dev0', GUEST_IOVA)).toBe('guest:0');
    w.ok(detachCdevCall(cdev), 'iommufd_device_detach:ok');
  });
});
