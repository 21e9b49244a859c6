/**
 * Physical frames (src/kernel/frames.ts): lowest free first, labels that say whose page it was, pins, and the
 * detached state of a page whose owner went away while pinned.
 */
import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernel/index.ts';
import { allocFrame, freeFrame, pinFrame, releaseDataFrame } from '../../src/kernel/frames.ts';
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
});
