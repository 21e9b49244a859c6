/**
 * The generic canonical encoder: any plain value (a machine's context, a hand-written model's state) to bytes such
 * that two values encode alike exactly when they are the same value, and back.
 *
 * WHAT "THE SAME VALUE" MEANS HERE (sound first: two values a program can tell apart never encode alike)
 * - Plain objects: own enumerable string keys, sorted (UTF-16 code unit order), so key insertion order does not
 *   matter. A key holding `undefined` is kept (`{a: undefined}` and `{}` differ: `'a' in o` tells them apart).
 * - Arrays: by index; a hole reads as `undefined` (the one place two distinguishable values merge: documented).
 * - Numbers: each number has one form; `-0` and `NaN` have their own tags (so `-0` survives decoding and every NaN
 *   is one value). Integers in [-2^32, 2^32) are varints, others 8 bytes.
 * - bigint: sign, then 32-bit limbs, any size. Strings: UTF-16 code units (bytes.ts).
 * - Map and Set: insertion order is kept (it is observable by iteration); Date: its time value.
 * - Anything else (functions, symbols, class instances, typed arrays, cycles) is refused with a CanonicalValueError
 *   naming the path to the offending value, never encoded approximately.
 * Decoding returns fresh plain values: objects with keys in sorted order, arrays without holes.
 */
import type { ByteSink, ByteSource } from './model.ts';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
/** Integer in [0, 2^32): varint. */
const T_UINT = 4;
/** Integer in [-2^32, -1]: varint of -v - 1. */
const T_NINT = 5;
const T_F64 = 6;
const T_NEG_ZERO = 7;
const T_NAN = 8;
/** Non-negative bigint: limb count, then 32-bit limbs, least significant first, no zero top limb. */
const T_BIGINT = 9;
/** Negative bigint: as T_BIGINT, of its magnitude. */
const T_NEG_BIGINT = 10;
const T_STRING = 11;
const T_ARRAY = 12;
const T_OBJECT = 13;
const T_MAP = 14;
const T_SET = 15;
const T_DATE = 16;

/** Nesting deeper than this is taken for a cycle. */
const MAX_DEPTH = 2000;

const big64 = new BigUint64Array(1);
const big64Words = new Uint32Array(big64.buffer);
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** A value the canonical encoder refuses; `path` leads from the encoded root to it (`context.items[2]`). */
export class CanonicalValueError extends Error {
  /** Keys and indexes from the root to the offending value, outermost first. */
  readonly path: (string | number)[] = [];
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CanonicalValueError';
  }
  /** `reason at path.to[3].value` (the message is kept in step with the path as it is unwound). */
  describe(root = 'value'): string {
    let p = root;
    for (const k of this.path) p += typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    return `${this.reason} at ${p}`;
  }
}

/** Writes `value`'s canonical encoding to `sink`. Throws CanonicalValueError for values it cannot encode exactly. */
export function encodeCanonical(value: unknown, sink: ByteSink): void {
  encodeAt(value, sink, 0);
}

/** Reads one value written by encodeCanonical. */
export function decodeCanonical(src: ByteSource): unknown {
  const tag = src.u8();
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_UINT:
      return src.u32();
    case T_NINT:
      return -src.u32() - 1;
    case T_F64:
      return src.f64();
    case T_NEG_ZERO:
      return -0;
    case T_NAN:
      return NaN;
    case T_BIGINT:
      return readBigMagnitude(src);
    case T_NEG_BIGINT:
      return -readBigMagnitude(src);
    case T_STRING:
      return src.string();
    case T_ARRAY: {
      const n = src.u32();
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = decodeCanonical(src);
      return a;
    }
    case T_OBJECT: {
      const n = src.u32();
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = src.string();
        const v = decodeCanonical(src);
        // An own "__proto__" key must stay a key, not become the prototype.
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      return o;
    }
    case T_MAP: {
      const n = src.u32();
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = decodeCanonical(src);
        m.set(k, decodeCanonical(src));
      }
      return m;
    }
    case T_SET: {
      const n = src.u32();
      const s = new Set<unknown>();
      for (let i = 0; i < n; i++) s.add(decodeCanonical(src));
      return s;
    }
    case T_DATE:
      return new Date(src.f64());
    default:
      throw new RangeError(`decodeCanonical: unknown tag ${tag} (the bytes are not a canonical encoding)`);
  }
}

