/**
 * Loading: JSON syntax, then the checks the schema cannot make (numbers in range, labels and files that
 * resolve, expect_out), each located by step and field; and profile names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProfiles, loadTraceFile, loadTraceText } from '../../src/trace/load.ts';
import type { TraceInputError } from '../../src/trace/errors.ts';

const CONFIG = { memfds: [{ name: 'guest', pages: 4 }], buffers: [{ name: 'buf', va: '0x7f0000000000', pages: 4 }], devices: [{ name: 'dev0' }] };
const doc = (steps: unknown[], config: unknown = CONFIG, extra: object = {}): string =>
  JSON.stringify({ 'handover-trace': 1, ...extra, config, steps });
const errorsOf = (text: string): TraceInputError[] => {
  const r = loadTraceText('t.trace.json', text);
  return r.ok ? [] : r.errors;
};
const short = (e: TraceInputError): string =>
  [('step' in e && e.step !== undefined) ? `step ${e.step}` : '', ('field' in e && e.field) || '', e.message].filter(Boolean).join(': ');

describe('loadTraceText: JSON', () => {
  it('gives the line and column of a syntax error', () => {
    const [e] = errorsOf('{\n  "handover-trace": 1,\n  "steps": [}\n}');
    expect(e).toEqual({ kind: 'json', file: 't.trace.json', message: 'invalid JSON at line 3, column 13: expected a value, found "}"' });
    expect(errorsOf('{"a": 1,}')[0]?.message).toBe('invalid JSON at line 1, column 9: expected a "quoted" field name, found "}"');
    expect(errorsOf('{"a": 1} x')[0]?.message).toBe('invalid JSON at line 1, column 10: expected the end of the text, found "x"');
    expect(errorsOf('{"a": "b\n"}')[0]?.message).toMatch(/^invalid JSON at line 1, column 9: expected a character/);
  });

  it('refuses an empty file', () => {
    expect(errorsOf('')[0]).toMatchObject({ kind: 'json', message: expect.stringMatching(/^invalid JSON/) as unknown });
  });

  it('accepts a byte-order mark', () => {
    expect(loadTraceText('t', `\ufeff${doc([])}`).ok).toBe(true);
  });
});

describe('loadTraceFile', () => {
  it('names a missing file and a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'handover-load-'));
    expect(loadTraceFile(join(dir, 'nope.trace.json'))).toEqual({ ok: false, errors: [{ kind: 'io', file: join(dir, 'nope.trace.json'), message: 'no such file' }] });
    expect(loadTraceFile(dir)).toMatchObject({ ok: false, errors: [{ kind: 'io', message: 'is a directory, not a trace file' }] });
    writeFileSync(join(dir, 'ok.trace.json'), doc([{ op: 'IOMMU_IOAS_ALLOC' }]));
    expect(loadTraceFile(join(dir, 'ok.trace.json')).ok).toBe(true);
  });
});

describe('loadTraceText: labels', () => {
  it('resolves a label bound by an earlier step, in any id field and in expect_out', () => {
    const r = loadTraceText('t', doc([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0', as: 'idev' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'ioas', as: 'hwpt' },
      { op: 'IOMMU_HWPT_ALLOC', dev_id: 'idev', pt_id: 'ioas', as: 'hwpt2' },
      { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'hwpt2', expect_out: { pt_id: 'hwpt2' } },
      { op: 'IOMMU_OPTION', option_id: 'HUGE_PAGES', option_op: 'GET', object_id: 'ioas' },
      { op: 'IOMMU_DESTROY', id: 'hwpt' },
    ]));
    expect(r.ok).toBe(true);
  });

  it('refuses a label no earlier step binds, naming the step and the field', () => {
    expect(errorsOf(doc([
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: 0, length: 1 },
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
    ])).map(short)).toEqual(['step 0: ioas_id: unknown label "ioas": no earlier step binds it with "as"']);
    expect(errorsOf(doc([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'IOMMU_DESTROY', id: 'iaos' },
    ])).map(short)).toEqual(['step 1: id: unknown label "iaos": no earlier step binds it with "as"; did you mean ioas?']);
  });

  it("does not let a step use the label it binds itself", () => {
    expect(errorsOf(doc([{ op: 'IOMMU_IOAS_ALLOC', as: 'a', expect_out: { out_ioas_id: 'a' } }])).map(short))
      .toEqual(['step 0: expect_out.out_ioas_id: unknown label "a": no earlier step binds it with "as"']);
  });

  it('refuses a config name in an id field and a label that shadows a config name', () => {
    expect(errorsOf(doc([{ op: 'IOMMU_HWPT_ALLOC', dev_id: 'dev0', pt_id: 1 }])).map(short))
      .toEqual(['step 0: dev_id: "dev0" is a config device, not an object id: bind the id a step returns with "as" and use that label']);
    expect(errorsOf(doc([{ op: 'IOMMU_IOAS_ALLOC', as: 'guest' }])).map(short))
      .toEqual(['step 0: as: "guest" is a config memfd; a label must not shadow a config name']);
    expect(errorsOf(doc([{ op: 'IOMMU_IOAS_ALLOC', as: 'iommufd' }])).map(short))
      .toEqual(['step 0: as: "iommufd" is the iommufd; a label must not shadow a config name']);
  });
});

describe('loadTraceText: files', () => {
  it('resolves config memfds, devices and the implicit iommufd', () => {
    expect(loadTraceText('t', doc([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas', iommufd: 'iommufd' },
      { op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'guest', length: 4096 },
      { op: 'F_ADD_SEALS', fd: 'guest', seals: ['SEAL', 'GROW', 'SHRINK'] },
      { op: 'FTRUNCATE', fd: 'guest', length: 0 },
      { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0', iommufd: 'iommufd' },
      { op: 'CLOSE', fd: 'iommufd' },
    ])).ok).toBe(true);
  });

  it('refuses an unknown file, a buffer used as a file, and an id label used as a file', () => {
    expect(errorsOf(doc([
      { op: 'FTRUNCATE', fd: 'gues', length: 0 },
      { op: 'FTRUNCATE', fd: 'buf', length: 0 },
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
      { op: 'CLOSE', fd: 'ioas' },
      { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev1' },
    ])).map(short)).toEqual([
      'step 0: fd: unknown file "gues": not iommufd, a config memfd or device, or an fd label; did you mean guest?',
      'step 1: fd: "buf" is a config buffer (process memory), not a file',
      'step 3: fd: label "ioas" (bound at step 2) names an object id, not a file',
      'step 4: device: unknown file "dev1": not iommufd, a config memfd or device, or an fd label; did you mean dev0?',
    ]);
  });
});

describe('loadTraceText: numbers', () => {
  it('reads UINT64_MAX in both spellings and refuses 2^64', () => {
    expect(loadTraceText('t', doc([
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: '18446744073709551615' },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: '0xffffffffffffffff' },
    ])).ok).toBe(true);
    expect(errorsOf(doc([{ op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: '18446744073709551616' }])).map(short))
      .toEqual(['step 0: length: "18446744073709551616" is out of range for a u64 (at most 18446744073709551615 = 0xffffffffffffffff)']);
  });

  it('refuses a u32 id out of range and an expect_out u64 out of range', () => {
    expect(errorsOf(doc([{ op: 'IOMMU_DESTROY', id: '0x100000000' }])).map(short))
      .toEqual(['step 0: id: "0x100000000" is out of range for a u32 (at most 4294967295 = 0xffffffff)']);
    expect(errorsOf(doc([{ op: 'IOMMU_DESTROY', id: '4294967296' }])).map(short))
      .toEqual(['step 0: id: "4294967296" is out of range for a u32 (at most 4294967295 = 0xffffffff)']);
    expect(errorsOf(doc([{ op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: 1, expect_out: { length: '99999999999999999999' } }])).map(short))
      .toEqual(['step 0: expect_out.length: "99999999999999999999" is out of range for a u64 (at most 18446744073709551615 = 0xffffffffffffffff)']);
  });
});

describe('checkProfiles', () => {
  it('names an unknown kernel profile and lists the known ones', () => {
    const r = loadTraceText('t', doc([], CONFIG, { kernel: 'linux-6.1' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(checkProfiles([r.trace], ['linux-6.12', 'linux-6.16']).map(short))
      .toEqual(['kernel: unknown kernel profile "linux-6.1"; did you mean linux-6.12 or linux-6.16? (the profiles are linux-6.12, linux-6.16)']);
    expect(checkProfiles([r.trace], ['linux-6.1'])).toEqual([]);
  });
});
