/**
 * Physical frames (src/kernel/frames.ts): lowest free first, labels that say whose page it was, pins, and the
 * detached state of a page whose owner went away while pinned.
 */
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/index.ts';
import { allocFrame, frameTx, freeFrame, pinFrame, releaseDataFrame } from '../../src/kernel/frames.ts';
import { World, deepFreeze } from './harness.ts';

const empty = (): Kernel => deepFreeze(new World().k);

describe('frames', () => {
  it('are handed out lowest free first and trimmed when the top ones are freed', () => {
    let k = empty();
    let a: number;
    let b: number;
    let c: number;
    [k, a] = allocFrame(k, 'x:0', { kind: 'detached' });
    [k, b] = allocFrame(k, 'x:1', { kind: 'detached' });
    [k, c] = allocFrame(k, 'x:2', { kind: 'detached' });
    expect([a, b, c]).toEqual([0, 1, 2]);
    k = freeFrame(k, 1);
    let d: number;
    [k, d] = allocFrame(k, 'y:0', { kind: 'detached' });
    expect(d).toBe(1);
    k = freeFrame(freeFrame(k, 2), 1);
    expect(k.frames.length).toBe(1);
  });
  it('a released data frame is freed unless pinned; then it is freed at its last unpin', () => {
    let k = empty();
    let p: number;
    [k, p] = allocFrame(k, 'g:0', { kind: 'memfd', file: 2, index: 0 });
    k = pinFrame(k, p, 1);
    k = releaseDataFrame(k, p);
    expect(k.frames[p]).toEqual({ label: 'g:0', owner: { kind: 'detached' }, pins: 1, table: null });
    k = pinFrame(k, p, -1);
    expect(k.frames).toEqual([]);
    expect(() => pinFrame(empty(), 0, 1)).toThrow(/model bug/);
  });
  it('a batch (frameTx) writes as the single-frame helpers do, copies a table once and leaves its input alone', () => {
    let k = empty();
    let t: number;
    let d: number;
    [k, t] = allocFrame(k, 'pt:d1:l0', { kind: 'pagetable', domain: 1 }, []);
    [k, d] = allocFrame(k, 'g:0', { kind: 'memfd', file: 2, index: 0 });
    k = deepFreeze(pinFrame(k, d, 1));
    const tx = frameTx(k);
    const e1 = tx.entries(t);
    e1.push({ index: 0, kind: 'leaf', phys: 0x1000n, prot: 3 });
    expect(tx.entries(t)).toBe(e1);
    e1.push({ index: 1, kind: 'leaf', phys: 0x2000n, prot: 3 });
    expect(() => tx.entries(d)).toThrow(/not a page table/);
    tx.release(d);
    const a = tx.alloc('x:0', { kind: 'detached' });
    expect(a).toBe(2);
    tx.free(a);
    tx.pin(d, -1);
    expect(tx.alloc('y:0', { kind: 'detached' })).toBe(1);
    const k1 = tx.commit(k);
    expect(k.frames[t]?.table).toEqual([]);
    expect(k.frames[d]?.pins).toBe(1);
    expect(k1.frames.map((f) => f?.label)).toEqual(['pt:d1:l0', 'y:0']);
    expect(k1.frames[t]?.table?.map((e) => e.index)).toEqual([0, 1]);
    // The same writes one by one.
    let k2 = releaseDataFrame(k, d);
    k2 = pinFrame(k2, d, -1);
    k2 = allocFrame(k2, 'y:0', { kind: 'detached' })[0];
    expect(k1.frames[1]).toEqual(k2.frames[1]);
    expect(k2.frames.length).toBe(k1.frames.length);
  });
});
