/**
 * Helpers for planted-violation tests: a small real world to start from, and a mutable deep copy of its kernel to
 * break by hand (the copy is the test's; the model's kernels stay frozen).
 */
import type { IoasObject, IommufdCtx, Kernel } from '../../src/kernel/index.ts';
import { checkState, type Violation } from '../../src/invariants/index.ts';
import { BUF_VA, MOCK_APERTURE, P, World, config, mockDev } from '../kernel/harness.ts';

/** A mock device attached to an IOAS with two 2-page areas: every invariant holds. */
export function smallWorld(): World {
  const w = new World(config({ devices: [mockDev('m0')], rlimitMemlock: 64 }));
  const ioas = w.newIoas();
  w.bindAttach('m0', ioas);
  w.ok(w.mapFixed(ioas, MOCK_APERTURE[0], 2n * P));
  w.ok(w.mapFixed(ioas, MOCK_APERTURE[0] + 4n * P, 2n * P, BUF_VA + 4n * P));
  return w;
}

/** A mutable deep copy of `k`. */
export function copy(k: Kernel): Kernel {
  return structuredClone(k);
}

export function ctxOf(k: Kernel): IommufdCtx {
  const f = k.files.find((x) => x.kind === 'iommufd');
  if (f?.kind !== 'iommufd') throw new Error('no iommufd');
  return f.ctx;
}

export function ioasOf(k: Kernel, id = 1): IoasObject {
  const o = ctxOf(k).objects.find((x) => x.id === id);
  if (o?.type !== 'IOAS') throw new Error(`no IOAS ${id}`);
  return o;
}

/** The names of the invariants `checkState` reports. */
export function names(v: Violation[]): string[] {
  return v.map((x) => x.invariant);
}

export { checkState };
