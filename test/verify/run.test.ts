/**
 * Verdicts from a search: HOLDS and UNREACHED only from an exhaustive search, VIOLATED and REACHED with the length of
 * their shortest path, and a bound (states, depth) gives INCOMPLETE, never HOLDS or UNREACHED.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROOFS, findProofFiles, loadProofs, proofJobs, runProof, type ProofResult } from '../../src/verify/index.ts';

const out = mkdtempSync(join(tmpdir(), 'handover-verify-'));

async function job(name: string) {
  const files = findProofFiles(join(DEFAULT_PROOFS, 's4-hitless-replace')).filter((f) => f.endsWith(`/${name}.proof.ts`));
  const [j] = proofJobs(await loadProofs(files));
  return j!;
}

const verdicts = (r: ProofResult) => Object.fromEntries(r.invariants.map((i) => [i.invariant, i.verdict === 'VIOLATED' ? `VIOLATED ${i.steps}` : i.verdict]));
const goals = (r: ProofResult) => Object.fromEntries(r.goals.map((g) => [g.phase, g.verdict === 'REACHED' ? `REACHED ${g.steps}` : g.verdict]));

describe('proof verdicts', () => {
  it('exhaustive: HOLDS everywhere, goals REACHED with their depth and refused UNREACHED', async () => {
    const r = await runProof(await job('s4-proposed-faithful-same'), { workers: 1, outDir: out });
    expect(r.exhaustive).toBe(true);
    expect(new Set(Object.values(verdicts(r)))).toEqual(new Set(['HOLDS']));
    expect(goals(r)).toEqual({ freezeFailed: 'REACHED 13', restored: 'REACHED 13', replaced: 'REACHED 24', finished: 'REACHED 25', refused: 'UNREACHED' });
    expect(r.ok).toBe(true);
    expect(r.counterexamples).toEqual([]);
  });

  it('a states bound gives INCOMPLETE and "not reached", never HOLDS or UNREACHED', async () => {
    const r = await runProof(await job('s4-proposed-faithful-same'), { workers: 1, outDir: out, maxStates: 5 });
    expect(r.exhaustive).toBe(false);
    expect(r.bound).toBe('states 5');
    expect(new Set(Object.values(verdicts(r)))).toEqual(new Set(['INCOMPLETE']));
    expect(new Set(Object.values(goals(r)))).toEqual(new Set(['INCOMPLETE']));
    expect(r.invariants.every((i) => !i.asExpected && i.bound === 'states 5')).toBe(true);
    expect(r.ok).toBe(false);
  });

  it('a depth bound: a goal reached within it is REACHED, the rest INCOMPLETE', async () => {
    const r = await runProof(await job('s4-proposed-faithful-same'), { workers: 1, outDir: out, maxDepth: 14 });
    expect(r.exhaustive).toBe(false);
    expect(goals(r)).toEqual({ freezeFailed: 'REACHED 13', restored: 'REACHED 13', replaced: 'INCOMPLETE', finished: 'INCOMPLETE', refused: 'INCOMPLETE' });
    expect(new Set(Object.values(verdicts(r)))).toEqual(new Set(['INCOMPLETE']));
  });

  it('a violation found before the bound is VIOLATED; the invariants not violated stay INCOMPLETE', async () => {
    const full = await runProof(await job('s4-proposed-rollback-no-iommu'), { workers: 1, outDir: out });
    expect(full.states).toBe(15);
    expect(verdicts(full)['dma-never-faults']).toBe('VIOLATED 13');
    expect(goals(full)).toEqual({ restored: 'UNREACHED', translationLost: 'REACHED 13' });
    const cut = await runProof(await job('s4-proposed-rollback-no-iommu'), { workers: 1, outDir: out, maxStates: 14 });
    expect(cut.exhaustive).toBe(false);
    const v = verdicts(cut);
    expect(v['dma-never-faults']).toBe('VIOLATED 13');
    expect(v['fail-stop']).toBe('VIOLATED 13');
    expect(v['no-reuse']).toBe('INCOMPLETE');
    expect(goals(cut)).toEqual({ restored: 'INCOMPLETE', translationLost: 'REACHED 13' });
  });
});
