import { describe, expect, it } from 'vitest';
import type { LevelOutput } from '../../src/explore/expand.ts';
import { mergeLevel } from '../../src/explore/merge.ts';
import { FingerprintTable, NO_KEY } from '../../src/explore/store.ts';

function output(claims: number[], inserts: number[]): LevelOutput {
  return {
    claims: Int32Array.from(claims),
    claimCount: claims.length,
    inserts: Int32Array.from(inserts),
    insertCount: inserts.length,
    violations: new Int32Array(1).fill(-1),
    transitions: 0,
    sawNew: false,
    abort: 0,
  };
}

describe('mergeLevel', () => {
  it('orders new states by their smallest (frontier index, action index), whichever thread found them', () => {
    const t = FingerprintTable.create(16, false, false);
    // Slots 1, 2, 3 are new; their final keys (smallest reaching frontier index) are 5, 0, 5.
    t.setKey(1, 5);
    t.setKey(2, 0);
    t.setKey(3, 5);
    // Thread A expanded indexes 0 and 5 (claims of one index in action order); thread B expanded index 7 and
    // inserted slot 1 first, then lost it to A's smaller index.
    const a = output([2, 0, 1, 3, 5, 0, 1, 5, 2], [2, 100, 3, 300]);
    const b = output([1, 7, 4], [1, 200]);
    const m = mergeLevel([b, a], t, 6, (n) => new Int32Array(n));
    expect(m.count).toBe(3);
    expect([...m.parent]).toEqual([0, 5, 5]);
    expect([...m.action]).toEqual([1, 0, 2]);
    expect([...m.offsets]).toEqual([100, 300, 200]);
    expect([t.keyAt(1), t.keyAt(2), t.keyAt(3)]).toEqual([NO_KEY, NO_KEY, NO_KEY]);
  });

  it('detects a corrupted store (a new state without a winning claim)', () => {
    const t = FingerprintTable.create(16, false, false);
    t.setKey(1, 3);
    expect(() => mergeLevel([output([1, 2, 0], [1, 10])], t, 4, (n) => new Int32Array(n))).toThrow(/corrupted/);
  });
});
