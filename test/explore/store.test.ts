import { describe, expect, it } from 'vitest';
import { ARENA_FULL, Arena, FingerprintTable, NO_KEY, NO_PARENT, StateLinks, TABLE_FULL } from '../../src/explore/store.ts';

const enc = (...b: number[]) => new Uint8Array(b);

describe('FingerprintTable', () => {
  it('inserts a fingerprint once, finds it after, and gives the new state its key and arena entry', () => {
    const t = FingerprintTable.create(16, false, false);
    const a = Arena.create(256, false);
    const s = t.insert(5, 7, 3, enc(1, 2, 3), 0, 3, a);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(t.keyAt(s)).toBe(3);
    expect(a.lengthAt(t.lastOffset)).toBe(3);
    expect([...a.bytes.subarray(t.lastOffset + 4, t.lastOffset + 7)]).toEqual([1, 2, 3]);
    expect(t.insert(5, 7, 9, enc(1, 2, 3), 0, 3, a)).toBe(-(s + 1));
    expect(t.find(5, 7, enc(), 0, 0, a)).toBe(s);
    expect(t.find(5, 8, enc(), 0, 0, a)).toBe(-1);
    expect(t.used).toBe(1);
  });

  it('keeps the smallest claim key, and never claims a state of an earlier level', () => {
    const t = FingerprintTable.create(16, false, false);
    const a = Arena.create(256, false);
    const s = t.insert(1, 1, 10, enc(0), 0, 1, a);
    expect(t.claim(s, 12)).toBe(false);
    expect(t.claim(s, 4)).toBe(true);
    expect(t.claim(s, 4)).toBe(false);
    expect(t.keyAt(s)).toBe(4);
    t.setKey(s, NO_KEY);
    expect(t.claim(s, 0)).toBe(false);
  });

  it('in exact mode keeps two states whose fingerprints collide, and counts the collision', () => {
    const t = FingerprintTable.create(16, false, true);
    const a = Arena.create(256, false);
    const x = t.insert(9, 9, 0, enc(1, 1), 0, 2, a);
    const y = t.insert(9, 9, 0, enc(2, 2), 0, 2, a);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y).not.toBe(x);
    expect(t.insert(9, 9, 0, enc(2, 2), 0, 2, a)).toBe(-(y + 1));
    expect(t.find(9, 9, enc(1, 1), 0, 2, a)).toBe(x);
    expect(t.collisions).toBe(1);
    // Fingerprint mode cannot tell them apart: the second is taken for the first.
    const f = FingerprintTable.create(16, false, false);
    const fx = f.insert(9, 9, 0, enc(1, 1), 0, 2, a);
    expect(f.insert(9, 9, 0, enc(2, 2), 0, 2, a)).toBe(-(fx + 1));
  });

  it('refuses an insert past its hard limit instead of filling up, and leaves the table as it was', () => {
    const t = FingerprintTable.create(16, false, false);
    const a = Arena.create(4096, false);
    let k = 1;
    while (t.used < t.hardLimit) expect(t.insert(k, k++, 0, enc(1), 0, 1, a)).toBeGreaterThanOrEqual(0);
    const used = t.used;
    expect(t.insert(k, k, 0, enc(1), 0, 1, a)).toBe(TABLE_FULL);
    expect(t.used).toBe(used);
  });

  it('refuses an insert when the arena is full, leaving the table untouched', () => {
    const t = FingerprintTable.create(16, false, false);
    const a = Arena.create(64, false);
    expect(t.insert(1, 1, 0, new Uint8Array(50), 0, 50, a)).toBeGreaterThanOrEqual(0);
    expect(t.insert(2, 2, 0, new Uint8Array(50), 0, 50, a)).toBe(ARENA_FULL);
    expect(t.used).toBe(1);
    expect(t.find(2, 2, enc(), 0, 0, a)).toBe(-1);
    expect(a.used).toBe(54);
  });

  it('rehashes into a bigger table keeping keys, offsets and a map of the slots', () => {
    const t = FingerprintTable.create(16, false, true);
    const a = Arena.create(4096, false);
    const slots: number[] = [];
    for (let k = 1; k <= 10; k++) slots.push(t.insert(k * 7919, k, k, enc(k), 0, 1, a));
    const { table: big, slotMap } = t.rehashed(64, false, true);
    expect(big.used).toBe(10);
    for (let k = 1; k <= 10; k++) {
      const s = big.find(k * 7919, k, enc(k), 0, 1, a);
      expect(s).toBe(slotMap![slots[k - 1]!]);
      expect(big.keyAt(s)).toBe(k);
    }
  });

  it('checks its capacity', () => {
    expect(() => FingerprintTable.create(100, false, false)).toThrow(/power of two/);
  });
});

describe('Arena', () => {
  it('appends length-prefixed entries and grows keeping offsets', () => {
    const a = Arena.create(64, false);
    const o1 = a.append(enc(1, 2, 3, 4, 5), 1, 3);
    const big = new Uint8Array(200).map((_, i) => i);
    expect(a.append(big, 0, 200)).toBe(ARENA_FULL);
    const g = a.grownTo(1024, false);
    const o2 = g.append(big, 0, 200);
    expect(g.lengthAt(o1)).toBe(3);
    expect([...g.bytes.subarray(o1 + 4, o1 + 7)]).toEqual([2, 3, 4]);
    expect(g.lengthAt(o2)).toBe(200);
    expect(g.bytes[o2 + 4 + 199]).toBe(199);
    expect(g.used).toBe(o2 + 204);
    g.clear();
    expect(g.used).toBe(0);
  });
  it('promises room before writing: a reservation counts against the capacity until it is written or given back', () => {
    const a = Arena.create(64, true);
    expect(a.reserve(50)).toBe(true); // another thread's insert, in flight
    expect(a.inFlight()).toBe(true);
    expect(a.reserve(20)).toBe(false);
    expect(a.used).toBe(0);
    a.release(50); // it lost its slot: the arena holds only stored states' encodings
    expect(a.inFlight()).toBe(false);
    expect(a.reserve(20)).toBe(true);
    const off = a.write(new Uint8Array(20).fill(7), 0, 20);
    expect([off, a.used, a.inFlight(), a.lengthAt(off)]).toEqual([0, 24, false, 20]);
    expect(a.grownTo(128, true).reserve(100)).toBe(true);
  });
});

describe('StateLinks', () => {
  it('grows and truncates', () => {
    const l = new StateLinks(2);
    expect(l.push(NO_PARENT, 0)).toBe(0);
    for (let i = 1; i < 100; i++) l.push(i - 1, i % 3);
    expect(l.length).toBe(100);
    expect(l.parent[99]).toBe(98);
    expect(l.action[99]).toBe(0);
    l.truncate(10);
    expect(l.length).toBe(10);
  });
});
