/** `fail-stop` (src/invariants/failStop.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { step } from './luPlant.ts';
import { preserveAll } from '../kernel/lu.ts';

describe('fail-stop', () => {
  it('holds when the new kernel accepted the handover and the device is back on its restored domain; a panic is a stop', () => {
    const { w } = preserveAll();
    const before = w.k;
    const call = w.kexec('linux-7.1-sk-restore');
    const r = w.run(call);
    expect(step(before, call, r)).toEqual([]);
    expect(step(before, call, { ok: false, panic: true, reason: 'planted', rule: 'luo_early_startup:incompatible' })).toEqual([]);
  });
  it('reports a kernel that goes on after KHO revival was disabled while a device kept doing DMA', () => {
    const { w } = preserveAll();
    const before = w.k;
    const call = w.kexec('linux-7.1-sk-restore');
    const r = w.run(call);
    if (!r.ok) throw new Error('kexec failed');
    const after = copy(r.kernel);
    after.kho.boot = 'revival-disabled';
    expect(step(before, call, { ...r, kernel: after })).toEqual(['fail-stop']);
  });
});
