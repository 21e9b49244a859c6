/** `no-reuse` (src/invariants/noReuse.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { step } from './luPlant.ts';
import { World, config } from '../kernel/harness.ts';
import type { Kernel } from '../../src/kernel/index.ts';

/** A preserved one-page memfd (no device), and the kernel a same-kernel kexec makes of it. */
function memfdOnly(): { before: Kernel; after: Kernel; w: World } {
  const w = new World(config({ memfds: [{ name: 'm', pages: 2 }] }));
  const s = w.fd(w.createSession(w.fd(w.luOpen()), 's'));
  w.ok(w.preserve(s, w.memfd('m'), 1n));
  const before = w.k;
  w.ok(w.kexec('linux-7.1-sk-restore'));
  return { before, after: w.k, w };
}

describe('no-reuse', () => {
  it('holds when the new kernel reserves every preserved frame', () => {
    const { before, after } = memfdOnly();
    expect(step(before, { op: 'KEXEC', kernel: 'linux-7.1-sk-restore', faults: [] }, { ok: true, kernel: after, out: {}, rule: 'kernel_kexec:ok' })).toEqual([]);
  });
  it('reports a preserved frame the new kernel hands out at boot', () => {
    const { before, after } = memfdOnly();
    const k = copy(after);
    k.frames[1] = { label: 'kernel:9', owner: { kind: 'kernel' }, pins: 0, table: null };
    expect(step(before, { op: 'KEXEC', kernel: 'linux-7.1-sk-restore', faults: [] }, { ok: true, kernel: k, out: {}, rule: 'kernel_kexec:ok' })).toEqual(['no-reuse']);
  });
  it('reports a reserved frame handed out before it is restored', () => {
    const { after, w } = memfdOnly();
    const k = copy(after);
    k.frames[0] = { label: 'other:0', owner: { kind: 'buffer', buffer: 'other', index: 0 }, pins: 0, table: null };
    expect(step(after, w.luOpen(), { ok: true, kernel: k, out: {}, rule: 'luo_open:ok' })).toEqual(['no-reuse']);
  });
});
