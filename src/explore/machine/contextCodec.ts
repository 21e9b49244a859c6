/**
 * A context encoder specialised to the shape of the machine's initial context: the canonical encoding of canonical.ts
 * without the object keys (and their sorting) wherever a value has the shape the initial context had. Contexts keep
 * their shape in most machines, so most of the bytes (and time) the generic encoder spends on keys go.
 *
 * THE TEMPLATE is built once from the initial context: a plain object becomes "an object with exactly these keys" (each
 * key with its own template), an array "an array of elements like its elements" (when they all have one template),
 * anything else a leaf.
 *
 * WIRE FORM, per template node (canonical.ts's tags are all below 0x80, so these never collide with them):
 * - leaf: canonical.ts's encoding of the value (written directly, not through it, for the string, boolean and
 *   unsigned-integer leaves of the sample: the same bytes, read off canonical.ts's own output at load time);
 * - object node: 0x80 then each key's value in the template's (sorted) key order, when the value is a plain object
 *   whose own enumerable keys are exactly the template's; otherwise 0x82 then canonical.ts's encoding;
 * - array node: 0x81, the length, then each element, when the value is an array; otherwise 0x82 then canonical.ts's.
 * Whether a value takes the template path depends only on its key set and types, never on key order, so two values
 * that canonical.ts deems equal encode alike; and decoding is deterministic, so values that differ encode differently.
 * Every process that compiles the same machine builds the same template (from the same initial context), so the
 * bytes, and the fingerprints of them, are the same in every worker.
 *
 * IDENTITY CACHE. The successors of a state mostly share parts of its context: an `assign` replaces the keys it
 * assigns and keeps the other values, by reference, and a transition without `assign` keeps the whole context. So
 * each object and array node on a path of object keys from the root (not inside an array, where one cache would
 * serve many elements) remembers the last value it encoded and its bytes, and writes those bytes again when it is
 * given the same object. Exact because contexts are immutable (xstate forbids mutating them, model.ts's contract
 * says states are never mutated), and encoding is a function of the value alone.
 */
import { CanonicalValueError, decodeCanonical, encodeCanonical } from '../canonical.ts';
import { ByteBuffer } from '../bytes.ts';
import type { ByteSink, ByteSource } from '../model.ts';

const TPL_OBJECT = 0x80;
const TPL_ARRAY = 0x81;
const GENERIC = 0x82;

/** Templates deeper than this are cut to leaves (the generic encoder takes over below). */
const MAX_TEMPLATE_DEPTH = 24;

type Template =
  | { readonly kind: 'leaf' }
  /** A leaf whose sample was a string / boolean / unsigned 32-bit integer: a fast path for that type, generic otherwise. */
  | { readonly kind: 'string' | 'boolean' | 'uint' }
  | { readonly kind: 'object'; readonly keys: readonly string[]; readonly children: readonly Template[] }
  | { readonly kind: 'array'; readonly element: Template };

const LEAF: Template = { kind: 'leaf' };
const STRING_LEAF: Template = { kind: 'string' };
const BOOLEAN_LEAF: Template = { kind: 'boolean' };
const UINT_LEAF: Template = { kind: 'uint' };

/**
 * canonical.ts's tag bytes for strings, booleans and unsigned integers, read off its own output (so the fast paths
 * below write exactly what it writes); undefined when its layout is not "one tag byte, then the sink's own form".
 */
const TAGS = probeTags();

