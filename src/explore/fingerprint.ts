/**
 * 64-bit fingerprints of canonical encodings (TLC's fingerprint store, Stateright's `fingerprint()`).
 *
 * The hash is MurmurHash3_x86_128 (Austin Appleby, public domain), which works in 32-bit lanes with Math.imul and so
 * needs no BigInt; its four lanes are mixed into each other at the end, and we keep the first two words (h1, h2) as
 * the 64-bit fingerprint. Neither half is ever 0 (0 marks an empty slot in the store's tables): a zero half is
 * replaced by 1, which costs less than 2^-31 of the hash space.
 *
 * The hot path (`fingerprintInto`) writes the two halves into a caller-owned Uint32Array and allocates nothing;
 * `fingerprintOf` returns a branded bigint for tests, traces and messages.
 */

/** A 64-bit fingerprint as one bigint: `hi * 2^32 + lo`. Branded so that it cannot stand in for a count or an id. */
export type Fingerprint = bigint & { readonly __brand: 'Fingerprint' };

const SEED = 0x9747b28c;
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

/**
 * Hashes `bytes[start, end)` and writes the fingerprint to `out[0]` (lo) and `out[1]` (hi), both non-zero.
 * Deterministic on every platform (bytes are read explicitly little-endian).
 */
export function fingerprintInto(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
  murmurHash3x86x128(bytes, start, end, SEED, out);
  if (out[0] === 0) out[0] = 1;
  if (out[1] === 0) out[1] = 1;
}

/**
 * MurmurHash3_x86_128 of `bytes[start, end)` with `seed`: writes h1, h2 (and h3, h4 when `out` has room) as in the
 * reference implementation (checked against SMHasher's verification value in the tests).
 */
export function murmurHash3x86x128(bytes: Uint8Array, start: number, end: number, seed: number, out: Uint32Array): void {
  const len = end - start;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  let p = start;
  const blocksEnd = start + (len & ~15);
  while (p < blocksEnd) {
    let k1 = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    let k2 = bytes[p + 4]! | (bytes[p + 5]! << 8) | (bytes[p + 6]! << 16) | (bytes[p + 7]! << 24);
    let k3 = bytes[p + 8]! | (bytes[p + 9]! << 8) | (bytes[p + 10]! << 16) | (bytes[p + 11]! << 24);
    let k4 = bytes[p + 12]! | (bytes[p + 13]! << 8) | (bytes[p + 14]! << 16) | (bytes[p + 15]! << 24);
    p += 16;

    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    k2 = Math.imul(k2, C3);
    h2 ^= k2;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    k3 = Math.imul(k3, C4);
    h3 ^= k3;
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    k4 = Math.imul(k4, C1);
    h4 ^= k4;
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }

  // Tail: up to 15 bytes, lanes filled as in the reference implementation.
  const rem = end - p;
  if (rem > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let i = rem - 1; i >= 0; i--) {
      const b = bytes[p + i]!;
      if (i >= 12) k4 |= b << ((i - 12) * 8);
      else if (i >= 8) k3 |= b << ((i - 8) * 8);
      else if (i >= 4) k2 |= b << ((i - 4) * 8);
      else k1 |= b << (i * 8);
    }
    if (rem > 12) {
      k4 = Math.imul(k4, C4);
      k4 = (k4 << 18) | (k4 >>> 14);
      k4 = Math.imul(k4, C1);
      h4 ^= k4;
    }
    if (rem > 8) {
      k3 = Math.imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      k3 = Math.imul(k3, C4);
      h3 ^= k3;
    }
    if (rem > 4) {
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      k2 = Math.imul(k2, C3);
      h2 ^= k2;
    }
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  if (out.length >= 4) {
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    out[2] = h3;
    out[3] = h4;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * As fingerprintInto for `bytes[start, start + len)` when `words` is an Int32Array view on the same memory and
 * `start` is a multiple of 4: reads whole words, about twice as fast. Same result as fingerprintInto (on
 * big-endian machines it simply calls it).
 */
export function fingerprintWordsInto(words: Int32Array, bytes: Uint8Array, start: number, len: number, out: Uint32Array): void {
  if (!LITTLE_ENDIAN || (start & 3) !== 0) {
    fingerprintInto(bytes, start, start + len, out);
    return;
  }
  const w0 = start >>> 2;
  let h1 = SEED | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocks = len >>> 4;
  for (let b = 0; b < blocks; b++) {
    const w = w0 + (b << 2);
    let k1 = words[w]!;
    let k2 = words[w + 1]!;
    let k3 = words[w + 2]!;
    let k4 = words[w + 3]!;

    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    k2 = Math.imul(k2, C3);
    h2 ^= k2;
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    k3 = Math.imul(k3, C4);
    h3 ^= k3;
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    k4 = Math.imul(k4, C1);
    h4 ^= k4;
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const p = start + (blocks << 4);
  const rem = start + len - p;
  if (rem > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let i = rem - 1; i >= 0; i--) {
      const b = bytes[p + i]!;
      if (i >= 12) k4 |= b << ((i - 12) * 8);
      else if (i >= 8) k3 |= b << ((i - 8) * 8);
      else if (i >= 4) k2 |= b << ((i - 4) * 8);
      else k1 |= b << (i * 8);
    }
    if (rem > 12) {
      k4 = Math.imul(k4, C4);
      k4 = (k4 << 18) | (k4 >>> 14);
      k4 = Math.imul(k4, C1);
      h4 ^= k4;
    }
    if (rem > 8) {
      k3 = Math.imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      k3 = Math.imul(k3, C4);
      h3 ^= k3;
    }
    if (rem > 4) {
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      k2 = Math.imul(k2, C3);
      h2 ^= k2;
    }
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1 === 0 ? 1 : h1;
  out[1] = h2 === 0 ? 1 : h2;
}

const scratch = new Uint32Array(2);

/** The fingerprint of `bytes` as one bigint (allocates: not for the search's inner loop). */
export function fingerprintOf(bytes: Uint8Array): Fingerprint {
  fingerprintInto(bytes, 0, bytes.length, scratch);
  return ((BigInt(scratch[1]!) << 32n) | BigInt(scratch[0]!)) as Fingerprint;
}

/** The fingerprint `{lo, hi}` halves as one bigint (for messages and tests). */
export function joinFingerprint(lo: number, hi: number): Fingerprint {
  return ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) as Fingerprint;
}

/**
 * TLC's estimate of the probability that a fingerprint collision hid a state: n·(g−n)/2^64 for `distinct` states
 * found out of `generated` successor states computed (TLC's "calculated (optimistic)" figure).
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
