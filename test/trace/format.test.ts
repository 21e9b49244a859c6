/** The text of `replay` and `verify`, pinned: a change to it shows up here as a diff to review. */
import { describe, expect, it } from 'vitest';
import { formatCorpusTable, formatFailures, formatReport } from '../../src/trace/format.ts';
import { loadTraceText } from '../../src/trace/load.ts';
import { replayTrace } from '../../src/trace/runner.ts';
import type { TraceReport } from '../../src/trace/runner.ts';
import { fakeApi } from './fakeKernel.ts';

function report(steps: unknown[]): TraceReport {
  const r = loadTraceText('x.trace.json', JSON.stringify({ 'handover-trace': 1, source: 'iommufd.c area', config: {}, steps }));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return replayTrace(r.trace, fakeApi());
}

const STEPS = [
  { op: 'IOMMU_IOAS_ALLOC', as: 'ioas', expect: 'ok' },
  { op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: '0x666000' },
  { op: 'IOMMU_IOAS_IOVA_RANGES', ioas_id: 'ioas', num_iovas: 1 },
  { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'ioas', iova: 0, length: 1, expect: 'ok', expect_out: { length: 4096 } },
  { op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: 0, length: '0xdead' },
  { op: 'IOMMU_DESTROY', id: 'ioas' },
];

describe('formatReport', () => {
  it('prints one line per step, what failed below it, and a summary', () => {
    expect(formatReport(report(STEPS))).toEqual([
      'x.trace.json (kernel fake-a; source: iommufd.c area)',
      '  ✓ 0  IOMMU_IOAS_ALLOC        ok         out_ioas_id=1 → ioas',
      '  · 1  IOMMU_IOAS_MAP          ok         iova=0x666000',
      '       invariant pin-accounting broken: planted: iova 0x666000',
      '  · 2  IOMMU_IOAS_IOVA_RANGES  ok         num_iovas=1 out_iova_alignment=0x1 allowed_iovas=[0x0..0xffffffffffffffff]',
      '  ✗ 3  IOMMU_IOAS_UNMAP        ENOENT     length=0x0',
      '       expected ok, got ENOENT [fake:ENOENT]',
      '       expected length=0x1000, got 0x0',
      '       invariant failure-atomic broken: planted: a failed unmap',
      '  · 4  IOMMU_IOAS_MAP          NOT_MODELLED',
      '       not modelled: a map of length 0xdead',
      '       (1 step after it not run)',
      'FAIL x.trace.json: 6 steps (4 ran), 1/2 expectations met, 2 invariant breaks (failure-atomic ×1, pin-accounting ×1)',
    ]);
  });

  it('lists only what failed for verify', () => {
    expect(formatFailures(report(STEPS)).filter((l) => /^ {2}[✓✗·]/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '· 1 IOMMU_IOAS_MAP', '✗ 3 IOMMU_IOAS_UNMAP', '· 4 IOMMU_IOAS_MAP',
    ]);
    expect(formatReport(report(STEPS.slice(0, 1))).at(-1)).toBe('PASS x.trace.json: 1 step, 1/1 expectations met, no invariant broken');
  });
});

describe('formatCorpusTable', () => {
  it('aligns the columns and totals the corpus', () => {
    const pass = report(STEPS.slice(0, 1)).summary;
    const fail = report(STEPS).summary;
    expect(formatCorpusTable([
      { file: 'a.trace.json', source: 'iommufd.c cmd_fail', summary: pass },
      { file: 'sub/long-name.trace.json', summary: fail },
      { file: 'bad.trace.json', errors: [{ kind: 'json', file: 'bad.trace.json', message: 'invalid JSON' }] },
    ])).toEqual([
      'trace                     source              steps  met  breaks  verdict',
      '------------------------  ------------------  -----  ---  ------  -------',
      'a.trace.json              iommufd.c cmd_fail      1  1/1       0  PASS',
      'sub/long-name.trace.json  iommufd.c area          6  1/2       2  FAIL',
      'bad.trace.json            -                       -    -       -  INVALID',
      '',
      '3 traces: 1 PASS, 1 FAIL, 1 INVALID; 7 steps, 2/3 expectations met, 2 invariant breaks (0 expected)',
    ]);
  });
});