function probeTags(): { string: number; true: number; false: number; uint: number } | undefined {
  const probe = (v: unknown): number[] => {
    const out: number[] = [];
    const sink: ByteSink = {
      u8: (x) => void out.push(0x100 | x),
      u32: (x) => void out.push(0x200, x),
      f64: (x) => void out.push(0x300, x),
      bytes: (x) => void out.push(0x400, ...x),
      string: (x) => void out.push(0x500, x.length),
    };
    encodeCanonical(v, sink);
    return out;
  };
  const s = probe('ab');
  const t = probe(true);
  const f = probe(false);
  const u = probe(7);
  const ok =
    s.length === 3 && s[0]! >= 0x100 && s[0]! < 0x200 && s[1] === 0x500 && s[2] === 2 &&
    t.length === 1 && t[0]! < 0x200 && f.length === 1 && f[0]! < 0x200 &&
    u.length === 3 && u[0]! < 0x200 && u[1] === 0x200 && u[2] === 7;
  return ok ? { string: s[0]! & 0xff, true: t[0]! & 0xff, false: f[0]! & 0xff, uint: u[0]! & 0xff } : undefined;
}
const hasOwn = Object.prototype.hasOwnProperty;

/** Encodes and decodes contexts against one template. */
export interface ContextCodec {
  encode(value: unknown, sink: ByteSink): void;
  decode(src: ByteSource): unknown;
}

/** The codec whose template is `sample`'s shape (the machine's initial context). */
export function contextCodecFor(sample: unknown): ContextCodec {
  const template = templateOf(sample, 0);
  if (template.kind === 'leaf') return { encode: encodeCanonical, decode: decodeCanonical };
  const encode = encoderFor(template, true);
  return {
    encode,
    decode: (src) => decodeWith(template, src),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function templateOf(v: unknown, depth: number): Template {
  if (depth >= MAX_TEMPLATE_DEPTH) return LEAF;
  if (Array.isArray(v)) {
    if (v.length === 0) return { kind: 'array', element: LEAF };
    const elements = v.map((x) => templateOf(x, depth + 1));
    const first = elements[0]!;
    return { kind: 'array', element: elements.every((e) => sameTemplate(e, first)) ? first : LEAF };
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return { kind: 'object', keys, children: keys.map((k) => templateOf(v[k], depth + 1)) };
  }
  if (TAGS === undefined) return LEAF;
  if (typeof v === 'string') return STRING_LEAF;
  if (typeof v === 'boolean') return BOOLEAN_LEAF;
  if (isUint32(v)) return UINT_LEAF;
  return LEAF;
}

/** An integer canonical.ts writes as tag + varint: 0 (not -0) up to 2^32 - 1. */
function isUint32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff && !(v === 0 && 1 / v < 0);
}

function sameTemplate(a: Template, b: Template): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'array') return sameTemplate(a.element, (b as typeof a).element);
  if (a.kind === 'object') {
    const o = b as typeof a;
    return a.keys.length === o.keys.length && a.keys.every((k, i) => k === o.keys[i] && sameTemplate(a.children[i]!, o.children[i]!));
  }
  return true;
}

/** Does `v` have exactly the template object's own enumerable keys (and is it a plain object)? */
function fitsObject(v: unknown, keys: readonly string[]): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  // for-in yields each own enumerable key, then each inherited enumerable one not shadowed, each once: exactly
  // keys.length of them, each own and a template key, means exactly the template's keys (hasOwnProperty inside
  // for-in is what V8 optimises; propertyIsEnumerable is a runtime call).
  let n = 0;
  for (const k in v) {
    if (!hasOwn.call(v, k) || !keys.includes(k)) return false;
    n++;
  }
  return n === keys.length;
}

type Encoder = (v: unknown, sink: ByteSink) => void;

/**
 * The encoder of one template, built once: a tree of closures instead of a switch per value, and arrays of booleans
 * written straight into a ByteBuffer's backing store (one call per array, not per element). A value that does not fit
 * its template is written generically (GENERIC + the canonical encoding), so every value encodes; decodeWith reads it.
 */
