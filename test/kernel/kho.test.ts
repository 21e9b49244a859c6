/** KHO (src/kernel/kho.ts): per-frame preservation, exact unpreserve, reservation at boot, restore once. */
import { describe, expect, it } from 'vitest';
import { hasPfn, khoPreserve, khoRestore, khoUnpreserve } from '../../src/kernel/kho.ts';
import { GUEST_PAGES, preserveAll } from './lu.ts';
import { config, World } from './harness.ts';

describe('KHO', () => {
  it('preserves frames, unpreserves exactly what was preserved, and never a scratch (kernel) frame', () => {
    const w = new World(config({ memfds: [{ name: 'm', pages: 2 }] }));
    const s = w.fd(w.createSession(w.fd(w.luOpen()), 's'));
    w.ok(w.preserve(s, w.memfd('m'), 1n));
    const pfns = w.k.kho.preserved;
    expect(pfns).toEqual([0, 1]);
    expect(() => khoUnpreserve(w.k, [5])).toThrow(/not preserved/);
    expect(khoUnpreserve(w.k, pfns).kho.preserved).toEqual([]);
    w.ok(w.kexec('linux-7.1-sk-restore'));
    const kernelFrame = w.k.frames.findIndex((f) => f?.owner.kind === 'kernel');
    expect(() => khoPreserve(w.k, [kernelFrame])).toThrow(/scratch/);
  });

  it('reserves every preserved frame at boot, keeps its content, and restores it once', () => {
    const { w } = preserveAll();
    const preserved = w.k.kho.preserved;
    expect(preserved.length).toBe(GUEST_PAGES + 4); // the guest pages and the four table levels of a 48-bit domain
    const labels = preserved.map((p) => w.k.frames[p]?.label);
    w.ok(w.kexec('linux-7.1-sk-restore'));
    // The IOMMU restored the table frames at boot; the guest pages wait for memfd_luo_retrieve().
    for (const p of preserved) expect(w.k.frames[p]?.label).toBe(labels[preserved.indexOf(p)]);
    const guest = preserved.filter((p) => w.k.frames[p]?.owner.kind === 'incoming');
    expect(guest.length).toBe(GUEST_PAGES);
    expect(w.k.kho.incoming).toEqual(guest);
    const once = khoRestore(w.k, [guest[0] as number], () => ({ kind: 'detached' }));
    expect(once && hasPfn(once.kho.incoming, guest[0] as number)).toBe(false);
    expect(once && khoRestore(once, [guest[0] as number], () => ({ kind: 'detached' }))).toBeNull();
  });
});
