/**
 * `handover verify` end to end: the written counterexamples replay (`handover replay`) to the same violation at the
 * same step, a planted wrong expectation exits 1, `--machine` with the hardened strategy minus its patches finds
 * violations, an unknown `--proof` exits 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function handover(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/handover.js', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ProofJson {
  name: string;
  invariants: Record<string, { verdict: string; steps?: number; expected: string; asExpected: boolean; counterexample?: string }>;
  goals: Record<string, { verdict: string; asExpected: boolean }>;
  counterexamples: { invariant: string; file: string; steps: number; failingStep: number }[];
  ok: boolean;
}

describe('handover verify (proofs)', () => {
  it('--larger runs a proof in its larger world, with the same expectations', () => {
    const run = (...extra: string[]) => {
      const r = handover('verify', '--no-corpus', '--json', '--out', mkdtempSync(join(tmpdir(), 'handover-larger-')), '--proof', 's4-hardened-adversarial-same', ...extra);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { proofs: { states: number; environment: string; ok: boolean }[] }).proofs[0]!;
    };
    const small = run();
    const big = run('--larger');
    expect(small.environment).toMatch(/adversarial 3$/);
    expect(big.environment).toMatch(/adversarial 6$/);
    expect(big.states).toBeGreaterThan(small.states);
    expect(big.ok).toBe(true);
  });

  it('writes a counterexample per violated invariant, and each replays to the same violation at the same step', () => {
    const out = mkdtempSync(join(tmpdir(), 'handover-cx-'));
    const r = handover('verify', '--no-corpus', '--json', '--out', out, '--proof',
      's4-proposed-rollback-no-iommu,s4-proposed-adversarial-same', '--proof', 's4-replace-check-only-adversarial-same,s4-proposed-bbm-leaf-sizes');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { proofs: ProofJson[]; corpus: unknown; ok: boolean };
    expect(doc.corpus).toBeNull();
    expect(doc.ok).toBe(true);
    const cxs = doc.proofs.flatMap((p) => p.counterexamples.map((c) => ({ ...c, proof: p.name })));
    expect(cxs.map((c) => `${c.proof}/${c.invariant}`).sort()).toEqual([
      's4-proposed-adversarial-same/dma-never-faults', 's4-proposed-adversarial-same/no-deadlock', 's4-proposed-adversarial-same/no-foreign-dma',
      's4-proposed-adversarial-same/reconstruction-equivalent',
      's4-proposed-bbm-leaf-sizes/dma-never-faults',
      's4-proposed-rollback-no-iommu/dma-never-faults', 's4-proposed-rollback-no-iommu/fail-stop',
      's4-replace-check-only-adversarial-same/dma-never-faults', 's4-replace-check-only-adversarial-same/reconstruction-equivalent',
    ]);
    for (const c of cxs) {
      expect(c.file).toBe(join(out, c.proof, `${c.invariant}.trace.json`));
      const p = doc.proofs.find((x) => x.name === c.proof)!;
      expect(p.invariants[c.invariant]).toMatchObject({ verdict: 'VIOLATED', steps: c.steps, counterexample: c.file });
      // A deadlock is a state (no step breaks it): its trace ends in the stuck state.
      expect(c.failingStep).toBe(c.invariant === 'no-deadlock' ? -1 : c.steps - 1);
    }
    // One `handover replay` of every file: each passes (every expectation met, every break expected) ...
    const rep = handover('replay', '--json', ...cxs.map((c) => c.file));
    expect(rep.status, rep.stdout).toBe(0);
    const lines = rep.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; step?: number; violations?: { invariant: string }[]; summary?: { verdict: string } });
    for (const c of cxs) {
      const mine = lines.filter((l) => l.file === c.file);
      expect(mine.find((l) => l.summary)?.summary?.verdict, c.file).toBe('PASS');
      // ... and breaks the invariant first at the explorer's failing step.
      const first = mine.find((l) => (l.violations ?? []).some((v) => v.invariant === c.invariant));
      expect(first?.step ?? -1, c.file).toBe(c.failingStep);
    }
  });

  it('a planted wrong expectation and a wrong goal are marked and exit 1', () => {
    const out = mkdtempSync(join(tmpdir(), 'handover-planted-'));
    const r = handover('verify', '--no-corpus', '--proofs', 'test/verify/fixtures/planted', '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^planted-wrong .*VIOL 13 ✗/m);
    expect(r.stdout).toContain('1 proofs: 0 as expected, 1 not');
    expect(r.stdout).toContain('  ✗ planted-wrong: dma-never-faults VIOLATED (13 steps), expected HOLDS');
    expect(r.stdout).toContain('  ✗ planted-wrong: goal finished UNREACHED, expected REACHED');
  });

  it('--machine: the hardened strategy without its patches is run through the hardened proofs and found wanting (exit 1)', () => {
    const out = mkdtempSync(join(tmpdir(), 'handover-machine-'));
    const r = handover('verify', '--no-corpus', '--json', '--out', out, '--machine', 'test/verify/fixtures/unpatched-hardened.strategy.ts');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as { proofs: ProofJson[]; ok: boolean };
    expect(doc.ok).toBe(false);
    expect(doc.proofs.map((p) => p.name).sort()).toEqual([
      's4-hardened-adversarial-same@unpatched-hardened.strategy', 's4-hardened-adversarial-upgrade@unpatched-hardened.strategy',
      's4-hardened-bbm-leaf-sizes@unpatched-hardened.strategy', 's4-hardened-faithful-same@unpatched-hardened.strategy',
    ]);
    const same = doc.proofs.find((p) => p.name.startsWith('s4-hardened-adversarial-same@'))!;
    expect(same.invariants['dma-never-faults']).toMatchObject({ verdict: 'VIOLATED', expected: 'HOLDS', asExpected: false });
    expect(same.invariants['reconstruction-equivalent']).toMatchObject({ verdict: 'VIOLATED', asExpected: false });
    expect(same.goals['refused']).toMatchObject({ verdict: 'UNREACHED', asExpected: false });
    const bbm = doc.proofs.find((p) => p.name.startsWith('s4-hardened-bbm-leaf-sizes@'))!;
    expect(bbm.invariants['dma-never-faults']).toMatchObject({ verdict: 'VIOLATED', asExpected: false });
    expect(doc.proofs.find((p) => p.name.startsWith('s4-hardened-faithful-same@'))!.ok).toBe(true);
    for (const p of doc.proofs) for (const c of p.counterexamples) expect(c.file.startsWith(join(out, p.name))).toBe(true);
  });

  it('--proof with an unknown name exits 2 and lists the proofs', () => {
    const r = handover('verify', '--proof', 's4-nonesuch', '--no-corpus');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^handover: --proof: no proof named "s4-nonesuch"; the proofs are:\n {2}s4-hardened-adversarial-same\n/);
    expect(r.stderr).toContain('  s4-replace-check-only-adversarial-same\n');
  });

  it('--machine with a module that is no strategy exits 2', () => {
    const r = handover('verify', '--no-corpus', '--machine', 'test/verify/fixtures/planted/planted-wrong.proof.ts');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/planted-wrong\.proof\.ts: .*patches: expected an array/);
  });
});
