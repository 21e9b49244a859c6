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
});
