/**
 * The live-update steps of the trace format (issue 5): KEXEC ends the old kernel's names and labels (and a PANIC
 * ends the trace), DMA is the hardware (ok with the frame it reached, or FAULT), /dev/liveupdate is the default fd of
 * the session ioctls, and `expect_violations` turns an invariant a trace means to break into an expectation.
 * Load-time checks first, then the runner against the fake kernel, then the real model on the issue's done-when
 * fixtures (test/fixtures/liveupdate/lu-*.trace.json).
 */
import { describe, expect, it } from 'vitest';
import { checkProfiles, loadTraceFile, loadTraceText } from '../../src/trace/load.ts';
import type { LoadedTrace } from '../../src/trace/load.ts';
import { replayTrace } from '../../src/trace/runner.ts';
import { KERNEL_API } from '../../src/trace/kernelApi.ts';
import type { TraceInputError } from '../../src/trace/errors.ts';
import { fakeApi } from './fakeKernel.ts';

const CONFIG = { memfds: [{ name: 'guest', pages: 4 }], devices: [{ name: 'dev0' }] };
const text = (steps: unknown[], extra: object = {}): string => JSON.stringify({ 'handover-trace': 1, ...extra, config: CONFIG, steps });
const errorsOf = (steps: unknown[], extra: object = {}): string[] => {
  const r = loadTraceText('t.trace.json', text(steps, extra));
  return r.ok ? [] : r.errors.map((e: TraceInputError) => `${'step' in e && e.step !== undefined ? `step ${e.step}: ` : ''}${'field' in e && e.field ? `${e.field}: ` : ''}${e.message}`);
};
const load = (steps: unknown[], extra: object = {}): LoadedTrace => {
  const r = loadTraceText('t.trace.json', text(steps, extra));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.trace;
};
const fixture = (name: string): LoadedTrace => {
  const r = loadTraceFile(`test/fixtures/liveupdate/${name}.trace.json`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.trace;
};

describe('loading live-update steps', () => {
  it('a KEXEC that boots ends every label and every config file name; the hardware keeps its name', () => {
    expect(errorsOf([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'KEXEC' },
      { op: 'IOMMU_DESTROY', id: 'ioas' },
      { op: 'FTRUNCATE', fd: 'guest', length: 0 },
      { op: 'IOMMU_IOAS_ALLOC' },
      { op: 'DMA', device: 'dev0', iova: 0, access: 'read' },
      { op: 'VFIO_DEVICE_OPEN', device: 'dev0' },
    ])).toEqual([
      expect.stringMatching(/^step 2: iommufd: "iommufd" is the iommufd of the kernel before the KEXEC at step 1/),
      'step 2: id: unknown label "ioas": no earlier step binds it with "as"',
      expect.stringMatching(/^step 3: fd: "guest" is a config memfd of the kernel before the KEXEC at step 1: its fds are gone/),
      expect.stringMatching(/^step 4: iommufd: "iommufd" is the iommufd of the kernel before the KEXEC at step 1/),
    ]);
  });
  it('a KEXEC expected to fail keeps everything; nothing may follow one expected to PANIC', () => {
    expect(errorsOf([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'KEXEC', expect: 'EINVAL', faults: [{ name: 'freeze-fails', token: 1 }] },
      { op: 'IOMMU_DESTROY', id: 'ioas' },
      { op: 'KEXEC', expect: 'PANIC' },
      { op: 'IOMMU_IOAS_ALLOC' },
      { op: 'IOMMU_IOAS_ALLOC' },
    ])).toEqual(['step 4: op: step 3 expects PANIC: nothing after it runs']);
  });
  it('PANIC and FAULT are results of KEXEC and DMA only; a KEXEC names a known profile', () => {
    expect(errorsOf([{ op: 'IOMMU_IOAS_ALLOC', expect: 'PANIC' }]).length).toBeGreaterThan(0);
    expect(errorsOf([{ op: 'DMA', device: 'dev0', iova: 0, access: 'read', expect: 'PANIC' }]).length).toBeGreaterThan(0);
    expect(errorsOf([{ op: 'DMA', device: 'nodev', iova: 0, access: 'read' }])).toEqual(['step 0: device: "nodev" is not a device of the config']);
    const t = load([{ op: 'KEXEC', kernel: 'linux-7.3' }]);
    expect(checkProfiles([t], ['linux-7.1', 'linux-7.2']).map((e) => e.message)).toEqual([expect.stringMatching(/^unknown kernel profile "linux-7.3"/)]);
  });
  it('a session ioctl without fd needs a /dev/liveupdate opened before it', () => {
    expect(errorsOf([{ op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', name: 'vm' }])).toEqual([
      'step 0: fd: no /dev/liveupdate is open here: add a LIVEUPDATE_OPEN step before it, or name the fd',
    ]);
    expect(errorsOf([{ op: 'LIVEUPDATE_OPEN' }, { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', name: 'vm' }])).toEqual([]);
  });
});

describe('replaying live-update steps (fake kernel)', () => {
  it('a DMA is reported ok with the frame it reached, or FAULT, and compared with expect / expect_out', () => {
    const report = replayTrace(load([
      { op: 'DMA', device: 'dev0', iova: '0x3000', access: 'read', expect: 'ok', expect_out: { frame: 'guest:3' } },
      { op: 'DMA', device: 'dev0', iova: '0x3000', access: 'write', expect_out: { frame: 'guest:2' } },
      { op: 'DMA', device: 'dev0', iova: '0x100000', access: 'read', expect: 'FAULT' },
    ]), fakeApi());
    expect(report.lines.map((l) => [l.result, l.out, l.expected?.met])).toEqual([
      ['ok', { frame: 'guest:3' }, true], ['ok', { frame: 'guest:3' }, false], ['FAULT', {}, true],
    ]);
    expect(report.lines[1]?.expected?.mismatches).toEqual([{ field: 'frame', expected: 'guest:2', actual: 'guest:3' }]);
    expect(report.lines[2]?.reason).toBe('fake: no translation');
  });
  it('expect_violations makes an invariant break an expectation: exactly the named ones, counted apart', () => {
    const map = { op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: '0x666000' };
    const good = replayTrace(load([{ op: 'IOMMU_IOAS_ALLOC', as: 'ioas' }, { ...map, expect_violations: ['pin-accounting'] }]), fakeApi());
    expect(good.summary).toMatchObject({ violations: 1, expectedViolations: 1, checked: 1, met: 1, verdict: 'PASS' });
    const wrong = replayTrace(load([{ op: 'IOMMU_IOAS_ALLOC', as: 'ioas' }, { ...map, expect_violations: ['no-reuse'] }]), fakeApi());
    expect(wrong.lines[1]?.expected?.mismatches).toEqual([{ field: 'violations', expected: ['no-reuse'], actual: ['pin-accounting'] }]);
    expect(wrong.summary).toMatchObject({ violations: 1, expectedViolations: 0, verdict: 'FAIL' });
    const none = replayTrace(load([{ op: 'IOMMU_IOAS_ALLOC', as: 'ioas', expect_violations: ['no-reuse'] }]), fakeApi());
    expect(none.summary.verdict).toBe('FAIL');
  });
  it('after a KEXEC that booted, an old label is UNRESOLVED at replay time too (a KEXEC expected to fail that booted)', () => {
    const api = fakeApi();
    const report = replayTrace(load([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'KEXEC', expect: 'EINVAL' },
      { op: 'IOMMU_DESTROY', id: 'ioas' },
    ]), api);
    expect(api.calls.map((c) => c.op)).toEqual(['IOMMU_IOAS_ALLOC', 'KEXEC']);
    expect(report.lines.map((l) => l.result)).toEqual(['ok', 'ok', 'UNRESOLVED']);
    expect(report.lines[2]?.reason).toMatch(/label "iommufd" has no value: it is a file of the kernel before the KEXEC at step 1/);
    expect(api.calls[1]).toEqual({ op: 'KEXEC', kernel: 'fake-a', faults: [] });
  });
});

describe('the done-when traces on the kernel model', () => {
  const frames = (t: LoadedTrace): string[] => {
    const r = replayTrace(t, KERNEL_API);
    return r.lines.filter((l) => l.op === 'DMA').map((l) => (l.result === 'ok' ? String(l.out['frame']) : l.result));
  };
  it('preserve, kexec, retrieve, rebuild and replace: the device reaches the same frames before, during and after', () => {
    const t = fixture('lu-hitless-replace');
    const r = replayTrace(t, KERNEL_API);
    expect(r.summary).toMatchObject({ verdict: 'PASS', violations: 0, ran: 37 });
    expect(frames(t)).toEqual(['guest:0', 'guest:15', 'guest:5', 'guest:5', 'guest:5', 'guest:0', 'guest:5', 'guest:15', 'guest:5']);
  });
  it('the same with the rebuilt IOAS at another memfd offset is flagged by reconstruction-equivalent at the replace', () => {
    const r = replayTrace(fixture('lu-rebuilt-offset'), KERNEL_API);
    const replace = r.lines.find((l) => l.op === 'VFIO_DEVICE_ATTACH_IOMMUFD_PT' && l.step > 20);
    expect(replace?.violations?.map((v) => v.invariant)).toEqual(['dma-never-faults', 'reconstruction-equivalent']);
    expect(replace?.violations?.[1]?.message).toMatch(/-> 0x1000 prot 7, the rebuilt one \[0x100000000, \+0xf000\) -> 0x2000/);
    expect(r.summary).toMatchObject({ verdict: 'PASS', violations: 2, expectedViolations: 2 });
    // Without the expectation the trace fails: the violation is real, not absorbed.
    const bare = fixture('lu-rebuilt-offset');
    const steps = bare.trace.steps.map((s) => ({ ...s, expect_violations: undefined }));
    const strict = replayTrace({ ...bare, trace: { ...bare.trace, steps } }, KERNEL_API);
    expect(strict.summary.verdict).toBe('FAIL');
  });
  it('a rollback to a kernel without the IOMMU handler loses the translation and goes on (domain.md §E)', () => {
    const t = fixture('lu-rollback-no-iommu');
    const r = replayTrace(t, KERNEL_API);
    const k = r.lines.find((l) => l.op === 'KEXEC');
    expect(k?.violations?.map((v) => v.invariant)).toEqual(['dma-never-faults', 'fail-stop']);
    expect(r.lines.filter((l) => l.op === 'LIVEUPDATE_OPEN').map((l) => l.result)).toEqual(['ok', 'EIO', 'EIO']);
    expect(frames(t)).toEqual(['guest:0', 'guest:15', 'guest:5', 'FAULT']);
    expect(r.summary.verdict).toBe('PASS');
  });
  it('a KEXEC into a kernel with another LUO ABI panics, and the trace stops there', () => {
    const r = replayTrace(load([
      { op: 'LIVEUPDATE_OPEN', as: 'lu' },
      { op: 'LIVEUPDATE_IOCTL_CREATE_SESSION', name: 's', as: 's' },
      { op: 'LIVEUPDATE_SESSION_PRESERVE_FD', session: 's', fd: 'guest', token: 1 },
      { op: 'KEXEC', kernel: 'linux-7.2', expect: 'PANIC' },
    ]), KERNEL_API);
    expect(r.lines.at(-1)).toMatchObject({ op: 'KEXEC', result: 'PANIC', rule: 'luo_early_startup:incompatible' });
    expect(r.lines.at(-1)?.reason).toMatch(/^the new kernel panicked: LUO: FDT 'LUO' is incompatible/);
    expect(r.summary.verdict).toBe('PASS');
  });
});
