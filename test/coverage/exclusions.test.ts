/**
 * Exclusions declared by a model module or a proof (issue 7, "excluded (a proof or machine says so, with its
 * reason)"): excluded items in the JSON and the HTML data with their reasons; an excluded item a source covers keeps
 * its witness and says so; an exclusion that matches nothing is an error naming the module and the entry (exit 2);
 * and the shipped S4 proofs' exclusions are true: no S4 VMM issues the calls whose rules they exclude.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { explorationSource, mergeSources, writeHtmlReport, type CoverageReport } from '../../src/coverage/index.ts';
import { RULES } from '../../src/kernel/rules.ts';
import { s4Environment, s4WideVmm } from '../../src/random/index.ts';
import { DEFAULT_PROOFS, findProofFiles, loadProofs } from '../../src/verify/index.ts';
import { largerProof } from '../../src/verify/proof.ts';
import { S4_COVERAGE, S4_UNISSUED_OPS } from '../../proofs/s4-hitless-replace/common.ts';

const root = join(import.meta.dirname, '../..');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const handover = (...args: string[]) => spawnSync(process.execPath, ['src/cli/handover.js', ...args], { cwd: root, encoding: 'utf8' });

describe('exclusions declared by a model module', () => {
  it('are excluded in the JSON with their reason; a covered one keeps its witness and says so', () => {
    const r = handover('coverage', '--machine', 'test/coverage/fixtures/plantedExcluded.model.ts', '--json', '--workers', '1');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as CoverageReport;
    const states = report.dimensions.states;
    expect(states.items.find((i) => i.id === 'planted.ghost')).toMatchObject({
      status: 'excluded',
      reason: 'planted: only the never-true guard leads to ghost (excluded by test/coverage/fixtures/plantedExcluded.model.ts)',
    });
    const start = states.items.find((i) => i.id === 'planted.start')!;
    expect(start).toMatchObject({ status: 'excluded', witness: { events: [] } });
    expect(start.reason).toMatch(/^planted: excluded though covered \(excluded by .*\); covered nonetheless by .* \(its witness is kept\)$/);
    // ghost's children stay unreachable: an exclusion is what it names, nothing more.
    expect(states.items.find((i) => i.id === 'planted.ghost.left')!.status).toBe('unreachable');
    expect(states.excluded).toBe(2);
    expect(states.covered + states.unreachable + states.uncovered + states.excluded).toBe(states.total);
    const back = report.dimensions.transitions.items.find((i) => i.id === 'planted.ghost BACK -> planted.done')!;
    expect(back).toMatchObject({ status: 'excluded', reason: expect.stringMatching(/^planted: ghost is never entered/) });
    // The source's own counts apply its exclusions too.
    expect(report.sources[0]!.counts.states!.excluded).toBe(2);
  });

  it('are in the HTML report\'s data with their status and reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coverage-excl-'));
    try {
      const report = mergeSources([await explorationSource({ kind: 'machine', file: fixture('plantedExcluded.model.ts') }, { workers: 1, graphCap: 100 })]);
      writeHtmlReport(report, dir);
      const data = readFileSync(join(dir, 'data.js'), 'utf8');
      expect(data).toContain('planted: only the never-true guard leads to ghost');
      expect(data).toContain('excluded');
      expect(readFileSync(join(dir, 'report.css'), 'utf8')).toMatch(/excluded/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an exclusion that matches nothing is an error naming the module and the entry: exit 2', () => {
    const r = handover('coverage', '--machine', 'test/coverage/fixtures/plantedBadExclusion.model.ts', '--workers', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('coverage.exclude[0]: { kind: "states", id: "planted.nowhere" } matches no item of states');
    expect(r.stderr).toContain('plantedBadExclusion.model.ts');
  });
});

describe('the shipped S4 proofs\' exclusions', () => {
  it('exclude only rules of calls that no S4 VMM issues (the proofs\', in their larger worlds too, and the random worlds\')', async () => {
    const loaded = await loadProofs(findProofFiles(DEFAULT_PROOFS));
    const s4 = loaded.filter((p) => p.proof.strategy.name.startsWith('s4-hitless-replace/'));
    expect(s4.length).toBeGreaterThan(5);
    const issued = new Set<string>();
    const add = (v: { script: { step: { op: string }; instead?: { step: { op: string } }[] }[]; menu: { step: { op: string } }[] }) => {
      for (const s of v.script) for (const c of [s, ...(s.instead ?? [])]) issued.add(c.step.op);
      for (const m of v.menu) issued.add(m.step.op);
    };
    for (const { proof } of s4) {
      expect(proof.coverage, proof.name).toBe(S4_COVERAGE);
      for (const p of [proof, largerProof(proof)]) add(p.strategy.vmm(p.environment));
    }
    for (const variant of ['hardened', 'proposed'] as const) add(s4WideVmm(s4Environment({ variant, deviations: 10 })));
    for (const op of S4_UNISSUED_OPS) expect(issued.has(op), op).toBe(false);
    const excluded = S4_COVERAGE.exclude!.map((e) => e.id);
    expect(excluded).toContain('iommufd_test_add_reserved:ok');
    for (const id of excluded) {
      const rule = RULES.find((r) => r.id === id)!;
      for (const op of rule.op.split(', ')) expect(issued.has(op), `${id}: ${op}`).toBe(false);
    }
  });
});
