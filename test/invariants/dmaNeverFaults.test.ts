/** `dma-never-faults` (src/invariants/dmaNeverFaults.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { checkState, names, preservedWorld } from './luPlant.ts';
import { F_SEALS } from '../../src/kernel/index.ts';
import { FIXED, P, RW, World, config } from '../kernel/harness.ts';
import { HWPT_TOKEN, SESSION, T_CDEV, T_IOMMUFD, T_MEMFD, attachCdev, retrieveAll } from '../kernel/lu.ts';

describe('dma-never-faults', () => {
  it('holds while the preserved device keeps its translation', () => {
    expect(checkState(preservedWorld().k)).toEqual([]);
  });
  it('reports a device in a live update whose hardware translation went away', () => {
    const k = copy(preservedWorld().k);
    const hw = k.hw.find((h) => h.device === 'dev0');
    if (!hw) throw new Error('no dev0');
    hw.pt = null;
    expect(names(checkState(k))).toEqual(['dma-never-faults']);
    expect(checkState(k)[0]?.message).toMatch(/no translation/);
  });
  it('reports a replace on break-before-make hardware between tables of other leaf sizes, and only there', () => {
    // 1024 guest pages mapped at 4 GiB + 4 KiB: pages 511..1022 are 2 MiB-aligned in IOVA and in physical memory,
    // so the old kernel maps them with 2 MiB leaves (largest-fit); the rebuilt IOAS with HUGE_PAGES=0 maps 4 KiB
    // leaves. Same translations, other sizes.
    const run = (bbm: boolean, hugePages: boolean): string[] => {
      const w = new World(config({ memfds: [{ name: 'guest', pages: 1024 }], devices: [{ name: 'dev0', breakBeforeMake: bbm }] }));
      w.ok(w.seals(w.memfd('guest'), F_SEALS.GROW | F_SEALS.SHRINK | F_SEALS.SEAL));
      const devid = w.ok(w.bind('dev0')).out_devid as number;
      const ioas = w.newIoas();
      const hwpt = w.ok(w.hwptAlloc({ dev_id: devid, pt_id: ioas })).out_hwpt_id as number;
      w.ok(w.attach('dev0', hwpt));
      w.ok(w.mapFile({ ioas_id: ioas, fd: w.memfd('guest'), length: 1024n * P, iova: IOVA, flags: RW | FIXED }));
      w.ok(w.setPreserve(hwpt, HWPT_TOKEN));
      const s = w.fd(w.createSession(w.fd(w.luOpen()), SESSION));
      w.ok(w.preserve(s, w.memfd('guest'), T_MEMFD));
      w.ok(w.preserve(s, w.ifd, T_IOMMUFD));
      w.ok(w.preserve(s, w.dev('dev0'), T_CDEV));
      w.ok(w.kexec('linux-7.1-sk-restore'));
      const r = retrieveAll(w);
      const nd = w.ok({ op: 'VFIO_DEVICE_BIND_IOMMUFD', fd: r.cdev, arg: { flags: 0, iommufd: r.ifd } }).out_devid as number;
      const n = w.ok({ op: 'IOMMU_IOAS_ALLOC', fd: r.ifd, arg: { flags: 0 } }).out_ioas_id as number;
      if (!hugePages) w.ok({ op: 'IOMMU_OPTION', fd: r.ifd, arg: { option_id: 1, op: 0, __reserved: 0, object_id: n, val64: 0n } });
      w.ok({ op: 'IOMMU_IOAS_MAP_FILE', fd: r.ifd, arg: { flags: RW | FIXED, ioas_id: n, fd: r.guest, start: 0n, length: 1024n * P, iova: IOVA } });
      const h = w.ok({ op: 'IOMMU_HWPT_ALLOC', fd: r.ifd, arg: { flags: 0, dev_id: nd, pt_id: n, __reserved: 0, data_type: 0, data_len: 0, fault_id: 0 } }).out_hwpt_id as number;
      w.strict = false;
      attachCdev(w, r.cdev, h);
      return names(w.lastViolations);
    };
    expect(run(true, false)).toEqual(['dma-never-faults']);
    expect(run(true, true)).toEqual([]);
    expect(run(false, false)).toEqual([]);
  });
});

const IOVA = (1n << 32n) + P;
