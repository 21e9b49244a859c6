/**
 * The generic canonical encoder: any plain value (a machine's context, a hand-written model's state) to bytes such
 * that two values encode alike exactly when they are the same value, and back.
 *
 * WHAT "THE SAME VALUE" MEANS HERE (sound first: two values a program can tell apart never encode alike)
 * - Plain objects (prototype Object.prototype or null): enumerable string keys, sorted (UTF-16 code unit order),
 *   so key insertion order does not matter. A key holding `undefined` is kept (`{a: undefined}` and `{}` differ:
 *   `'a' in o` tells them apart). Symbol keys are not part of the value.
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
const MAX_DEPTH = 512;

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
  /** `reason at value.path.to[3]`, `root` naming the encoded value. */
  describe(root = 'value'): string {
    let p = root;
    for (const k of this.path) p += typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    return `${this.reason} at ${p}`;
  }
}

/** Writes `value`'s canonical encoding to `sink`. Throws CanonicalValueError for values it cannot encode exactly. */
export function encodeCanonical(value: unknown, sink: ByteSink): void {
  try {
    encodeAt(value, sink, 0);
  } catch (err) {
    // The fast path carries no path; find it with a second, slow walk (errors are rare and end the search).
    if (err instanceof CanonicalValueError || err instanceof RangeError) throw locateUnencodable(value) ?? err;
    throw err;
  }
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
    const x = a[i];
    // The common leaves inline: no call per element.
    if (typeof x === 'boolean') sink.u8(x ? T_TRUE : T_FALSE);
    else if (typeof x === 'string') {
      sink.u8(T_STRING);
      sink.string(x);
    } else encodeAt(x, sink, depth);
  }
}

function encodeObject(o: object, sink: ByteSink, depth: number): void {
  const proto = Object.getPrototypeOf(o);
  if (proto === Object.prototype || proto === null) {
    const rec = o as Record<string, unknown>;
    // Objects decoded by decodeCanonical, and those spread from them, already have sorted keys: walk them with
    // for-in (no key array); otherwise sort a copy.
    let n = 0;
    let sorted = true;
    let prev = '';
    for (const k in rec) {
      if (n > 0 && prev > k) sorted = false;
      prev = k;
      n++;
    }
    sink.u8(T_OBJECT);
    sink.u32(n);
    if (sorted) {
      for (const k in rec) {
        sink.string(k);
        const x = rec[k];
        if (typeof x === 'boolean') sink.u8(x ? T_TRUE : T_FALSE);
        else encodeAt(x, sink, depth);
      }
      return;
    }
    const keys = Object.keys(rec).sort();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      sink.string(k);
      encodeAt(rec[k], sink, depth);
    }
    return;
  }
  if (o instanceof Map) {
    sink.u8(T_MAP);
    sink.u32(o.size);
    for (const [k, v] of o) {
      encodeAt(k, sink, depth);
      encodeAt(v, sink, depth);
    }
    return;
  }
  if (o instanceof Set) {
    sink.u8(T_SET);
    sink.u32(o.size);
    for (const v of o) encodeAt(v, sink, depth);
    return;
  }
  if (o instanceof Date) {
    sink.u8(T_DATE);
    sink.f64(o.getTime());
    return;
  }
  throw new CanonicalValueError(unencodableInstance(proto));
}

function unencodableInstance(proto: unknown): string {
  const name = (proto as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? 'unknown';
  return `cannot encode an instance of ${name} (only plain objects, arrays, Map, Set, Date)`;
}

/** The first value encodeCanonical refuses inside `root`, with its path; undefined when there is none. */
function locateUnencodable(root: unknown): CanonicalValueError | undefined {
  const seen = new Set<unknown>();
  const walk = (v: unknown, path: (string | number)[]): CanonicalValueError | undefined => {
    const fail = (reason: string) => {
      const e = new CanonicalValueError(reason);
      e.path.push(...path);
      return e;
    };
    switch (typeof v) {
      case 'function':
      case 'symbol':
        return fail(`cannot encode a ${typeof v}`);
      case 'object': {
        if (v === null) return undefined;
        if (seen.has(v) || path.length >= MAX_DEPTH) return fail(`nesting deeper than ${MAX_DEPTH} (a cycle?)`);
        seen.add(v);
        let found: CanonicalValueError | undefined;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length && !found; i++) found = walk(v[i], [...path, i]);
        } else {
          const proto = Object.getPrototypeOf(v);
          if (proto === Object.prototype || proto === null) {
            for (const k of Object.keys(v).sort()) {
              found = walk((v as Record<string, unknown>)[k], [...path, k]);
              if (found) break;
            }
          } else if (v instanceof Map) {
            let i = 0;
            for (const [k, x] of v) {
              found = walk(k, [...path, i]) ?? walk(x, [...path, i]);
              if (found) break;
              i++;
            }
          } else if (v instanceof Set) {
            let i = 0;
            for (const x of v) {
              found = walk(x, [...path, i++]);
              if (found) break;
            }
          } else if (!(v instanceof Date)) {
            found = fail(unencodableInstance(proto));
          }
        }
        seen.delete(v);
        return found;
      }
      default:
        return undefined;
    }
  };
  return walk(root, []);
}

