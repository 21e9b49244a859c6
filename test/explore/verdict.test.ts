import { describe, expect, it } from 'vitest';
import { searchBfs } from '../../src/explore/bfs.ts';
import { formatSearchReport, formatTrace, searchReportJson, stateJson, toJson } from '../../src/explore/verdict.ts';
import { dieHardModel } from './fixtures/dieHardModel.ts';
import { dieHard, twoPhase } from './fixtures/specs.ts';

describe('toJson / stateJson', () => {
  it('makes states JSON-safe: bigints as decimal strings, Map and Set as arrays, undefined as null', () => {
    expect(toJson({ a: 2n ** 64n - 1n, m: new Map([[1n, 'x']]), s: new Set([1]), u: undefined, n: NaN, l: [undefined] })).toEqual({
      a: '18446744073709551615',
      m: [['1', 'x']],
      s: [1],
      u: null,
      n: null,
      l: [null],
    });
    expect(JSON.stringify(toJson({ a: 1n }))).toBe('{"a":"1"}');
  });

  it('shows a machine state as its value and context only', () => {
    expect(stateJson({ value: { a: 'x' }, context: { n: 1n }, config: { big: 'internal' } })).toEqual({ value: { a: 'x' }, context: { n: '1' } });
    expect(stateJson({ small: 3, big: 0 })).toEqual({ small: 3, big: 0 });
  });
});

describe('searchReportJson', () => {
  it('carries the verdict, counts and each violation with events and states (one more state than events)', async () => {
    const r = await searchBfs(dieHard());
    const j = searchReportJson(r, { seconds: 0.5 });
    expect(j).toMatchObject({ verdict: 'VIOLATED', distinctStates: 16, transitions: 96, maxDepth: 7, mode: 'fingerprint', workers: 1, statesPerSecond: 32 });
    expect(j.violations[0]!.trace).toEqual(['FillBig', 'BigToSmall', 'EmptySmall', 'BigToSmall', 'FillBig', 'BigToSmall']);
    expect(j.violations[0]!.states).toHaveLength(7);
    expect(j.violations[0]!.states[6]).toEqual({ small: 3, big: 4 });
    expect(j.bound).toBeUndefined();
  });

  it('gives the bound of an INCOMPLETE search', async () => {
    const j = searchReportJson(await searchBfs(twoPhase(3), { maxDepth: 2 }), { seconds: 1 });
    expect(j.verdict).toBe('INCOMPLETE');
    expect(j.bound).toMatchObject({ kind: 'depth', limit: 2 });
  });
});

describe('formatSearchReport / formatTrace', () => {
  it('prints the first state in full and then what each event changed', () => {
    const lines = formatTrace(
      { init: { small: 0, big: 0 }, steps: [{ action: 'FillBig', state: { small: 0, big: 5 } }, { action: 'EmptySmall', state: { small: 0, big: 5 } }] },
      dieHardModel(),
    );
    expect(lines).toEqual(['  0. initial state', '       small = 0', '       big = 0', '  1. FillBig', '       big: 0 -> 5', '  2. EmptySmall', '       (no change)']);
  });

  it('is the same text for the same result, timing aside', async () => {
    const a = formatSearchReport(await searchBfs(dieHard()), dieHardModel(), { seconds: 1 }, 'm.ts');
    const b = formatSearchReport(await searchBfs(dieHard()), dieHardModel(), { seconds: 1 }, 'm.ts');
    expect(a).toBe(b);
    expect(a.split('\n')[0]).toBe('m.ts: VIOLATED: notFour');
    expect(a).toContain('notFour: violated; shortest trace, 6 events:');
  });
});
