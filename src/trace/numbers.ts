/**
 * Numbers of the trace format: u64 and u32 values written as JSON numbers or as decimal / 0x hex strings, read
 * exactly into bigint (u64) or number (u32), and u64 values written back as lower-case 0x hex.
 *
 * A JSON number is exact only up to 2^53-1 (JSON.parse has already rounded anything larger), so a larger JSON
 * number is refused as inexact rather than silently rounded; strings carry the full u64 range.
 */

/** The largest u64, 0xffffffffffffffff. */
export const U64_MAX = (1n << 64n) - 1n;
/** The largest u32, 0xffffffff. */
export const U32_MAX = 0xffff_ffff;

const NUMERIC_STRING = /^(0[xX][0-9a-fA-F]+|[0-9]+)$/;

/** A value read from the trace, or why it cannot be. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** True when `v` is written as a number (a JSON number or a decimal / 0x hex string), not as a label. */
export function isNumeric(v: number | string): boolean {
  return typeof v === 'number' || NUMERIC_STRING.test(v);
}

/** Reads an unsigned integer no larger than `max` (inclusive), naming `what` (e.g. "a u64") in messages. */
export function parseUnsigned(v: number | string, max: bigint, what: string): Parsed<bigint> {
  let value: bigint;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return { ok: false, message: `${v} is not ${what}: it must be a non-negative integer` };
    if (!Number.isSafeInteger(v)) {
      return {
        ok: false,
        message: `${v} is inexact: a JSON number above 2^53-1 (9007199254740991) loses precision when read; `
          + 'write the value as a string, decimal or 0x hex',
      };
    }
    value = BigInt(v);
  } else {
    if (!NUMERIC_STRING.test(v)) return { ok: false, message: `${JSON.stringify(v)} is not ${what}: write it in decimal or 0x hex` };
    value = BigInt(v);
  }
  if (value > max) {
    return { ok: false, message: `${JSON.stringify(v)} is out of range for ${what} (at most ${max} = ${formatHex(max)})` };
  }
  return { ok: true, value };
}

/** Reads a u64 exactly. */
export function parseU64(v: number | string): Parsed<bigint> {
  return parseUnsigned(v, U64_MAX, 'a u64');
}

/** Reads a u32. */
export function parseU32(v: number | string): Parsed<number> {
  const r = parseUnsigned(v, BigInt(U32_MAX), 'a u32');
  return r.ok ? { ok: true, value: Number(r.value) } : r;
}

/** `0x` followed by lower-case hex digits: how u64 values are written in replay output. */
export function formatHex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
