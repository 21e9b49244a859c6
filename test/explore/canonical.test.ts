import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteBuffer, ByteReader } from '../../src/explore/bytes.ts';
import { CanonicalValueError, decodeCanonical, encodeCanonical } from '../../src/explore/canonical.ts';

function enc(v: unknown): Uint8Array {
  const b = new ByteBuffer(16);
  encodeCanonical(v, b);
  return b.copy();
}
function dec(bytes: Uint8Array): unknown {
  const r = new ByteReader(bytes);
  const v = decodeCanonical(r);
  expect(r.done()).toBe(true);
  return v;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Plain values of every kind the encoder accepts (no Map/Set: tested apart, their order is kept). */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -0, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), -(2 ** 32) - 1, NaN, Infinity, -Infinity),
    fc.bigInt(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.constantFrom(0n, 2n ** 32n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n)),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe('encodeCanonical / decodeCanonical', () => {
  it('round-trips every plain value exactly (Object.is on leaves, -0 and NaN included)', () => {
    fc.assert(
      fc.property(plain, (v) => {
        expect(dec(enc(v))).toStrictEqual(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective: two values encode alike exactly when they are deep-equal', () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        let same = true;
        try {
          expect(a).toStrictEqual(b);
        } catch {
          same = false;
        }
        expect(hex(enc(a)) === hex(enc(b))).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('ignores key insertion order but keeps undefined-valued keys', () => {
    expect(hex(enc({ a: 1, b: [2, { y: 1n, x: 'q' }] }))).toBe(hex(enc({ b: [2, { x: 'q', y: 1n }], a: 1 })));
    expect(hex(enc({ a: undefined }))).not.toBe(hex(enc({})));
    expect(dec(enc({ b: 1, a: 2 }))).toStrictEqual({ a: 2, b: 1 });
    expect(Object.keys(dec(enc({ b: 1, a: 2 })) as object)).toEqual(['a', 'b']);
  });

  it('keeps an own __proto__ key a key', () => {
    const o = JSON.parse('{"__proto__": {"x": 1}, "a": 2}') as object;
    const back = dec(enc(o)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(hex(enc(back))).toBe(hex(enc(o)));
  });

  it('gives each number one form', () => {
    expect(hex(enc(-0))).not.toBe(hex(enc(0)));
    expect(Object.is(dec(enc(-0)), -0)).toBe(true);
    expect(hex(enc(NaN))).toBe(hex(enc(Number('x'))));
    expect(hex(enc(1))).not.toBe(hex(enc(1n)));
    expect(hex(enc('1'))).not.toBe(hex(enc(1)));
    // Small integers are short: tag + one varint byte.
    expect(enc(5).length).toBe(2);
    expect(enc(2 ** 32).length).toBe(9);
  });

  it('encodes bigints of any size and sign, u64 without arithmetic', () => {
    for (const v of [0n, 1n, -1n, 0xffff_ffffn, 0x1_0000_0000n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 130n) + 7n]) {
      expect(dec(enc(v))).toBe(v);
    }
    expect(hex(enc(0n))).not.toBe(hex(enc(-0n + 0n + 1n)));
  });

  it('keeps strings exact, lone surrogates included', () => {
    for (const s of ['', 'idle', 'é', '日本', '\u{1F600}', '\ud800', '\udc00', 'a\u0000b', 'x'.repeat(20000)]) {
      expect(dec(enc(s))).toBe(s);
    }
    expect(hex(enc('\ud800'))).not.toBe(hex(enc('\ufffd')));
  });

  it('keeps Map and Set insertion order (it is observable) and Dates', () => {
    const m = new Map<unknown, unknown>([['b', 1], [2n, { z: 1 }]]);
    expect(dec(enc(m))).toStrictEqual(m);
    expect(hex(enc(new Set([1, 2])))).not.toBe(hex(enc(new Set([2, 1]))));
    expect(dec(enc(new Set(['x', 3])))).toStrictEqual(new Set(['x', 3]));
    expect((dec(enc(new Date(12345))) as Date).getTime()).toBe(12345);
  });

  it('refuses values it cannot encode exactly, naming the path', () => {
    const cases: [unknown, string][] = [
      [{ a: [1, { f: () => 1 }] }, 'cannot encode a function at value.a[1].f'],
      [{ 'odd key': Symbol('s') }, 'cannot encode a symbol at value["odd key"]'],
      [{ x: new (class Foo {})() }, 'cannot encode an instance of Foo (only plain objects, arrays, Map, Set, Date) at value.x'],
      [{ t: new Uint8Array(2) }, 'cannot encode an instance of Uint8Array (only plain objects, arrays, Map, Set, Date) at value.t'],
    ];
    for (const [v, msg] of cases) {
      try {
        enc(v);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(CanonicalValueError);
        expect((err as CanonicalValueError).describe()).toBe(msg);
      }
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => enc(cyclic)).toThrow(/nesting deeper than/);
  });

  it('reuses one buffer: encodings written one after another decode in order', () => {
    const b = new ByteBuffer(16);
    const vals = [{ a: 1 }, 'x'.repeat(100), [1n, null], undefined];
    for (const v of vals) encodeCanonical(v, b);
    const r = new ByteReader(b.view());
    for (const v of vals) expect(decodeCanonical(r)).toStrictEqual(v);
    expect(r.done()).toBe(true);
    b.reset();
    expect(b.length).toBe(0);
  });

  it('rejects corrupt input instead of reading past the end', () => {
    const bytes = enc({ a: 'hello' });
    expect(() => dec(bytes.subarray(0, bytes.length - 2))).toThrow(RangeError);
    expect(() => dec(new Uint8Array([200]))).toThrow(/unknown tag/);
  });
});
