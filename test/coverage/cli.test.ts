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
      "merged states: 48 total, 36 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "merged transitions: 1317 total, 106 covered, 1211 unreachable, 0 uncovered, 0 excluded",
      "merged guards: 1980 total, 225 covered, 1755 unreachable, 0 uncovered, 0 excluded",
      "merged rules: 192 total, 108 covered, 83 unreachable, 0 uncovered, 1 excluded",
      "merged pairs: 71625 total, 265 covered, 71360 unreachable, 0 uncovered, 0 excluded",
      "merged paths: 48 total, 12 covered, 36 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same states: 16 total, 12 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same transitions: 439 total, 35 covered, 404 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same guards: 660 total, 75 covered, 585 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same rules: 192 total, 25 covered, 166 unreachable, 0 uncovered, 1 excluded",
      "s4-hardened-adversarial-same pairs: 23875 total, 88 covered, 23787 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-same paths: 16 total, 4 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade states: 16 total, 12 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade transitions: 439 total, 35 covered, 404 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade guards: 660 total, 75 covered, 585 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade rules: 192 total, 25 covered, 166 unreachable, 0 uncovered, 1 excluded",
      "s4-hardened-adversarial-upgrade pairs: 23875 total, 88 covered, 23787 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-adversarial-upgrade paths: 16 total, 4 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes states: 16 total, 12 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes transitions: 439 total, 31 covered, 408 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes guards: 660 total, 65 covered, 595 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes rules: 192 total, 19 covered, 172 unreachable, 0 uncovered, 1 excluded",
      "s4-hardened-bbm-leaf-sizes pairs: 23875 total, 43 covered, 23832 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-bbm-leaf-sizes paths: 16 total, 4 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same states: 16 total, 11 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same transitions: 439 total, 27 covered, 412 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same guards: 660 total, 57 covered, 603 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same rules: 192 total, 16 covered, 175 unreachable, 0 uncovered, 1 excluded",
      "s4-hardened-faithful-same pairs: 23875 total, 31 covered, 23844 unreachable, 0 uncovered, 0 excluded",
      "s4-hardened-faithful-same paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same states: 16 total, 11 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same transitions: 439 total, 33 covered, 406 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same guards: 660 total, 72 covered, 588 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same rules: 192 total, 23 covered, 168 unreachable, 0 uncovered, 1 excluded",
      "s4-proposed-adversarial-same pairs: 23875 total, 84 covered, 23791 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-adversarial-same paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes states: 16 total, 11 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes transitions: 439 total, 29 covered, 410 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes guards: 660 total, 62 covered, 598 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes rules: 192 total, 18 covered, 173 unreachable, 0 uncovered, 1 excluded",
      "s4-proposed-bbm-leaf-sizes pairs: 23875 total, 41 covered, 23834 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-bbm-leaf-sizes paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same states: 16 total, 11 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same transitions: 439 total, 27 covered, 412 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same guards: 660 total, 57 covered, 603 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same rules: 192 total, 16 covered, 175 unreachable, 0 uncovered, 1 excluded",
      "s4-proposed-faithful-same pairs: 23875 total, 31 covered, 23844 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-same paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade states: 16 total, 11 covered, 5 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade transitions: 439 total, 27 covered, 412 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade guards: 660 total, 57 covered, 603 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade rules: 192 total, 16 covered, 175 unreachable, 0 uncovered, 1 excluded",
      "s4-proposed-faithful-upgrade pairs: 23875 total, 31 covered, 23844 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-faithful-upgrade paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu states: 16 total, 8 covered, 8 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu transitions: 439 total, 16 covered, 423 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu guards: 660 total, 32 covered, 628 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu rules: 192 total, 12 covered, 179 unreachable, 0 uncovered, 1 excluded",
      "s4-proposed-rollback-no-iommu pairs: 23875 total, 19 covered, 23856 unreachable, 0 uncovered, 0 excluded",
      "s4-proposed-rollback-no-iommu paths: 16 total, 2 covered, 14 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same states: 16 total, 12 covered, 4 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same transitions: 439 total, 35 covered, 404 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same guards: 660 total, 75 covered, 585 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same rules: 192 total, 24 covered, 167 unreachable, 0 uncovered, 1 excluded",
      "s4-replace-check-only-adversarial-same pairs: 23875 total, 88 covered, 23787 unreachable, 0 uncovered, 0 excluded",
      "s4-replace-check-only-adversarial-same paths: 16 total, 4 covered, 12 unreachable, 0 uncovered, 0 excluded",
      "corpus rules: 192 total, 104 covered, 0 unreachable, 87 uncovered, 1 excluded",
    ]);
  });
});
