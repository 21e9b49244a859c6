/**
 * Issue 6, random runs: S4 hardened (see hardened-a.test.ts), adversarial on the objects and the devices, and with
 * the whole wider menu but for the three calls of S4_HARDENED_FINDINGS (findings.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { S4_CALL_GROUPS, S4_HARDENED_FINDINGS } from '../../src/random/index.ts';
import { runWorld } from './helpers.ts';

describe('S4 hardened, random runs (adversarial on objects and devices; the whole menu)', () => {
  it('adversarial on objects and devices (10 deviations, two devices): 250 runs, every invariant holds', () => {
    const r = runWorld({ world: { variant: 'hardened', deviations: 10, calls: [...S4_CALL_GROUPS.objects] }, runs: 250, maxSteps: 80 });
    expect(r.runs).toBe(250);
    expect(r.tolerated).toEqual({});
    expect(r.phases['finished']).toBeGreaterThan(0);
  });

  it('adversarial with the whole menu but the findings (12 deviations, two devices): 150 runs, every invariant holds', () => {
    const r = runWorld({ world: { variant: 'hardened', deviations: 12, exclude: [...S4_HARDENED_FINDINGS] }, runs: 150, maxSteps: 80 });
    expect(r.runs).toBe(150);
    expect(r.tolerated).toEqual({});
    expect(r.phases['finished']).toBeGreaterThan(0);
    expect(r.phases['refused']).toBeGreaterThan(0);
  });
});
