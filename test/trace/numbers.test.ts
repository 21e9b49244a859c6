import { describe, expect, it } from 'vitest';
import { formatHex, isNumeric, parseU32, parseU64, U64_MAX } from '../../src/trace/numbers.ts';

describe('parseU64', () => {
  it('reads UINT64_MAX exactly, in decimal and in hex', () => {
    expect(parseU64('18446744073709551615')).toEqual({ ok: true, value: U64_MAX });
    expect(parseU64('0xffffffffffffffff')).toEqual({ ok: true, value: U64_MAX });
    expect(parseU64('0XFFFFFFFFFFFFFFFF')).toEqual({ ok: true, value: U64_MAX });
  });

  it('rejects 2^64 in both spellings as out of range', () => {
    for (const v of ['18446744073709551616', '0x10000000000000000']) {
      const r = parseU64(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/out of range for a u64/);
    }
  });

  it('accepts JSON numbers up to 2^53-1 and rejects larger ones as inexact', () => {
    expect(parseU64(9007199254740991)).toEqual({ ok: true, value: 9007199254740991n });
    // 2^53 and UINT64_MAX as JSON numbers: JSON.parse has already rounded them.
    for (const v of [9007199254740992, JSON.parse('18446744073709551615') as number]) {
      const r = parseU64(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/inexact.*2\^53-1.*string/);
    }
  });

  it('rejects negative, fractional and non-numeric values', () => {
    expect(parseU64(-1).ok).toBe(false);
    expect(parseU64(1.5).ok).toBe(false);
    expect(parseU64('0x').ok).toBe(false);
    expect(parseU64('12a').ok).toBe(false);
  });
});

describe('parseU32', () => {
  it('takes 0xffffffff and refuses 0x100000000', () => {
    expect(parseU32('0xffffffff')).toEqual({ ok: true, value: 0xffffffff });
    expect(parseU32(4294967296).ok).toBe(false);
  });
});

describe('isNumeric / formatHex', () => {
  it('tells numbers from labels', () => {
    expect(isNumeric(0)).toBe(true);
    expect(isNumeric('0x1f')).toBe(true);
    expect(isNumeric('17')).toBe(true);
    expect(isNumeric('ioas')).toBe(false);
    expect(isNumeric('x1')).toBe(false);
  });

  it('writes lower-case 0x hex', () => {
    expect(formatHex(0n)).toBe('0x0');
    expect(formatHex(U64_MAX)).toBe('0xffffffffffffffff');
    expect(formatHex(0xABCn)).toBe('0xabc');
  });
});
