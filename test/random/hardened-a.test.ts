/**
 * Issue 6, random runs: S4 hardened, upgrade linux-7.1-sk-v1 -> linux-7.1-sk-restore, in worlds larger than the
 * exhaustive proofs' (a 64-page guest, a second device carried through the live update, up to 12 deviations, a
 * wider menu, both KEXEC faults): no invariant breaks. With hardened-b.test.ts, 1,000 runs in CI.
 *
 * Three adversarial calls are left out here: each breaks dma-never-faults on S4 hardened, and findings.test.ts
 * proves it with a trace (S4_HARDENED_FINDINGS).
 */
import { describe, expect, it } from 'vitest';
import { S4_CALL_GROUPS } from '../../src/random/index.ts';
import { runWorld } from './helpers.ts';

describe('S4 hardened, random runs (faithful; adversarial on the rebuild and the lifecycle)', () => {
  it('faithful VMM, 64-page guest, two devices, both KEXEC faults: 100 runs, every invariant holds', () => {
    const r = runWorld({ world: { variant: 'hardened', deviations: 0 }, runs: 100, maxSteps: 80 });
    expect(r.runs).toBe(100);
    expect(r.tolerated).toEqual({});
    expect(r.ends.terminal).toBe(100);
    // A run ends finished or, when the new kernel meets restore-table-page-fails, panicked: both are reached.
    expect(r.phases['finished']).toBeGreaterThan(0);
    expect(r.phases['panicked']).toBeGreaterThan(0);
  });

  it('adversarial on the rebuilt IOAS (10 deviations, two devices): 300 runs, every invariant holds', () => {
    const r = runWorld({ world: { variant: 'hardened', deviations: 10, calls: [...S4_CALL_GROUPS.rebuild] }, runs: 300, maxSteps: 80 });
    expect(r.runs).toBe(300);
    expect(r.tolerated).toEqual({});
    expect(r.phases['refused']).toBeGreaterThan(0);
    expect(r.phases['finished']).toBeGreaterThan(0);
  });

  it('adversarial before the kexec, on the retrieved memfd and the session (8 deviations, one device): 200 runs, every invariant holds', () => {
    const r = runWorld({ world: { variant: 'hardened', deviations: 8, secondDevice: false, calls: [...S4_CALL_GROUPS.lifecycle] }, runs: 200, maxSteps: 80 });
    expect(r.runs).toBe(200);
    expect(r.tolerated).toEqual({});
    expect(r.phases['finished']).toBeGreaterThan(0);
    expect(r.phases['aborted']).toBeGreaterThan(0);
  });
});
