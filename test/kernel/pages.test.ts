/**
 * Pinning and accounting (src/kernel/pages.ts): pins only while a domain needs the pages, each page once per
 * iopt_pages, charged per account mode against RLIMIT_MEMLOCK, everything back to zero at the end.
 */
import { describe, expect, it } from 'vitest';
import { IOMMU_OPTION_IDS as OPT, IOMMU_OPTION_OPS as OP } from '../../src/kernel/index.ts';
import { BUF_VA, FIXED, MOCK_APERTURE, P, RW, World, config, mockDev } from './harness.ts';

const A = MOCK_APERTURE[0];

function counters(w: World): [number, number, number] {
  return [w.k.process.userLockedVm, w.k.process.mmLockedVm, w.k.process.mmPinnedVm];
}

describe('pinning', () => {
  it('an IOAS without a domain pins nothing; the first domain pins every area, the last one leaving unpins', () => {
    const w = new World(config({ devices: [mockDev('m0'), mockDev('m1')] }));
    const ioas = w.newIoas();
    w.ok(w.mapFixed(ioas, A, 4n * P));
    expect(counters(w)).toEqual([0, 0, 0]);
    const [devid] = w.bindAttach('m0', ioas);
    expect(counters(w)[2]).toBe(4);
    const hwpt = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
    expect(counters(w)[2]).toBe(4);
    w.ok(w.detach('m0'));
    expect(counters(w)[2]).toBe(4);
    w.ok(w.destroy(hwpt));
    expect(counters(w)[2]).toBe(0);
  });

  it('two MAPs of the same memory pin and charge twice (two iopt_pages); a COPY shares one', () => {
    const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 100 }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFixed(ioas, A, 2n * P));
    w.ok(w.mapFixed(ioas, A + 4n * P, 2n * P));
    expect(counters(w)).toEqual([4, 0, 4]);
    expect(w.k.frames.filter((f) => f && f.pins === 2).length).toBe(2);
    w.ok(w.copy({ src_ioas_id: ioas, dst_ioas_id: ioas, src_iova: A, dst_iova: A + 8n * P, length: 2n * P, flags: RW | FIXED }));
    expect(counters(w)).toEqual([4, 0, 4]);
    w.ok(w.unmap(ioas, A, 2n * P));
    expect(counters(w)).toEqual([4, 0, 4]);
    w.ok(w.unmap(ioas, A + 8n * P, 2n * P));
    expect(counters(w)).toEqual([2, 0, 2]);
  });

  it('close of the iommufd with bound devices keeps the context; closing the cdevs too brings every pin back to zero', () => {
    const w = new World(config({ devices: [mockDev('m0'), { name: 'pci' }], memfds: [{ name: 'g', pages: 4 }], rlimitMemlock: 64 }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFixed(ioas, A, 8n * P));
    w.ok(w.mapFile({ ioas_id: ioas, fd: w.memfd('g'), length: 4n * P, iova: A + 16n * P, flags: RW | FIXED }));
    const ioas2 = w.newIoas();
    w.bindAttach('pci', ioas2);
    w.ok(w.copy({ src_ioas_id: ioas, dst_ioas_id: ioas2, src_iova: A, length: 8n * P }));
    expect(counters(w)).toEqual([12, 0, 12]);
    w.ok(w.close(w.ifd));
    expect(counters(w)).toEqual([12, 0, 12]);
    w.ok(w.close(w.dev('m0')));
    w.ok(w.close(w.dev('pci')));
    expect(counters(w)).toEqual([0, 0, 0]);
    expect(w.k.frames.every((f) => !f || f.pins === 0)).toBe(true);
    expect(w.k.files.map((f) => f.kind)).toEqual(['memfd']);
    expect(w.k.hw.map((h) => h.domain)).toEqual(['default', 'default']);
    expect(w.k.domains).toEqual([]);
  });
});

describe('accounting', () => {
  it('USER mode: RLIMIT_MEMLOCK in pages; going over is ENOMEM with nothing pinned (incr_user_locked_vm)', () => {
    const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 4 }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFixed(ioas, A, 3n * P));
    w.err(w.mapFixed(ioas, A + 8n * P, 2n * P, BUF_VA + 8n * P), 'ENOMEM', 'incr_user_locked_vm:rlimit');
    expect(counters(w)).toEqual([3, 0, 3]);
    w.ok(w.mapFixed(ioas, A + 8n * P, P, BUF_VA + 8n * P));
    expect(counters(w)).toEqual([4, 0, 4]);
  });

  it('the first domain of an IOAS charges area by area and fails ENOMEM as a whole', () => {
    const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 4 }));
    const ioas = w.newIoas();
    w.ok(w.mapFixed(ioas, A, 3n * P));
    w.ok(w.mapFixed(ioas, A + 8n * P, 3n * P, BUF_VA + 8n * P));
    w.ok(w.bind('m0'));
    w.err(w.attach('m0', ioas), 'ENOMEM', 'incr_user_locked_vm:rlimit');
    expect(counters(w)).toEqual([0, 0, 0]);
    expect(w.k.domains).toEqual([]);
  });

  it('MM mode (RLIMIT_MODE=1, CAP_SYS_RESOURCE without CAP_IPC_LOCK) charges mm->locked_vm', () => {
    const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 2, capabilities: { ipcLock: false, sysResource: true } }));
    w.ok(w.option({ option_id: OPT.RLIMIT_MODE, op: OP.SET, val64: 1n }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFixed(ioas, A, 2n * P));
    expect(counters(w)).toEqual([0, 2, 2]);
    w.err(w.mapFixed(ioas, A + 4n * P, P, BUF_VA + 4n * P), 'ENOMEM', 'update_mm_locked_vm:rlimit');
  });

  it('a privileged process (CAP_IPC_LOCK) is not charged, but mm->pinned_vm still counts', () => {
    const w = new World(config({ devices: [mockDev('m0')] }));
    const ioas = w.newIoas();
    w.bindAttach('m0', ioas);
    w.ok(w.mapFixed(ioas, A, 64n * P));
    expect(counters(w)).toEqual([0, 0, 64]);
  });
});
