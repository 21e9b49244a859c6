/**
 * Schema validation: every class of malformed trace is refused with the step index and the field, in words a
 * user can act on.
 */
import { describe, expect, it } from 'vitest';
import { validateTraceDocument } from '../../src/trace/validate.ts';

const trace = (steps: unknown[], config: unknown = {}): unknown => ({ 'handover-trace': 1, config, steps });
const errorsOf = (doc: unknown): { step?: number; field?: string; message: string }[] =>
  validateTraceDocument('t.trace.json', doc).map((e) => ({
    ...('step' in e && e.step !== undefined ? { step: e.step } : {}),
    ...('field' in e && e.field !== undefined ? { field: e.field } : {}),
    message: e.message,
  }));

describe('validateTraceDocument', () => {
  it('accepts a well-formed trace', () => {
    expect(errorsOf(trace([
      { op: 'IOMMU_IOAS_ALLOC', as: 'ioas', expect: 'ok' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 'ioas', user_va: '0x7f0000000000', length: 4096, flags: ['READABLE', 'WRITEABLE'], expect_out: { iova: '0x1000' } },
      { op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: '0xffffffffffffffff' },
      { op: 'IOMMU_OPTION', option_id: 'HUGE_PAGES', option_op: 1, object_id: 'ioas' },
    ], { memfds: [{ name: 'guest', pages: 4 }], devices: [{ name: 'dev0', aperture: ['0x1000000', '0x7fffffff'], pgsize: 2048 }] }))).toEqual([]);
  });

  it('names an unknown op with its step and the close matches', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_ALLOC' }, { op: 'IOMMU_IOAS_MAPP', ioas_id: 1 }]))).toEqual([
      { step: 1, field: 'op', message: 'unknown op "IOMMU_IOAS_MAPP"; did you mean IOMMU_IOAS_MAP, IOMMU_IOAS_COPY or IOMMU_IOAS_UNMAP?' },
    ]);
    const [e] = errorsOf(trace([{ op: 'FROBNICATE' }]));
    expect(e?.message).toMatch(/^unknown op "FROBNICATE" \(the ops are IOMMU_DESTROY, .*KEXEC, DMA\)$/);
  });

  it('names a missing required field', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0 }]))).toEqual([
      { step: 0, field: 'length', message: 'missing required field' },
    ]);
    expect(errorsOf(trace([{ ioas_id: 1 }]))).toEqual([{ step: 0, field: 'op', message: 'missing required field' }]);
  });

  it('names an unknown field and suggests the right one', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: 0, length: 1, lenght: 2 }]))).toEqual([
      { step: 0, field: 'lenght', message: 'unknown field; did you mean length?' },
    ]);
    // `as` only exists on steps that return an id.
    expect(errorsOf(trace([{ op: 'IOMMU_DESTROY', id: 1, as: 'x' }]))[0]?.field).toBe('as');
  });

  it('names a mistyped field', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: true, length: 1 }]))).toEqual([
      { step: 0, field: 'iova', message: 'true is not an integer or a string' },
    ]);
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: 'READABLE' }]))).toEqual([
      { step: 0, field: 'flags', message: '"READABLE" is not a list of names among FIXED_IOVA, READABLE, WRITEABLE, or a number' },
    ]);
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: ['READ'] }]))).toEqual([
      { step: 0, field: 'flags[0]', message: '"READ" is not one of FIXED_IOVA, READABLE, WRITEABLE; did you mean READABLE?' },
    ]);
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_ALLOC', expect: 'EBUSYY' }]))).toEqual([
      { step: 0, field: 'expect', message: '"EBUSYY" is not "ok" or an errno name the model knows; did you mean EBUSY?' },
    ]);
    expect(errorsOf(trace([{ op: 'IOMMU_DESTROY', id: '1x' }]))[0]).toEqual({
      step: 0, field: 'id', message: '"1x" is neither an object id (decimal or 0x hex) nor a label (a letter or _, then letters, digits, _ . -)',
    });
  });

  it('refuses out-of-range and inexact u64 values', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_UNMAP', ioas_id: 1, iova: '0x10000000000000000', length: 1 }]))).toEqual([
      { step: 0, field: 'iova', message: '"0x10000000000000000" is out of range for a u64 (at most 18446744073709551615 = 0xffffffffffffffff)' },
    ]);
    // A JSON number above 2^53-1 arrives rounded: refused as inexact, with the fix in the message.
    const doc = JSON.parse('{"handover-trace":1,"config":{},"steps":[{"op":"IOMMU_IOAS_UNMAP","ioas_id":1,"iova":0,"length":18446744073709551615}]}') as unknown;
    const [e] = errorsOf(doc);
    expect(e).toMatchObject({ step: 0, field: 'length' });
    expect(e?.message).toMatch(/inexact: a JSON number above 2\^53-1 .* write the value as a string/);
  });

  it('locates errors in nested fields and in the config', () => {
    expect(errorsOf(trace([{ op: 'IOMMU_IOAS_ALLOW_IOVAS', ioas_id: 1, allowed_iovas: [{ start: 0, last: 1 }, { start: 2, last: 'x' }] }]))).toEqual([
      { step: 0, field: 'allowed_iovas[1].last', message: '"x" is not a u64: write it in decimal or 0x hex' },
    ]);
    expect(errorsOf(trace([], { memfds: [{ name: 'm', pages: -1 }], devices: [{ name: 'd', aperture: [1] }] }))).toEqual([
      { field: 'config.memfds[0].pages', message: '-1 is not a u32: it must be a non-negative integer' },
      { field: 'config.devices[0].aperture', message: 'has 1 items, must have exactly 2' },
    ]);
  });

  it('refuses another format version and a document of the wrong shape', () => {
    expect(errorsOf({ 'handover-trace': 2, config: {}, steps: [] })).toEqual([
      { field: 'handover-trace', message: 'unsupported trace format version 2: this handover reads version 1' },
    ]);
    expect(errorsOf([])).toEqual([{ message: '[] is not an object ({...})' }]);
    expect(errorsOf({ 'handover-trace': 1, steps: [] })).toEqual([{ field: 'config', message: 'missing required field' }]);
  });

  it('keeps the errors of two steps with the same kind of mistake apart', () => {
    expect(errorsOf(trace([
      { op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: 'READABLE' },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: ['READ'] },
      { op: 'IOMMU_IOAS_MAP', ioas_id: 1, user_va: 0, length: 1, flags: 1.5 },
    ]))).toEqual([
      { step: 0, field: 'flags', message: '"READABLE" is not a list of names among FIXED_IOVA, READABLE, WRITEABLE, or a number' },
      { step: 1, field: 'flags[0]', message: '"READ" is not one of FIXED_IOVA, READABLE, WRITEABLE; did you mean READABLE?' },
      { step: 2, field: 'flags', message: '1.5 is not a u32: it must be a non-negative integer' },
    ]);
  });

  it('reports every error of a file, in step order', () => {
    const errs = errorsOf(trace([{ op: 'X' }, { op: 'IOMMU_DESTROY' }, { op: 'CLOSE', fd: 3 }]));
    expect(errs.map((e) => [e.step, e.field])).toEqual([[0, 'op'], [1, 'id'], [2, 'fd']]);
  });
});
