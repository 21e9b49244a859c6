import { describe, expect, it } from 'vitest';
import { compareExpectations, outEquals, renderValue } from '../../src/trace/expect.ts';
import type { ExpectedValue } from '../../src/trace/expect.ts';

const U64_MAX = (1n << 64n) - 1n;

describe('outEquals', () => {
  it('compares integers exactly whatever their JS type', () => {
    expect(outEquals({ kind: 'u64', value: U64_MAX }, U64_MAX)).toBe(true);
    expect(outEquals({ kind: 'u64', value: U64_MAX }, U64_MAX - 1n)).toBe(false);
    expect(outEquals({ kind: 'id', value: 3n }, 3)).toBe(true);
    expect(outEquals({ kind: 'u32', value: 3n }, '3')).toBe(false);
    expect(outEquals({ kind: 'u32', value: 3n }, undefined)).toBe(false);
  });

  it('compares ranges element by element', () => {
    const e: ExpectedValue = { kind: 'ranges', value: [{ start: 0n, last: 4095n }, { start: 8192n, last: U64_MAX }] };
    expect(outEquals(e, [{ start: 0n, last: 4095n }, { start: 8192n, last: U64_MAX }])).toBe(true);
    expect(outEquals(e, [{ start: 0n, last: 4095n }])).toBe(false);
    expect(outEquals(e, [{ start: 0n, last: 4095n }, { start: 8192n, last: U64_MAX - 1n }])).toBe(false);
    expect(outEquals({ kind: 'ranges', value: [] }, [])).toBe(true);
  });
});

describe('compareExpectations', () => {
  it('lists the result and each output field that differs, rendered as replay output writes them', () => {
    const out = new Map<string, ExpectedValue>([['iova', { kind: 'u64', value: 0x1000n }], ['num_iovas', { kind: 'u32', value: 2n }]]);
    expect(compareExpectations('ok', out, 'EMSGSIZE', { num_iovas: 1 })).toEqual([
      { field: 'result', expected: 'ok', actual: 'EMSGSIZE' },
      { field: 'iova', expected: '0x1000', actual: null },
      { field: 'num_iovas', expected: 2, actual: 1 },
    ]);
    expect(compareExpectations(undefined, new Map(), 'EINVAL', {})).toEqual([]);
  });
});

describe('renderValue', () => {
  it('writes bigint as 0x hex, recursively', () => {
    expect(renderValue({ a: [{ start: 0n, last: U64_MAX }], n: 1 })).toEqual({ a: [{ start: '0x0', last: '0xffffffffffffffff' }], n: 1 });
  });
});