function encoderFor(t: Template, cache: boolean): Encoder {
  if (cache && (t.kind === 'object' || t.kind === 'array')) return cachedByIdentity(encoderFor(t, false));
  switch (t.kind) {
    case 'leaf':
      return encodeCanonical;
    case 'string':
      return (v, sink) => {
        if (typeof v === 'string') {
          sink.u8(TAGS!.string);
          sink.string(v);
        } else encodeCanonical(v, sink);
      };
    case 'uint':
      return (v, sink) => {
        if (isUint32(v)) {
          sink.u8(TAGS!.uint);
          sink.u32(v);
        } else encodeCanonical(v, sink);
      };
    case 'boolean':
      return encodeBoolean;
    case 'object': {
      const { keys } = t;
      const children = t.children.map((c) => encoderFor(c, true));
      return (v, sink) => {
        if (!fitsObject(v, keys)) {
          sink.u8(GENERIC);
          encodeCanonical(v, sink);
          return;
        }
        sink.u8(TPL_OBJECT);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          try {
            children[i]!(v[k], sink);
          } catch (err) {
            if (err instanceof CanonicalValueError) err.path.unshift(k);
            throw err;
          }
        }
      };
    }
    case 'array': {
      const element = encoderFor(t.element, false);
      const booleans = t.element.kind === 'boolean';
      return (v, sink) => {
        if (!Array.isArray(v)) {
          sink.u8(GENERIC);
          encodeCanonical(v, sink);
          return;
        }
        sink.u8(TPL_ARRAY);
        const n = v.length;
        sink.u32(n);
        let i = 0;
        if (booleans && sink instanceof ByteBuffer) i = writeBooleans(v, sink);
        for (; i < n; i++) {
          try {
            element(v[i], sink);
          } catch (err) {
            if (err instanceof CanonicalValueError) err.path.unshift(i);
            throw err;
          }
        }
      };
    }
  }
}

/** `encode` behind a one-entry identity cache (see the file header); only for ByteBuffer sinks, the search's. */
function cachedByIdentity(encode: Encoder): Encoder {
  let last: object | undefined;
  let bytes = new Uint8Array(64);
  let length = 0;
  return (v, sink) => {
    if (!(sink instanceof ByteBuffer) || typeof v !== 'object' || v === null) return encode(v, sink);
    if (v === last) return sink.bytes(bytes, length);
    const start = sink.length;
    encode(v, sink);
    length = sink.length - start;
    if (length > bytes.length) bytes = new Uint8Array(length * 2);
    const buf = sink.buf;
    for (let i = 0; i < length; i++) bytes[i] = buf[start + i]!;
    last = v;
  };
}

function encodeBoolean(v: unknown, sink: ByteSink): void {
  if (v === true) sink.u8(TAGS!.true);
  else if (v === false) sink.u8(TAGS!.false);
  else encodeCanonical(v, sink);
}

/** Writes `v`'s leading run of booleans into `sink` directly; returns how many elements it wrote. */
function writeBooleans(v: readonly unknown[], sink: ByteBuffer): number {
  const n = v.length;
  sink.reserve(n);
  const buf = sink.buf;
  const t = TAGS!.true;
  const f = TAGS!.false;
  let p = sink.length;
  let i = 0;
  for (; i < n; i++) {
    const x = v[i];
    if (x === true) buf[p++] = t;
    else if (x === false) buf[p++] = f;
    else break;
  }
  sink.length = p;
  return i;
}

function decodeWith(t: Template, src: ByteSource): unknown {
  if (t.kind !== 'object' && t.kind !== 'array') return decodeCanonical(src);
  const tag = src.u8();
  if (tag === GENERIC) return decodeCanonical(src);
  if (t.kind === 'object' && tag === TPL_OBJECT) {
    const o: Record<string, unknown> = {};
    const { keys, children } = t;
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = decodeWith(children[i]!, src);
    return o;
  }
  if (t.kind === 'array' && tag === TPL_ARRAY) {
    const n = src.u32();
    const a = new Array<unknown>(n);
    for (let i = 0; i < n; i++) a[i] = decodeWith(t.element, src);
    return a;
  }
  throw new RangeError(`context decoder: unexpected tag ${tag} (the bytes were not written with this machine's template)`);
}
