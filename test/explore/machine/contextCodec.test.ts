/**
 * The shape-specialised context codec must be canonical.ts's identity exactly: two values encode alike under it if
 * and only if canonical.ts encodes them alike, whatever the template, and decoding gives back the same value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuffer, ByteReader } from '../../../src/explore/bytes.ts';
import { encodeCanonical } from '../../../src/explore/canonical.ts';
import { contextCodecFor, type ContextCodec } from '../../../src/explore/machine/contextCodec.ts';

const buf = new ByteBuffer();
const generic = (v: unknown): string => {
  buf.reset();
  encodeCanonical(v, buf);
  return Buffer.from(buf.view()).toString('hex');
};
const withCodec = (c: ContextCodec, v: unknown): string => {
  buf.reset();
  c.encode(v, buf);
  return Buffer.from(buf.view()).toString('hex');
};

// A small domain, so that samples and values often share shapes and pairs often collide.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, 1, -0, NaN, 2 ** 32, -1, 0.5, true, false, null, undefined, '', 'a', 'working', 1n, -(2n ** 70n)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
}));

describe('contextCodecFor', () => {
  it('round-trips and agrees with canonical.ts on equality, for any template', () => {
    fc.assert(
      fc.property(value, value, value, (sample, x, y) => {
        const c = contextCodecFor(sample);
        const bx = withCodec(c, x);
        const by = withCodec(c, y);
        expect(bx === by).toBe(generic(x) === generic(y));
        buf.reset();
        c.encode(x, buf);
        const reader = new ByteReader(buf.copy());
        expect(generic(c.decode(reader))).toBe(generic(x));
        expect(reader.done()).toBe(true);
      }),
      { seed: 7, numRuns: 3000 },
    );
  });

  it('a value of the sample shape drops the keys, and key order does not matter', () => {
    const c = contextCodecFor({ rmState: ['working', 'working'], msgs: { commit: false } });
    const a = { rmState: ['prepared', 'working'], msgs: { commit: true } };
    const b = { msgs: { commit: true }, rmState: ['prepared', 'working'] };
    expect(withCodec(c, a)).toBe(withCodec(c, b));
    expect(withCodec(c, a).length).toBeLessThan(generic(a).length);
    // Not of the sample shape: still encoded, by the generic path.
    const d = { rmState: ['prepared'], msgs: { commit: true, extra: 1 } };
    expect(generic(c.decode(new ByteReader(Buffer.from(withCodec(c, d), 'hex'))))).toBe(generic(d));
  });
});
