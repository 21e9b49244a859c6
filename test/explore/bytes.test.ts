import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteBuffer, ByteReader } from '../../src/explore/bytes.ts';

describe('ByteBuffer / ByteReader', () => {
  it('round-trips u8, u32 (minimal varints), f64, strings and raw bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(255).map((v) => ['u8', v] as const), fc.nat().map((v) => ['u32', v >>> 0] as const),
        fc.double().map((v) => ['f64', v] as const), fc.string({ unit: 'binary' }).map((v) => ['string', v] as const))), (ops) => {
        const b = new ByteBuffer(4);
        for (const [k, v] of ops) (b[k] as (x: unknown) => void).call(b, v);
        const r = new ByteReader(b.view());
        for (const [k, v] of ops) expect(Object.is(r[k](), v)).toBe(true);
        expect(r.done()).toBe(true);
      }),
    );
  });

  it('writes varints minimally and strings as UTF-16 code units', () => {
    const b = new ByteBuffer();
    b.u32(127);
    b.u32(128);
    b.u32(0xffffffff);
    expect([...b.view()]).toEqual([127, 0x80, 1, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    b.reset();
    b.string('a\u00e9');
    expect([...b.view()]).toEqual([2, 0x61, 0xe9, 0x01]);
  });

  it('keeps a word view in step with the bytes when it grows', () => {
    const b = new ByteBuffer(4);
    b.bytes(new Uint8Array(100).fill(1));
    expect(b.words.buffer).toBe(b.buf.buffer);
    expect(b.words[24]).toBe(0x01010101);
  });

  it('reads a range of a buffer and refuses to read past it', () => {
    const r = new ByteReader(new Uint8Array([9, 1, 2, 3]), 1, 3);
    expect(r.u8()).toBe(1);
    expect(r.u8()).toBe(2);
    expect(() => r.u8()).toThrow(RangeError);
    r.reset(new Uint8Array([5]), 0, 1);
    expect(r.u8()).toBe(5);
  });
});
