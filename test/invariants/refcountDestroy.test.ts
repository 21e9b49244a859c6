/** `refcount-destroy` (src/invariants/refcountDestroy.ts): planted violations, reported under its name only. */
import { describe, expect, it } from 'vitest';
import { checkStep, INVARIANTS } from '../../src/invariants/index.ts';
import type { Syscall } from '../../src/kernel/index.ts';
import { World, config } from '../kernel/harness.ts';
import { checkState, copy, ctxOf, ioasOf, names, smallWorld } from './plant.ts';

describe('refcount-destroy', () => {
  it('is a step invariant', () => {
    expect(INVARIANTS.find((i) => i.name === 'refcount-destroy')?.kind).toBe('step');
  });
  it('reports a users counter that is not 1 + the holders found in the state', () => {
    const k = copy(smallWorld().k);
    ioasOf(k).users += 1;
    const v = checkState(k);
    expect(names(v)).toEqual(['refcount-destroy']);
    expect(v[0]?.message).toMatch(/users is 3 but it is held by HWPT_PAGING 3/);
  });
  it('reports an IOMMU_DESTROY whose result the dependency graph contradicts', () => {
    const w = new World(config());
    const ioas = w.newIoas();
    const call: Syscall = { op: 'IOMMU_DESTROY', fd: w.ifd, arg: { id: ioas } };
    const v = checkStep(w.k, call, { ok: false, errno: 'EBUSY', rule: 'iommufd_object_remove:busy' });
    expect(names(v)).toEqual(['refcount-destroy']);
    const busy = smallWorld();
    const v2 = checkStep(busy.k, { op: 'IOMMU_DESTROY', fd: busy.ifd, arg: { id: 1 } }, { ok: true, kernel: busy.k, out: {}, rule: 'iommufd_destroy:ok' });
    expect(names(v2)).toEqual(['refcount-destroy']);
    expect(v2[0]?.message).toMatch(/held by HWPT_PAGING 3/);
  });
  it('reports a success that leaves the object in the table', () => {
    const w = new World(config());
    const ioas = w.newIoas();
    const v = checkStep(w.k, { op: 'IOMMU_DESTROY', fd: w.ifd, arg: { id: ioas } }, { ok: true, kernel: copy(w.k), out: {}, rule: 'iommufd_destroy:ok' });
    expect(names(v)).toEqual(['refcount-destroy']);
    void ctxOf;
  });
});
