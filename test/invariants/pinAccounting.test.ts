/** `pin-accounting` (src/invariants/pinAccounting.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { checkState, copy, ctxOf, names, smallWorld } from './plant.ts';

describe('pin-accounting', () => {
  it('holds on a real world', () => {
    expect(checkState(smallWorld().k)).toEqual([]);
  });
  it('reports user->locked_vm that is not the USER-accounted pins', () => {
    const k = copy(smallWorld().k);
    k.process.userLockedVm += 1;
    expect(names(checkState(k))).toEqual(['pin-accounting']);
  });
  it('reports mm->pinned_vm that is not every pin', () => {
    const k = copy(smallWorld().k);
    k.process.mmPinnedVm -= 1;
    expect(names(checkState(k))).toEqual(['pin-accounting']);
  });
  it('reports npinned that disagrees with the pages pinned', () => {
    const k = copy(smallWorld().k);
    const p = ctxOf(k).pages[0];
    if (!p) throw new Error('no pages');
    p.npinned += 1;
    expect(names(checkState(k))).toEqual(['pin-accounting']);
  });
  it('reports a frame whose pin count is not what the iopt_pages hold', () => {
    const k = copy(smallWorld().k);
    const f = k.frames.find((x) => x && x.pins > 0);
    if (!f) throw new Error('no pinned frame');
    f.pins += 1;
    expect(names(checkState(k))).toEqual(['pin-accounting']);
  });
  it('reports an index pinned twice, even when the counts agree', () => {
    const k = copy(smallWorld().k);
    const p = ctxOf(k).pages[0];
    const x = p?.pinned[1];
    if (!p || !x) throw new Error('no pinned pages');
    x.index = 0;
    const pin = checkState(k).filter((v) => v.invariant === 'pin-accounting');
    expect(pin.map((v) => v.message)).toEqual([expect.stringMatching(/page 0 is pinned twice/)]);
  });
  it('reports a pinned index that no area in a domain covers', () => {
    const k = copy(smallWorld().k);
    const x = ctxOf(k).pages[0]?.pinned[1];
    if (!x) throw new Error('no pinned pages');
    x.index = 5;
    const pin = checkState(k).filter((v) => v.invariant === 'pin-accounting');
    expect(pin.map((v) => v.message)).toEqual([expect.stringMatching(/page 5 is pinned but no domain references it/)]);
  });
});
