/** `iova-disjoint-aligned` (src/invariants/iovaDisjointAligned.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { P, World, config } from '../kernel/harness.ts';
import { checkState, copy, ioasOf, names } from './plant.ts';

/** Two lazily mapped areas in an IOAS without domains (nothing pinned, nothing in a page table). */
function lazy(): World {
  const w = new World(config());
  const ioas = w.newIoas();
  w.ok(w.mapFixed(ioas, 0x10000n, 2n * P));
  w.ok(w.mapFixed(ioas, 0x20000n, 2n * P));
  return w;
}

describe('iova-disjoint-aligned', () => {
  it('holds on a real world', () => {
    expect(checkState(lazy().k)).toEqual([]);
  });
  it('reports overlapping areas', () => {
    const k = copy(lazy().k);
    const a = ioasOf(k).areas[1];
    if (!a) throw new Error('no area');
    a.iova = 0x11000n;
    a.last = 0x12fffn;
    expect(names(checkState(k))).toEqual(['iova-disjoint-aligned']);
  });
  it('reports an area inside a reserved range', () => {
    const k = copy(lazy().k);
    ioasOf(k).reserved.push({ start: 0x20000n, last: 0x20000n, owner: 'test' });
    expect(names(checkState(k))).toEqual(['iova-disjoint-aligned']);
  });
  it('reports a misaligned area once large pages are off (alignment PAGE_SIZE)', () => {
    const k = copy(lazy().k);
    const ioas = ioasOf(k);
    ioas.disableLargePages = true;
    const a = ioas.areas[1];
    if (!a) throw new Error('no area');
    a.iova += 0x800n;
    a.last += 0x800n;
    expect(names(checkState(k))).toEqual(['iova-disjoint-aligned']);
  });
  it('reports an allowed range over a reserved one', () => {
    const k = copy(lazy().k);
    const ioas = ioasOf(k);
    ioas.allowed.push({ start: 0x40000n, last: 0x4ffffn });
    ioas.reserved.push({ start: 0x48000n, last: 0x48fffn, owner: 'test' });
    expect(names(checkState(k))).toEqual(['iova-disjoint-aligned']);
  });
});
