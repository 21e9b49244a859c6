/** DMA (src/kernel/dma.ts): the hardware walks page-table frames in memory, whatever the iommufd objects say. */
import { describe, expect, it } from 'vitest';
import { dma, hwLeaves, hwTranslate, IOAS_MAP_FLAGS } from '../../src/kernel/index.ts';
import { FIXED, P, World, config } from './harness.ts';
import { copy } from '../invariants/plant.ts';
import { GUEST_IOVA, preserveAll } from './lu.ts';

describe('DMA', () => {
  it('reaches the frame a leaf points at, by its label; faults with no translation, no permission, or no domain', () => {
    const w = new World(config({ memfds: [{ name: 'g', pages: 2 }], devices: [{ name: 'dev0' }] }));
    expect(w.dma('dev0', 0n)).toMatchObject({ ok: false, rule: 'dma:blocked' });
    w.bindAttach('dev0', w.newIoas());
    w.ok(w.mapFile({ ioas_id: 1, fd: w.memfd('g'), length: 2n * P, iova: 0x10000n, flags: IOAS_MAP_FLAGS.READABLE | FIXED }));
    expect(w.reach('dev0', 0x11000n)).toBe('g:1');
    expect(w.dma('dev0', 0x11000n, 'write')).toMatchObject({ ok: false, rule: 'dma:not-permitted' });
    expect(w.dma('dev0', 0x20000n)).toMatchObject({ ok: false, rule: 'dma:no-translation' });
  });
  it('walks memory, not objects: a table frame overwritten by something else is read as it is', () => {
    const { w } = preserveAll();
    const k = copy(w.k);
    const pt = k.hw.find((h) => h.device === 'dev0')?.pt;
    if (!pt) throw new Error('no page table');
    expect(hwTranslate(k.frames, pt, GUEST_IOVA)).toMatchObject({ kind: 'leaf' });
    expect(hwLeaves(k.frames, pt).leaves.length).toBe(16);
    k.frames[pt.top] = { label: 'kernel:0', owner: { kind: 'kernel' }, pins: 0, table: null };
    expect(hwTranslate(k.frames, pt, GUEST_IOVA)).toEqual({ kind: 'garbage', pfn: pt.top });
    expect(hwLeaves(k.frames, pt).garbage).toEqual([{ iova: 0n, size: 1n << 64n, pfn: pt.top }]);
    expect(dma(k, { device: 'dev0', iova: GUEST_IOVA, access: 'read' })).toMatchObject({ ok: false, rule: 'dma:garbage-table' });
  });
  it('names a frame no one owns free:<pfn>', () => {
    const { w } = preserveAll();
    const k = copy(w.k);
    const leaf = k.frames.findIndex((f) => f?.label === 'guest:3');
    k.frames[leaf] = null;
    expect(dma(k, { device: 'dev0', iova: GUEST_IOVA + 3n * P, access: 'read' })).toMatchObject({ ok: true, frame: `free:${leaf}` });
  });
});