function encodeAt(v: unknown, sink: ByteSink, depth: number): void {
  switch (typeof v) {
    case 'string':
      sink.u8(T_STRING);
      sink.string(v);
      return;
    case 'number':
      encodeNumber(v, sink);
      return;
    case 'boolean':
      sink.u8(v ? T_TRUE : T_FALSE);
      return;
    case 'undefined':
      sink.u8(T_UNDEFINED);
      return;
    case 'bigint':
      encodeBigint(v, sink);
      return;
    case 'object':
      if (v === null) {
        sink.u8(T_NULL);
        return;
      }
      if (depth >= MAX_DEPTH) throw new CanonicalValueError(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
      if (Array.isArray(v)) {
        encodeArray(v, sink, depth + 1);
        return;
      }
      encodeObject(v, sink, depth + 1);
      return;
    default:
      throw new CanonicalValueError(`cannot encode a ${typeof v}`);
  }
}

function encodeNumber(v: number, sink: ByteSink): void {
  if (Number.isInteger(v)) {
    if (v >= 0) {
      if (v <= 0xffff_ffff) {
        if (v === 0 && 1 / v < 0) {
          sink.u8(T_NEG_ZERO);
          return;
        }
        sink.u8(T_UINT);
        sink.u32(v);
        return;
      }
    } else if (v >= -0x1_0000_0000) {
      sink.u8(T_NINT);
      sink.u32(-v - 1);
      return;
    }
  } else if (v !== v) {
    sink.u8(T_NAN);
    return;
  }
  sink.u8(T_F64);
  sink.f64(v);
}

function encodeBigint(v: bigint, sink: ByteSink): void {
  let m = v;
  if (m < 0n) {
    sink.u8(T_NEG_BIGINT);
    m = -m;
  } else {
    sink.u8(T_BIGINT);
  }
  if (m <= U64_MAX) {
    // The common case (u64 addresses and lengths): one typed-array store, no bigint arithmetic.
    big64[0] = m;
    const lo = big64Words[0]!;
    const hi = big64Words[1]!;
    if (hi !== 0) {
      sink.u32(2);
      sink.u32(lo);
      sink.u32(hi);
    } else if (lo !== 0) {
      sink.u32(1);
      sink.u32(lo);
    } else {
      sink.u32(0);
    }
    return;
  }
  const limbs: number[] = [];
  while (m > 0n) {
    limbs.push(Number(m & 0xffff_ffffn));
    m >>= 32n;
  }
  sink.u32(limbs.length);
  for (const l of limbs) sink.u32(l);
}

function readBigMagnitude(src: ByteSource): bigint {
  const n = src.u32();
  if (n === 0) return 0n;
  if (n <= 2) {
    big64Words[0] = src.u32();
    big64Words[1] = n === 2 ? src.u32() : 0;
    return big64[0]!;
  }
  let m = 0n;
  for (let i = 0; i < n; i++) m |= BigInt(src.u32()) << BigInt(32 * i);
  return m;
}

function encodeArray(a: readonly unknown[], sink: ByteSink, depth: number): void {
  const n = a.length;
  sink.u8(T_ARRAY);
  sink.u32(n);
  for (let i = 0; i < n; i++) {
    try {
      encodeAt(a[i], sink, depth);
    } catch (err) {
      throw located(err, i);
    }
  }
}

function encodeObject(o: object, sink: ByteSink, depth: number): void {
  const proto = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) {
    const rec = o as Record<string, unknown>;
    const keys = Object.keys(rec);
    if (!isSorted(keys)) keys.sort();
    sink.u8(T_OBJECT);
    sink.u32(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      sink.string(k);
      try {
        encodeAt(rec[k], sink, depth);
      } catch (err) {
        throw located(err, k);
      }
    }
    return;
  }
  if (o instanceof Map) {
    sink.u8(T_MAP);
    sink.u32(o.size);
    let i = 0;
    for (const [k, v] of o) {
      try {
        encodeAt(k, sink, depth);
        encodeAt(v, sink, depth);
      } catch (err) {
        throw located(err, i);
      }
      i++;
    }
    return;
  }
  if (o instanceof Set) {
    sink.u8(T_SET);
    sink.u32(o.size);
    let i = 0;
    for (const v of o) {
      try {
        encodeAt(v, sink, depth);
      } catch (err) {
        throw located(err, i);
      }
      i++;
    }
    return;
  }
  if (o instanceof Date) {
    sink.u8(T_DATE);
    sink.f64(o.getTime());
    return;
  }
  const name = (proto as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'unknown';
  throw new CanonicalValueError(`cannot encode an instance of ${name} (only plain objects, arrays, Map, Set, Date)`);
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

function located(err: unknown, key: string | number): unknown {
  if (err instanceof CanonicalValueError) err.path.unshift(key);
  return err;
}
