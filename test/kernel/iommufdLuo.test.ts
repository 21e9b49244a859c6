/**
 * iommufd live update (src/kernel/iommufdLuo.ts): marking HWPTs, the preserve checks and immutability, the
 * retrieved iommufd, IOMMU_HWPT_LU_RESTORE and can_finish (SK-v1 10-11/14; restore path @039a2632).
 */
import { describe, expect, it } from 'vitest';
import { F_SEALS } from '../../src/kernel/index.ts';
import { FIXED, P, RW } from './harness.ts';
import {
  GUEST_IOVA, HWPT_TOKEN, SESSION, T_IOMMUFD, T_MEMFD, attachCdev, guestWorld, prepare, preserveAll, rebuild, retrieveAll,
} from './lu.ts';

describe('IOMMU_HWPT_LU_SET_PRESERVE', () => {
  it('tokens are unique among the marked HWPTs, the target itself skipped; only a HWPT_PAGING can be marked', () => {
    const w = guestWorld();
    const p = prepare(w);
    const h2 = w.ok(w.hwptAlloc({ dev_id: p.devid, pt_id: p.ioas })).out_hwpt_id as number;
    w.err(w.setPreserve(h2, HWPT_TOKEN), 'EADDRINUSE');
    w.ok(w.setPreserve(p.hwpt, HWPT_TOKEN));
    w.ok(w.setPreserve(h2, HWPT_TOKEN + 1n));
    w.err(w.setPreserve(p.ioas, 1n), 'ENOENT');
    w.err(w.setPreserve(p.devid, 1n), 'ENOENT');
    w.err(w.setPreserve(99, 1n), 'ENOENT');
  });
  it('does not exist before the series (ENOTTY)', () => {
    const w = guestWorld('linux-7.1');
    const p = prepare(w, { mark: false });
    w.err(w.setPreserve(p.hwpt, 1n), 'ENOTTY', 'iommufd_fops_ioctl:unknown');
  });
});

describe('preserving the iommufd', () => {
  it('needs the mapped file sealed at map time: sealing it later does not help', () => {
    const w = guestWorld();
    const p = prepare(w, { seal: false });
    w.ok(w.seals(w.memfd('guest'), F_SEALS.GROW | F_SEALS.SHRINK | F_SEALS.SEAL));
    const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
    w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
    w.err(w.preserve(s, w.ifd, T_IOMMUFD), 'EINVAL', 'check_iopt_pages_preserved:not-sealed');
    expect(w.k.files.flatMap((f) => (f.kind === 'iommufd' ? f.ctx.objects : [])).filter((o) => o.type === 'IOAS' && o.luImmutable)).toEqual([]);
    void p;
  });
  it('makes the IOAS immutable (map, map-file, copy, unmap, unmap-all: EBUSY) and KHO-preserves the tables, until unpreserve', () => {
    const { w, ioas, session } = preserveAll();
    w.err(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length: P, iova: 0x200000000n, flags: RW | FIXED }), 'EBUSY');
    w.err(w.copy({ src_ioas_id: ioas, dst_ioas_id: ioas, src_iova: GUEST_IOVA, length: P }), 'EBUSY');
    w.err(w.unmap(ioas, GUEST_IOVA, P), 'EBUSY');
    w.err(w.unmap(ioas, 0n, (1n << 64n) - 1n), 'EBUSY');
    const other = w.newIoas();
    w.ok(w.mapFile({ ioas_id: other, fd: w.memfd('guest'), length: P }));
    w.ok(w.close(session));
    w.ok(w.unmap(ioas, GUEST_IOVA, 16n * P));
    expect(w.k.kho.preserved).toEqual([]);
  });
});

describe('after the kexec (restore path)', () => {
  it('the retrieved iommufd is a new context; RESTORE wraps the restored domain with no IOAS, once per token', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const r = retrieveAll(w);
    const fresh = w.fd(w.iommufdOpen());
    w.err(w.luRestore(HWPT_TOKEN, fresh), 'ENOTTY');
    const pt = w.ok(w.luRestore(HWPT_TOKEN, r.ifd)).pt_id;
    expect(pt).toBe(1);
    w.err(w.luRestore(HWPT_TOKEN, r.ifd), 'ENOENT', 'iommufd_hwpt_lu_restore:no-token');
    const ctx = w.k.files.find((f) => f.kind === 'iommufd' && f.ctx.lu !== null);
    expect(ctx?.kind === 'iommufd' && ctx.ctx.objects).toEqual([
      { id: 1, type: 'HWPT_PAGING', users: 1, ioas: null, domain: 1, autoDomain: false, nestParent: false, luToken: null, luRestored: true },
    ]);
  });
  it('can_finish needs the iommufd retrieved, every HWPT reclaimed and no device left on a restored domain', () => {
    const { w } = preserveAll();
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const r = retrieveAll(w);
    w.err(w.finish(r.session), 'EBUSY');
    const b = rebuild(r);
    w.err(w.finish(r.session), 'EBUSY');
    attachCdev(w, r.cdev, b.hwpt);
    w.ok(w.finish(r.session));
    // finish gave ictx->lu up: RESTORE is ENOTTY now, the restored HWPT can go
    w.err(w.luRestore(HWPT_TOKEN, r.ifd), 'ENOTTY');
    w.ok({ op: 'IOMMU_DESTROY', fd: r.ifd, arg: { id: b.restored } });
    expect(w.k.domains.filter((d) => d.restored)).toEqual([]);
  });
  it('SK-v1 as posted: the iommufd cannot be retrieved, and the session never finishes', () => {
    const { w } = preserveAll('linux-7.1-sk-v1');
    w.ok(w.kexec('linux-7.1-sk-v1'));
    const s = w.fd(w.retrieveSession(w.fd(w.luOpen()), SESSION));
    w.err(w.retrieveFd(s, T_IOMMUFD), 'EOPNOTSUPP');
    w.err(w.finish(s), 'EBUSY');
    expect(w.reach('dev0', GUEST_IOVA)).toBe('guest:0');
  });
});
