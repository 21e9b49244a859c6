/** `domain-matches-areas` (src/invariants/domainMatchesAreas.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { checkState, copy, ctxOf, ioasOf, names, smallWorld } from './plant.ts';

describe('domain-matches-areas', () => {
  it('holds on a real world', () => {
    expect(checkState(smallWorld().k)).toEqual([]);
  });
  it('reports one PTE pointing at the wrong frame', () => {
    const k = copy(smallWorld().k);
    const leafTable = k.frames.find((f) => f?.table?.some((e) => e.kind === 'leaf'));
    const leaf = leafTable?.table?.find((e) => e.kind === 'leaf');
    if (!leaf || leaf.kind !== 'leaf') throw new Error('no leaf');
    leaf.phys += 0x10000n;
    const v = checkState(k);
    expect(names(v)).toEqual(['domain-matches-areas']);
    expect(v[0]?.message).toMatch(/page table maps/);
  });
  it('reports a leaf with the wrong prot, and a missing leaf', () => {
    const k = copy(smallWorld().k);
    const t = k.frames.find((f) => f?.table?.some((e) => e.kind === 'leaf'))?.table;
    const leaf = t?.find((e) => e.kind === 'leaf');
    if (!leaf || leaf.kind !== 'leaf' || !t) throw new Error('no leaf');
    leaf.prot = 1;
    expect(names(checkState(k))).toEqual(['domain-matches-areas']);
    t.splice(t.indexOf(leaf), 1);
    expect(names(checkState(k))).toEqual(['domain-matches-areas']);
  });
  it('reports a domain that maps more than the areas (a leftover leaf)', () => {
    const k = copy(smallWorld().k);
    const t = k.frames.find((f) => f?.table?.some((e) => e.kind === 'leaf'))?.table;
    const leaf = t?.find((e) => e.kind === 'leaf');
    if (!leaf || leaf.kind !== 'leaf' || !t) throw new Error('no leaf');
    const free = Array.from({ length: 8 }, (_, i) => i).find((i) => !t.some((e) => e.index === i));
    if (free === undefined) throw new Error('no free slot');
    t.push({ ...leaf, index: free });
    t.sort((a, b) => a.index - b.index);
    expect(names(checkState(k))).toEqual(['domain-matches-areas']);
    void ctxOf;
    void ioasOf;
  });
});
