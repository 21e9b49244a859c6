/** The registry (src/invariants/registry.ts): names, and which invariants run on which steps. */
import { describe, expect, it } from 'vitest';
import { checkState, checkStep, INVARIANTS } from '../../src/invariants/index.ts';
import { World, config } from '../kernel/harness.ts';
import { copy, names } from './plant.ts';

describe('registry', () => {
  it('lists the steady-state and live-update invariants under their product.md names, once each', () => {
    expect(INVARIANTS.map((i) => i.name)).toEqual([
      'domain-matches-areas', 'iova-disjoint-aligned', 'pin-accounting', 'refcount-destroy', 'failure-atomic',
      'blackout-immutable', 'preserved-reachable', 'no-reuse', 'dma-never-faults', 'no-foreign-dma', 'reconstruction-equivalent',
      'finish-gated', 'fail-stop',
    ]);
    for (const i of INVARIANTS) expect(i.source).toMatch(/domain\.md/);
  });
  it('a booted world holds every invariant', () => {
    expect(checkState(new World(config()).k)).toEqual([]);
  });
  it('checkStep checks the state a step leaves, not the one a failed step kept', () => {
    const w = new World(config());
    const broken = copy(w.k);
    broken.process.mmPinnedVm = 5;
    const call = w.destroy(9);
    expect(checkStep(broken, call, { ok: false, errno: 'ENOENT', rule: 'iommufd_object_remove:not-found' })).toEqual([]);
    expect(names(checkStep(w.k, w.ioasAlloc(), { ok: true, kernel: broken, out: {}, rule: 'iommufd_ioas_alloc_ioctl:ok' }))).toEqual(['pin-accounting']);
  });
});
