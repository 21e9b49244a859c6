/**
 * The byte buffers behind model.ts's ByteSink / ByteSource: one growable buffer that every encoder of a search
 * reuses (so encoding a state allocates nothing once the buffer is warm), and a reader over any byte range.
 *
 * WIRE FORM (what makes an encoding canonical: each value has exactly one byte form)
 * - `u32` is an unsigned LEB128 varint in its minimal form (1 byte below 128, at most 5).
 * - `f64` is 8 bytes, little-endian IEEE 754, written as given (canonical.ts picks one form for -0 and NaN).
 * - `string` is its UTF-16 length as a varint, then each code unit as a varint (ASCII: one byte each). Code units,
 *   not UTF-8, so that two strings that differ only in lone surrogates never encode alike.
 * - `bytes` is raw: the reader is told the count.
 */
import type { ByteSink, ByteSource } from './model.ts';

const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer);

/** A growable byte buffer implementing ByteSink. `reset()` between encodings; `view()` is valid until the next write. */
export class ByteBuffer implements ByteSink {
  /** The backing store; replaced (never shrunk) when it grows, so read it after writing. */
  buf: Uint8Array;
  /** An Int32Array view on `buf` (whole-word reads for hashing; its last word may hold stale bytes). */
  words: Int32Array;
  /** Bytes written since the last reset. */
  length = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, (initialCapacity + 3) & ~3));
    this.words = new Int32Array(this.buf.buffer);
  }

  /** Forget what was written; keeps the capacity. */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far (a view on the backing store: copy it to keep it past the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the bytes written so far. */
  copy(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.words = new Int32Array(next.buffer);
  }

  u8(v: number): void {
    if (this.length >= this.buf.length) this.reserve(1);
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number): void {
    if (this.length + 5 > this.buf.length) this.reserve(5);
    const buf = this.buf;
    let p = this.length;
    let x = v >>> 0;
    while (x >= 0x80) {
      buf[p++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    buf[p++] = x;
    this.length = p;
  }

  f64(v: number): void {
    if (this.length + 8 > this.buf.length) this.reserve(8);
    f64Scratch[0] = v;
    this.buf.set(f64Bytes, this.length);
    this.length += 8;
  }

  /** Writes `v`, or its first `n` bytes. */
  bytes(v: Uint8Array, n = v.length): void {
    this.reserve(n);
    const buf = this.buf;
    const at = this.length;
    // Short runs (cached encodings of parts of a state) are the common case: a loop beats set() there.
    if (n <= 64) for (let i = 0; i < n; i++) buf[at + i] = v[i]!;
    else buf.set(n === v.length ? v : v.subarray(0, n), at);
    this.length = at + n;
  }

  string(v: string): void {
    const n = v.length;
    // Worst case: 5 bytes of length and 3 per code unit.
    if (this.length + 5 + 3 * n > this.buf.length) this.reserve(5 + 3 * n);
    this.u32(n);
    const buf = this.buf;
    let p = this.length;
    for (let i = 0; i < n; i++) {
      let c = v.charCodeAt(i);
      while (c >= 0x80) {
        buf[p++] = (c & 0x7f) | 0x80;
        c >>>= 7;
      }
      buf[p++] = c;
    }
    this.length = p;
  }
}

/** Reads what a ByteBuffer wrote, from `start` up to `end`; throws on reading past `end` (a corrupt encoding). */
export class ByteReader implements ByteSource {
  /** Next byte to read. */
  pos: number;

  buf: Uint8Array;
  /** One past the last byte of the encoding. */
  end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Points the reader at `buf[start, end)` (reused across the states of a search: no allocation). */
  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** True when every byte up to `end` was read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new RangeError('ByteReader: read past the end of the encoding');
    return this.buf[this.pos++]!;
  }

  u32(): number {
    const buf = this.buf;
    let p = this.pos;
    let x = 0;
    let shift = 0;
    for (;;) {
      if (p >= this.end) throw new RangeError('ByteReader: read past the end of the encoding');
      const b = buf[p++]!;
      x += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return x >>> 0;
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new RangeError('ByteReader: read past the end of the encoding');
    for (let i = 0; i < 8; i++) f64Bytes[i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return f64Scratch[0]!;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new RangeError('ByteReader: read past the end of the encoding');
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.u32();
    if (n === 0) return '';
    const buf = this.buf;
    let p = this.pos;
    const end = this.end;
    // Short ASCII strings (state names, enum-like context fields) are the common case: no array, no varints.
    if (n <= 16 && p + n <= end) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (buf[p + i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        let s = '';
        for (let i = 0; i < n; i++) s += String.fromCharCode(buf[p + i]!);
        this.pos = p + n;
        return s;
      }
    }
    const units = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      let shift = 0;
      for (;;) {
        if (p >= end) throw new RangeError('ByteReader: read past the end of the encoding');
        const b = buf[p++]!;
        c |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
      }
      units[i] = c;
    }
    this.pos = p;
    let s = '';
    for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, units.slice(i, i + 8192));
    return s;
  }
}
