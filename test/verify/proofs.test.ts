/** The S4 proof files load, judge every invariant with a reason, and name their goals by lifecycle phase. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProof, DEFAULT_PROOFS, findProofFiles, JUDGED, loadProofs } from '../../src/verify/index.ts';
import { INVARIANTS } from '../../src/invariants/index.ts';

describe('proof files', () => {
  it('every proofs/s4-hitless-replace/*.proof.ts loads with an expectation and a reason for every judged invariant', async () => {
    const files = findProofFiles(join(DEFAULT_PROOFS, 's4-hitless-replace'));
    const loaded = await loadProofs(files);
    expect(loaded.map((l) => l.proof.name).sort()).toEqual([
      's4-hardened-adversarial-same', 's4-hardened-adversarial-upgrade', 's4-hardened-bbm-leaf-sizes', 's4-hardened-faithful-same', 's4-hardened-first-cut-adversarial-same',
      's4-proposed-adversarial-same', 's4-proposed-bbm-leaf-sizes', 's4-proposed-faithful-same', 's4-proposed-faithful-upgrade',
      's4-proposed-rollback-no-iommu', 's4-replace-check-only-adversarial-same',
    ]);
    expect(JUDGED).toEqual([...INVARIANTS.map((i) => i.name), 'no-deadlock']);
    expect(JUDGED).toHaveLength(14);
    for (const { proof } of loaded) {
      expect(checkProof(proof), proof.name).toEqual([]);
      for (const name of JUDGED) expect(proof.expect[name]?.why.length, `${proof.name} ${name}`).toBeGreaterThan(10);
      expect(Object.keys(proof.goals).length, proof.name).toBeGreaterThan(0);
      expect(proof.environment.dma.length, proof.name).toBeGreaterThan(0);
    }
  });

  it('a proof missing an expectation, or naming an unknown invariant or phase, is refused', async () => {
    const [loaded] = await loadProofs(findProofFiles(join(DEFAULT_PROOFS, 's4-hitless-replace')).filter((f) => f.endsWith('s4-proposed-faithful-same.proof.ts')));
    const proof = loaded?.proof;
    const { 'fail-stop': _drop, ...partial } = proof!.expect;
    expect(checkProof({ ...proof!, expect: partial })).toEqual(['expect.fail-stop: missing (every judged invariant needs an expected verdict)']);
    expect(checkProof({ ...proof!, expect: { ...proof!.expect, 'no-such': { verdict: 'HOLDS', why: 'x' } } as never })[0]).toMatch(/^expect\.no-such: no such invariant/);
    expect(checkProof({ ...proof!, goals: { nowhere: { verdict: 'REACHED', why: 'x' } } as never })[0]).toMatch(/^goals\.nowhere: no such lifecycle phase/);
  });
});
