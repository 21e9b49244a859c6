/** `handover verify` end to end on fixture corpora (the real corpus is run by `npm run verify`). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

function handover(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/cli/handover.js', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('handover verify', () => {
  it('prints the table with each trace\'s source and exits 0 when every trace passes', () => {
    const r = handover('verify', '--no-proofs', '--corpus', 'test/fixtures/corpus');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      'conformance corpus: test/fixtures/corpus',
      '',
      'trace                 source                                                    steps  met  breaks  verdict',
      '--------------------  --------------------------------------------------------  -----  ---  ------  -------',
      'destroy.trace.json    tools/testing/selftests/iommu/iommufd.c iommufd.cmd_fail      1  1/1       0  PASS',
      'sub/alloc.trace.json  test fixture                                                  2  2/2       0  PASS',
      '',
      '2 traces: 2 PASS, 0 FAIL; 3 steps, 3/3 expectations met, 0 invariant breaks',
    ]);
  });

  it('exits 1 and lists the failing steps when a trace fails', () => {
    const r = handover('verify', '--no-proofs', '--corpus', 'test/fixtures/traces');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\nFAIL wrong-expectation\.trace\.json:\n {2}✗ 1 {2}IOMMU_IOAS_UNMAP {2}ENOENT/);
  });

  it('exits 2 and lists the errors when a corpus trace is unusable', () => {
    const r = handover('verify', '--no-proofs', '--corpus', 'test/fixtures/bad');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/9 traces: 0 PASS, 0 FAIL, 9 INVALID/);
    expect(r.stdout).toMatch(/\nINVALID unknown-op\.trace\.json:\n {2}test\/fixtures\/bad\/unknown-op\.trace\.json: step 1: field op: unknown op/);
  });

  it('--json: one document with every trace and the totals', () => {
    const r = handover('verify', '--no-proofs', '--json', '--corpus', 'test/fixtures/corpus');
    expect(r.status).toBe(0);
    const doc = (JSON.parse(r.stdout) as { corpus: { traces: { trace: string; summary: { verdict: string } }[]; totals: object; ok: boolean } }).corpus;
    expect(doc.traces.map((t) => [t.trace, t.summary.verdict])).toEqual([['destroy.trace.json', 'PASS'], ['sub/alloc.trace.json', 'PASS']]);
    expect(doc.totals).toEqual({ traces: 2, pass: 2, fail: 0, invalid: 0, steps: 3, checked: 3, met: 3, violations: 0 });
    expect(doc.ok).toBe(true);
  });

  it('names a corpus directory that does not exist (exit 2)', () => {
    const r = handover('verify', '--no-proofs', '--corpus', 'no/such/dir');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('handover: no/such/dir: no such directory\n');
  });
});
