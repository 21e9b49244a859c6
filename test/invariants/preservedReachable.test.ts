/** `preserved-reachable` (src/invariants/preservedReachable.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { copy } from './plant.ts';
import { checkState, names, preservedWorld } from './luPlant.ts';

describe('preserved-reachable', () => {
  it('holds when the iommufd and the memfd it maps are preserved', () => {
    expect(checkState(preservedWorld().k)).toEqual([]);
  });
  it('reports a table page of a preserved domain that KHO does not preserve', () => {
    const k = copy(preservedWorld().k);
    const top = k.domains[0]?.top as number;
    k.kho.preserved = k.kho.preserved.filter((p) => p !== top);
    expect(names(checkState(k))).toEqual(['preserved-reachable']);
    expect(checkState(k)[0]?.message).toMatch(/page-table frame .* is not KHO-preserved/);
  });
  it('reports a page a preserved domain maps that KHO does not preserve', () => {
    const k = copy(preservedWorld().k);
    const page = k.frames.findIndex((f) => f?.label === 'guest:7');
    k.kho.preserved = k.kho.preserved.filter((p) => p !== page);
    expect(names(checkState(k))).toEqual(['preserved-reachable']);
    expect(checkState(k)[0]?.message).toMatch(/guest:7\), which is not KHO-preserved/);
  });
});
