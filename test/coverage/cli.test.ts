/**
 * `handover coverage` end to end: input errors exit 2 before anything runs; a machine module's report as JSON; the
 * corpus alone (rules only); --out and --html write coverage.json, witness traces and the report; and the report of
 * the shipped proofs and the conformance corpus, pinned per dimension and per source, so that a change in what they
 * reach shows up here as a diff (update the pin when the change is meant).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_ITEMS, type CoverageReport, type DimensionCounts } from '../../src/coverage/index.ts';

const root = join(import.meta.dirname, '../..');

function handover(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/handover.js', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const line = (x: DimensionCounts) => `${x.total} total, ${x.covered} covered, ${x.unreachable} unreachable, ${x.uncovered} uncovered, ${x.excluded} excluded`;

describe('handover coverage', () => {
  it('exits 2 on bad input, naming it', () => {
    const nope = handover('coverage', '--proof', 'no-such-proof');
    expect(nope.status).toBe(2);
    expect(nope.stderr).toMatch(/--proof: no proof named "no-such-proof" \(the proofs are s4-/);
    const missing = handover('coverage', '--machine', 'test/coverage/fixtures/missing.model.ts');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('test/coverage/fixtures/missing.model.ts: no such file');
    const workers = handover('coverage', '--corpus', 'test/fixtures/corpus', '--workers', '0');
    expect(workers.status).toBe(2);
    const notChart = handover('coverage', '--machine', 'test/explore/fixtures/counterModel.ts');
    expect(notChart.status).toBe(2);
    expect(notChart.stderr).toMatch(/counterModel\.ts: /);
  });

  it('--machine --json: one JSON document, every count adding up', () => {
    const r = handover('coverage', '--machine', 'test/coverage/fixtures/planted.model.ts', '--json', '--workers', '1');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as CoverageReport;
    expect(report['handover-coverage']).toBe(1);
    expect(line(report.dimensions.states)).toBe('11 total, 6 covered, 5 unreachable, 0 uncovered, 0 excluded');
    expect(report.dimensions.states.items[0]).toEqual({
      kind: 'state', id: 'planted.start', status: 'covered', machine: 'planted', detail: 'atomic', hits: 1,
      witness: { source: 'test/coverage/fixtures/planted.model.ts', events: [] },
    });
  });

  it('--corpus alone: kernel rules only, never unreachable (a corpus is not exhaustive)', () => {
    const r = handover('coverage', '--corpus', 'test/fixtures/corpus');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^coverage of 1 source: corpus\n/);
    const n = RULE_ITEMS.length;
    const pct = (k: number) => ((100 * k) / n).toFixed(1).replace('.', '\\.');
    // test/fixtures/corpus reaches two rules; not-modelled is excluded; the rest is uncovered, none unreachable.
    expect(r.stdout).toMatch(new RegExp(`\\nrules +${n} +2 +${pct(2)}% +0 +0\\.0% +${n - 3} +${pct(n - 3)}% +1 +${pct(1)}%\\n`));
    expect(r.stdout).toMatch(/\nstates +0 /);
  });

  it('--out and --html write coverage.json, the witness traces and the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coverage-cli-'));
    try {
      const r = handover('coverage', '--proof', 's4-proposed-faithful-same', '--out', join(dir, 'out'), '--html', join(dir, 'html'), '--workers', '1');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^coverage of 1 source: s4-proposed-faithful-same\n\ndimension +total +covered +unreachable +uncovered +excluded\nstates +\d+ /);
      const report = JSON.parse(readFileSync(join(dir, 'out', 'coverage.json'), 'utf8')) as CoverageReport;
      const traces = readdirSync(join(dir, 'out', 'witnesses', 's4-proposed-faithful-same'));
      expect(traces.length).toBeGreaterThan(10);
      const replay = handover('replay', report.dimensions.rules.items.find((i) => i.id === 'kernel_kexec:ok')!.witness!.trace!);
      expect(replay.status).toBe(0);
      for (const f of ['index.html', 'data.js', 'report.css', 'report.js']) expect(existsSync(join(dir, 'html', f)), f).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pins the report of the shipped proofs and the conformance corpus', () => {
    const r = handover('coverage', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as CoverageReport;
    const got = [
      ...Object.entries(report.dimensions).map(([d, x]) => `merged ${d}: ${line(x)}`),
      ...report.sources.flatMap((s) => Object.entries(s.counts).map(([d, x]) => `${s.name} ${d}: ${line(x)}`)),
    ];
    expect(got).toEqual([
      "merged states: 68 total, 50 covered, 18 unreachable, 0 uncovered, 0 excluded",
      "merged transitions: 2048 total, 162 covered, 1886 unreachable, 0 uncovered, 0 excluded",
      "merged guards: 3224 total, 492 covered, 2732 unreachable, 0 uncovered, 0 excluded",
      "merged rules: 193 total, 104 covered, 74 unreachable, 0 uncovered, 15 excluded",
      "merged pairs: 112640 total, 514 covered, 112126 unreachable, 0 uncovered, 0 excluded",
      "merged paths: 88 total, 32 covered, 56 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same states: 17 total, 13 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same transitions: 512 total, 46 covered, 466 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same guards: 806 total, 136 covered, 670 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same rules: 193 total, 28 covered, 150 unreachable, 0 uncovered, 15 excluded",
      "s4-hardened-adversarial-same pairs: 28160 total, 188 covered, 27972 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same paths: 22 total, 10 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade states: 17 total, 13 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade transitions: 512 total, 46 covered, 466 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade guards: 806 total, 136 covered, 670 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade rules: 193 total, 28 covered, 150 unreachable, 0 uncovered, 15 excluded",
      "s4-hardened-adversarial-upgrade pairs: 28160 total, 185 covered, 27975 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade paths: 22 total, 10 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes states: 17 total, 12 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes transitions: 512 total, 31 covered, 481 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes guards: 806 total, 93 covered, 713 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes rules: 193 total, 19 covered, 159 unreachable, 0 uncovered, 15 excluded",
      "s4-hardened-bbm-leaf-sizes pairs: 28160 total, 43 covered, 28117 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes paths: 22 total, 4 covered, 18 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same states: 17 total, 11 covered, 6 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same transitions: 512 total, 27 covered, 485 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same guards: 806 total, 84 covered, 722 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same rules: 193 total, 16 covered, 162 unreachable, 0 uncovered, 15 excluded",
      "s4-hardened-faithful-same pairs: 28160 total, 31 covered, 28129 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same paths: 22 total, 2 covered, 20 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-first-cut-adversarial-same states: 17 total, 12 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-first-cut-adversarial-same transitions: 512 total, 36 covered, 476 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-first-cut-adversarial-same guards: 806 total, 115 covered, 691 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-first-cut-adversarial-same rules: 193 total, 21 covered, 157 unreachable, 0 uncovered, 15 excluded",
      "s4-hardened-first-cut-adversarial-same pairs: 28160 total, 81 covered, 28079 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-first-cut-adversarial-same paths: 22 total, 8 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same states: 17 total, 12 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same transitions: 512 total, 42 covered, 470 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same guards: 806 total, 133 covered, 673 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same rules: 193 total, 25 covered, 153 unreachable, 0 uncovered, 15 excluded",
      "s4-proposed-adversarial-same pairs: 28160 total, 152 covered, 28008 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same paths: 22 total, 8 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes states: 17 total, 11 covered, 6 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes transitions: 512 total, 29 covered, 483 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes guards: 806 total, 90 covered, 716 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes rules: 193 total, 18 covered, 160 unreachable, 0 uncovered, 15 excluded",
      "s4-proposed-bbm-leaf-sizes pairs: 28160 total, 41 covered, 28119 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes paths: 22 total, 2 covered, 20 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same states: 17 total, 11 covered, 6 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same transitions: 512 total, 27 covered, 485 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same guards: 806 total, 84 covered, 722 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same rules: 193 total, 16 covered, 162 unreachable, 0 uncovered, 15 excluded",
      "s4-proposed-faithful-same pairs: 28160 total, 31 covered, 28129 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same paths: 22 total, 2 covered, 20 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade states: 17 total, 11 covered, 6 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade transitions: 512 total, 27 covered, 485 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade guards: 806 total, 84 covered, 722 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade rules: 193 total, 16 covered, 162 unreachable, 0 uncovered, 15 excluded",
      "s4-proposed-faithful-upgrade pairs: 28160 total, 31 covered, 28129 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade paths: 22 total, 2 covered, 20 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu states: 17 total, 8 covered, 9 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu transitions: 512 total, 16 covered, 496 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu guards: 806 total, 51 covered, 755 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu rules: 193 total, 12 covered, 166 unreachable, 0 uncovered, 15 excluded",
      "s4-proposed-rollback-no-iommu pairs: 28160 total, 19 covered, 28141 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu paths: 22 total, 2 covered, 20 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same states: 17 total, 12 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same transitions: 512 total, 35 covered, 477 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same guards: 806 total, 105 covered, 701 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same rules: 193 total, 24 covered, 154 unreachable, 0 uncovered, 15 excluded",
      "s4-replace-check-only-adversarial-same pairs: 28160 total, 88 covered, 28072 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same paths: 22 total, 4 covered, 18 unreachable, 0 uncovered, 0 excluded",
      "corpus rules: 193 total, 104 covered, 0 unreachable, 88 uncovered, 1 excluded",
    ]);
  });
});
