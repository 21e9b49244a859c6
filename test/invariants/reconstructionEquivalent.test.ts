/** `reconstruction-equivalent` (src/invariants/reconstructionEquivalent.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { checkState, names, replacedWorld } from './luPlant.ts';
import { attachCdev, preserveAll, rebuild, retrieveAll } from '../kernel/lu.ts';
import { FIXED, P, RW, type World } from '../kernel/harness.ts';

describe('reconstruction-equivalent', () => {
  it('holds when the rebuilt HWPT maps the retrieved memfd where the preserved domain did', () => {
    expect(checkState(replacedWorld().r.w.k)).toEqual([]);
  });
  it('a rebuild that maps another memfd offset is flagged when the device is switched onto it', () => {
    const w = shifted();
    expect(names(w.lastViolations)).toEqual(['dma-never-faults', 'reconstruction-equivalent']);
    expect(w.lastViolations.find((v) => v.invariant === 'reconstruction-equivalent')?.message).toMatch(/the preserved domain maps .* the rebuilt one/);
  });
  it('reports only itself when the hardware still walks the restored tables beside the shifted rebuild', () => {
    const k = copy(shifted().k);
    const restored = k.domains.find((d) => d.restored);
    const hw = k.hw.find((x) => x.device === 'dev0');
    if (!restored || !hw) throw new Error('no restored domain');
    hw.pt = { top: restored.top as number, levels: restored.levels };
    expect(names(checkState(k))).toEqual(['reconstruction-equivalent']);
  });
});

/** A rebuild in a second IOAS mapping the retrieved memfd one page off, and the device switched onto it. */
function shifted(): World {
  const { w } = preserveAll();
  w.ok(w.kexec('linux-7.1-sk-restore'));
  const r = retrieveAll(w);
  const b = rebuild(r, 0n);
  const ioas = w.ok({ op: 'IOMMU_IOAS_ALLOC', fd: r.ifd, arg: { flags: 0 } }).out_ioas_id as number;
  w.ok({ op: 'IOMMU_IOAS_MAP_FILE', fd: r.ifd, arg: { flags: RW | FIXED, ioas_id: ioas, fd: r.guest, start: P, length: 8n * P, iova: 1n << 32n } });
  const bad = w.ok({ op: 'IOMMU_HWPT_ALLOC', fd: r.ifd, arg: { flags: 0, dev_id: b.devid, pt_id: ioas, __reserved: 0, data_type: 0, data_len: 0, fault_id: 0 } }).out_hwpt_id as number;
  w.strict = false;
  attachCdev(w, r.cdev, bad);
  return w;
}
