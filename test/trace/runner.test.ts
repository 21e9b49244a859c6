/**
 * The runner against a fake kernel (fakeKernel.ts): labels flow from results into later calls, expectations are
 * compared exactly, invariant breaks are recorded by name and step, and a step that cannot run honestly stops
 * the trace and fails it.
 */
import { describe, expect, it } from 'vitest';
import { loadTraceText } from '../../src/trace/load.ts';
import type { LoadedTrace } from '../../src/trace/load.ts';
import { checkBoot, replayTrace } from '../../src/trace/runner.ts';
import { fakeApi } from './fakeKernel.ts';

const load = (steps: unknown[], extra: object = {}): LoadedTrace => {
  const r = loadTraceText('t.trace.json', JSON.stringify({
    'handover-trace': 1, ...extra, config: { memfds: [{ name: 'guest', pages: 4 }], devices: [{ name: 'dev0' }] }, steps,
  }));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.trace;
};

describe('replayTrace', () => {
  it('passes the ids that labels were bound to into later calls', () => {
    const api = fakeApi();
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_ALLOC', as: 'b' },
      { op: 'IOMMU_DESTROY', id: 'a' },
      { op: 'IOMMU_IOAS_ALLOC', as: 'c', expect_out: { out_ioas_id: 1 } },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'b', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: 8192 },
      { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0', as: 'idev' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'c', as: 'hwpt', expect_out: { pt_id: 4 } },
      { op: 'IOMMU_DESTROY', id: 'hwpt', expect: 'ok' },
    ]), api);
    expect(api.calls.map((c) => ('arg' in c ? [c.op, c.fd, c.arg] : [c.op, 'fd' in c ? c.fd : null]))).toEqual([
      ['IOMMU_IOAS_ALLOC', 3, { flags: 0 }],
      ['IOMMU_IOAS_ALLOC', 3, { flags: 0 }],
      ['IOMMU_DESTROY', 3, { id: 1 }],
      ['IOMMU_IOAS_ALLOC', 3, { flags: 0 }],
      ['IOMMU_IOAS_MAP', 3, { flags: 5, ioas_id: 2, __reserved: 0, user_va: 0n, length: 4096n, iova: 8192n }],
      ['VFIO_DEVICE_BIND_IOMMUFD', 20, { flags: 0, iommufd: 3 }],
      ['VFIO_DEVICE_ATTACH_IOMMUFD_PT', 20, { flags: 0, pt_id: 1, pasid: 0 }],
      ['IOMMU_DESTROY', 3, { id: 4 }],
    ]);
    expect(report.lines.map((l) => l.bound)).toEqual([
      { label: 'a', value: 1 }, { label: 'b', value: 2 }, undefined, { label: 'c', value: 1 }, undefined,
      { label: 'idev', value: 3 }, { label: 'hwpt', value: 4 }, undefined,
    ]);
    expect(report.summary).toEqual({
      kernel: 'fake-a', steps: 8, ran: 8, checked: 3, met: 3, violations: 0, expectedViolations: 0, violationsByInvariant: {}, verdict: 'PASS',
    });
  });

  it('renders outputs with u64 as 0x hex and ids as numbers, and compares expect_out exactly', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['READABLE'], expect_out: { iova: '0x100000' } },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['READABLE'], expect_out: { iova: 2097152 } },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['READABLE'], expect: 'ok', expect_out: { iova: '0x1' } },
    ]), fakeApi());
    expect(report.lines[1]).toMatchObject({ result: 'ok', out: { iova: '0x100000' }, expected: { out: { iova: '0x100000' }, met: true, mismatches: [] } });
    expect(report.lines[2]?.expected?.met).toBe(true);
    expect(report.lines[3]?.expected).toEqual({
      result: 'ok', out: { iova: '0x1' }, met: false, mismatches: [{ field: 'iova', expected: '0x1', actual: '0x300000' }],
    });
    expect(report.summary).toMatchObject({ checked: 3, met: 2, verdict: 'FAIL' });
  });

  it('checks the errno and the fields a failure writes back', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_IOVA_RANGES', ioas_id: 'a', expect: 'EMSGSIZE', expect_out: { num_iovas: 1, allowed_iovas: [] } },
      { op: 'IOMMU_IOAS_IOVA_RANGES', ioas_id: 'a', num_iovas: 1, expect: 'ok',
        expect_out: { num_iovas: 1, out_iova_alignment: 1, allowed_iovas: [{ start: 0, last: '0xffffffffffffffff' }] } },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: 4096, expect: 'EBUSY' },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: 1, expect_out: {} },
    ]), fakeApi());
    expect(report.lines[1]).toMatchObject({ result: 'EMSGSIZE', out: { num_iovas: 1, out_iova_alignment: '0x1', allowed_iovas: [] }, expected: { met: true } });
    expect(report.lines[2]).toMatchObject({ out: { allowed_iovas: [{ start: '0x0', last: '0xffffffffffffffff' }] }, expected: { met: true } });
    expect(report.lines[3]?.expected?.mismatches).toEqual([{ field: 'result', expected: 'EBUSY', actual: 'ENOENT' }]);
    expect(report.lines[3]?.rule).toBe('fake:ENOENT');
    // An empty expect_out checks nothing: the step is unchecked.
    expect(report.lines[4]?.expected).toBeUndefined();
  });

  it('reports a field the call did not write back as a mismatch', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 9, user_va: 0, length: 4096, flags: ['READABLE'], expect: 'ENOENT', expect_out: { iova: 0 } },
    ]), fakeApi());
    expect(report.lines[1]?.expected?.mismatches).toEqual([{ field: 'iova', expected: '0x0', actual: null }]);
  });

  it('records invariant breaks by step and name, and skips the checks when asked', () => {
    const steps = [
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: '0x666000' },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: 1 },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: 1 },
    ];
    const report = replayTrace(load(steps), fakeApi());
    expect(report.lines.map((l) => l.violations?.map((v) => v.invariant))).toEqual([undefined, ['pin-accounting'], ['failure-atomic'], ['failure-atomic']]);
    expect(report.summary).toMatchObject({ violations: 3, violationsByInvariant: { 'failure-atomic': 2, 'pin-accounting': 1 }, verdict: 'FAIL' });
    const unchecked = replayTrace(load(steps), fakeApi(), { checkInvariants: false });
    expect(unchecked.summary).toMatchObject({ violations: 0, verdict: 'PASS' });
  });

  it('keeps the kernel of a partial failure and says so', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: 0 },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: '0xbad' },
      // The area is gone: the partial unmap's kernel was kept.
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: 0, expect: 'ok' },
    ]), fakeApi(), { checkInvariants: false });
    expect(report.lines[2]).toMatchObject({ result: 'EBUSY', partial: true });
    expect(report.lines[3]?.expected?.met).toBe(true);
  });

  it('stops at a step the model does not implement, reports it as NOT_MODELLED and fails', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: '0xdead', flags: ['READABLE'], expect: 'EINVAL' },
      { op: 'IOMMU_IOAS_ALLOC', expect: 'ok' },
      { op: 'IOMMU_IOAS_ALLOC' },
    ]), fakeApi());
    expect(report.lines).toHaveLength(2);
    expect(report.lines[1]).toMatchObject({
      result: 'NOT_MODELLED', reason: 'not modelled: a map of length 0xdead', rule: 'not-modelled',
      expected: { met: false, mismatches: [{ field: 'result', expected: 'EINVAL', actual: 'NOT_MODELLED' }] },
    });
    expect(report.summary).toMatchObject({ steps: 4, ran: 1, checked: 2, met: 0, verdict: 'FAIL' });
  });

  it('stops at a label whose binding step failed, saying which step and why', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 42, as: 'hwpt' },
      { op: 'IOMMU_DESTROY', id: 'hwpt' },
    ]), fakeApi());
    expect(report.lines[2]).toEqual({
      file: 't.trace.json', step: 2, op: 'IOMMU_DESTROY', result: 'UNRESOLVED', out: {},
      reason: 'field id: label "hwpt" has no value: step 1 (VFIO_DEVICE_ATTACH_IOMMUFD_PT), which binds it, failed with ENOENT',
    });
    expect(report.summary).toMatchObject({ ran: 2, verdict: 'FAIL' });
  });

  it('unbinds a label when a later step that rebinds it fails', () => {
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'a' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'a', as: 'h' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 42, as: 'h' },
      { op: 'IOMMU_DESTROY', id: 'h' },
    ]), fakeApi());
    expect(report.lines[3]?.result).toBe('UNRESOLVED');
  });

  it('boots the trace kernel, or the default profile', () => {
    const api = fakeApi();
    replayTrace(load([]), api);
    replayTrace(load([], { kernel: 'fake-b' }), api);
    expect(api.boots.map((b) => b.profile)).toEqual(['fake-a', 'fake-b']);
    expect(api.boots[0]?.world.memfds).toEqual([{ name: 'guest', pages: 4 }]);
  });

  it('uses the fds of the config names and addresses a closed file by its old number', () => {
    const api = fakeApi();
    const report = replayTrace(load([
      { op: 'CLOSE', fd: 'iommufd' },
      { op: 'IOMMU_IOAS_ALLOC', expect: 'EBADF' },
      { op: 'FTRUNCATE', fd: 'guest', length: 0 },
    ]), api);
    expect(api.calls.map((c) => ('fd' in c ? c.fd : null))).toEqual([3, 3, 10]);
    expect(report.summary.verdict).toBe('PASS');
  });
});

describe('checkBoot', () => {
  it('turns a config the model cannot boot into an error on the config field it names', () => {
    const api = fakeApi();
    expect(checkBoot(load([]), api)).toBeUndefined();
    class WorldConfigError extends Error {
      constructor(readonly field: string, message: string) { super(`${field}: ${message}`); }
    }
    api.bootKernel = () => { throw new WorldConfigError('pageSize', 'must be a power of two from 2048 to 1 GiB'); };
    expect(checkBoot(load([]), api)).toEqual({ kind: 'trace', file: 't.trace.json', field: 'config.pageSize', message: 'must be a power of two from 2048 to 1 GiB' });
    api.bootKernel = () => { throw new Error('out of frames'); };
    expect(checkBoot(load([]), api)).toEqual({ kind: 'trace', file: 't.trace.json', field: 'config', message: 'the kernel model cannot boot this world: out of frames' });
  });
});
