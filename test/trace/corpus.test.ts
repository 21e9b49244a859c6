import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTraces, replayCorpus } from '../../src/trace/corpus.ts';
import { fakeApi } from './fakeKernel.ts';

const fixtures = join(import.meta.dirname, '../fixtures');

describe('findTraces', () => {
  it('finds every *.trace.json below a directory, recursively, sorted', () => {
    expect(findTraces(join(fixtures, 'corpus')).map((f) => f.slice(fixtures.length + 1)))
      .toEqual(['corpus/destroy.trace.json', 'corpus/sub/alloc.trace.json']);
  });
});

describe('replayCorpus', () => {
  it('replays every trace and reports each with its source', () => {
    const result = replayCorpus(join(fixtures, 'corpus'), fakeApi());
    expect(result.ok).toBe(true);
    expect(result.invalid).toBe(false);
    expect(result.entries.map((e) => [e.name, e.source, 'report' in e ? e.report.summary.verdict : 'INVALID']))
      .toEqual([['destroy.trace.json', 'tools/testing/selftests/iommu/iommufd.c iommufd.cmd_fail', 'PASS'], [join('sub', 'alloc.trace.json'), 'test fixture', 'PASS']]);
  });

  it('lists an unusable trace with its errors and still runs the others', () => {
    const result = replayCorpus(join(fixtures, 'bad'), fakeApi());
    expect(result.ok).toBe(false);
    expect(result.invalid).toBe(true);
    expect(result.entries.every((e) => 'errors' in e)).toBe(true);
    expect(result.entries.map((e) => e.name)).toEqual([
      'inexact-number.trace.json', 'malformed.trace.json', 'missing-field.trace.json', 'mistyped-field.trace.json',
      'page-size.trace.json', 'u64-out-of-range.trace.json', 'unknown-kernel.trace.json', 'unknown-label.trace.json', 'unknown-op.trace.json',
    ]);
    // not-modelled.trace.json names the kernel linux-6.16, which the fake does not have.
    const traces = replayCorpus(join(fixtures, 'traces'), fakeApi());
    expect(traces.entries.map((e) => [e.name, 'report' in e ? e.report.summary.verdict : 'INVALID']))
      .toEqual([['basic.trace.json', 'PASS'], ['not-modelled.trace.json', 'INVALID'], ['wrong-expectation.trace.json', 'FAIL']]);
  });
});
