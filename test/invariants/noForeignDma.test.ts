/** `no-foreign-dma` (src/invariants/noForeignDma.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { checkState, kexecedWorld, names, replacedWorld, step } from './luPlant.ts';

describe('no-foreign-dma', () => {
  it('holds after a kexec and after the rebuild', () => {
    expect(checkState(kexecedWorld().k)).toEqual([]);
    expect(checkState(replacedWorld().r.w.k)).toEqual([]);
  });
  it('reports a device whose hardware reaches memory its owner did not map for it', () => {
    // dev1 was never preserved and is on its default domain; plant its context entry on dev0's tables.
    const k = copy(kexecedWorld().k);
    const dev0 = k.hw.find((h) => h.device === 'dev0');
    const dev1 = k.hw.find((h) => h.device === 'dev1');
    if (!dev0?.pt || !dev1) throw new Error('no devices');
    dev1.pt = dev0.pt;
    expect(names(checkState(k))).toEqual(['no-foreign-dma']);
    expect(checkState(k)[0]?.message).toMatch(/device dev1: iova 0x100000000 reaches frame \d+ \(guest:0\), which is not memory its owner mapped/);
  });
  it('reports, at the kexec, a device that walks frames the new kernel reused during the window', () => {
    const w = kexecedWorld();
    // Plant a window: the old kernel's dev1 walked a table whose leaf pointed at a frame the new kernel made its own.
    const before = copy(w.k);
    const after = copy(w.k);
    const dev0 = before.hw.find((h) => h.device === 'dev0');
    const dev1 = before.hw.find((h) => h.device === 'dev1');
    if (!dev0?.pt || !dev1) throw new Error('no devices');
    before.history.devices = [];
    before.history.domains = [];
    before.kho.boot = 'cold';
    const leaf = before.frames.findIndex((f) => f?.label === 'guest:2');
    after.frames[leaf] = { label: 'kernel:7', owner: { kind: 'kernel' }, pins: 0, table: null };
    after.kho.incoming = after.kho.incoming.filter((p) => p !== leaf);
    after.hw = after.hw.map((h) => ({ ...h, pt: null, domain: 'default', luClaimed: false }));
    after.history = { domains: [], devices: [] };
    dev1.pt = dev0.pt;
    const got = step(before, { op: 'KEXEC', kernel: 'linux-7.1-sk-restore', faults: [] }, { ok: true, kernel: after, out: {}, rule: 'kernel_kexec:ok' });
    expect(got).toEqual(['no-foreign-dma']);
  });
});
