import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteBuffer } from '../../src/explore/bytes.ts';
import {
  collisionProbability,
  fingerprintInto,
  fingerprintOf,
  fingerprintWordsInto,
  joinFingerprint,
  murmurHash3x86x128,
} from '../../src/explore/fingerprint.ts';

describe('murmurHash3x86x128', () => {
  it("matches SMHasher's verification value for MurmurHash3_x86_128 (0xB3ECE62A)", () => {
    // SMHasher VerificationTest: hash keys {0}, {0,1}, ... of length 0..255 with seed 256-len, then hash the
    // concatenated 16-byte results with seed 0; the first 32 bits are the verification value.
    const key = new Uint8Array(256);
    const all = new Uint8Array(256 * 16);
    const dv = new DataView(all.buffer);
    const out = new Uint32Array(4);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      murmurHash3x86x128(key, 0, i, 256 - i, out);
      for (let w = 0; w < 4; w++) dv.setUint32(i * 16 + w * 4, out[w]!, true);
    }
    murmurHash3x86x128(all, 0, all.length, 0, out);
    expect(out[0]).toBe(0xb3ece62a);
  });

  it('of the empty input with seed 0 is 0', () => {
    const out = new Uint32Array(4);
    murmurHash3x86x128(new Uint8Array(0), 0, 0, 0, out);
    expect([...out]).toEqual([0, 0, 0, 0]);
  });
});

describe('fingerprintInto / fingerprintOf', () => {
  it('hashes a byte range, independent of where it sits in the buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(20), (bytes, pad) => {
        const big = new Uint8Array(pad + bytes.length + 3).fill(0xaa);
        big.set(bytes, pad);
        const a = new Uint32Array(2);
        fingerprintInto(big, pad, pad + bytes.length, a);
        expect(joinFingerprint(a[0]!, a[1]!)).toBe(fingerprintOf(bytes));
        expect(a[0]).not.toBe(0);
        expect(a[1]).not.toBe(0);
      }),
    );
  });

  it('has no collisions on 200,000 similar short inputs and spreads the low bits evenly', () => {
    const seen = new Set<bigint>();
    const buckets = new Uint32Array(256);
    const b = new Uint8Array(6);
    const out = new Uint32Array(2);
    for (let i = 0; i < 200_000; i++) {
      b[0] = i & 0xff;
      b[1] = (i >> 8) & 0xff;
      b[2] = (i >> 16) & 0xff;
      const len = 3 + (i % 4);
      fingerprintInto(b, 0, len, out);
      seen.add(joinFingerprint(out[0]!, out[1]!) ^ BigInt(len));
      buckets[out[0]! & 0xff]!++;
    }
    expect(seen.size).toBe(200_000);
    // Each of 256 buckets expects 781; a good hash stays well within +-20%.
    for (const c of buckets) expect(Math.abs(c - 781.25)).toBeLessThan(160);
  });

  it('changes about half the output bits when one input bit flips (avalanche)', () => {
    const out1 = new Uint32Array(2);
    const out2 = new Uint32Array(2);
    let flips = 0;
    let trials = 0;
    const bytes = new Uint8Array(24);
    for (let t = 0; t < 200; t++) {
      for (let i = 0; i < bytes.length; i++) bytes[i] = (t * 31 + i * 17) & 0xff;
      fingerprintInto(bytes, 0, bytes.length, out1);
      const bit = t % (bytes.length * 8);
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      fingerprintInto(bytes, 0, bytes.length, out2);
      flips += popcount(out1[0]! ^ out2[0]!) + popcount(out1[1]! ^ out2[1]!);
      trials++;
    }
    const mean = flips / trials;
    expect(mean).toBeGreaterThan(29);
    expect(mean).toBeLessThan(35);
  });
});

describe('fingerprintWordsInto', () => {
  it('equals fingerprintInto on the same bytes, wherever they start', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(12), (bytes, pad) => {
        const b = new ByteBuffer(4);
        b.bytes(new Uint8Array(pad));
        b.bytes(bytes);
        const x = new Uint32Array(2);
        const y = new Uint32Array(2);
        fingerprintWordsInto(b.words, b.buf, pad, bytes.length, x);
        fingerprintInto(bytes, 0, bytes.length, y);
        expect([...x]).toEqual([...y]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('collisionProbability', () => {
  it("is TLC's n(g-n)/2^64", () => {
    expect(collisionProbability(1_745_408, 1_745_408)).toBe(0);
    expect(collisionProbability(2 ** 20, 2 ** 22)).toBeCloseTo((2 ** 20 * 3 * 2 ** 20) / 2 ** 64, 20);
  });
});

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
