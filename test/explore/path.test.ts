import { describe, expect, it } from 'vitest';
import { pathIndexes, rebuildTrace, replayIndexes } from '../../src/explore/path.ts';
import { NO_PARENT, StateLinks } from '../../src/explore/store.ts';
import { dieHardModel } from './fixtures/dieHardModel.ts';
import { tokensModel } from './fixtures/counterModel.ts';

describe('rebuildTrace', () => {
  it('follows parent links back to the initial state and replays the actions', () => {
    const links = new StateLinks();
    links.push(NO_PARENT, 0); // 0: init
    links.push(0, 1); // 1: FillBig
    links.push(1, 5); // 2: BigToSmall
    expect(pathIndexes(links, 2)).toEqual([0, 1, 5]);
    const { trace, warning } = rebuildTrace(dieHardModel(), links, 2, false);
    expect(warning).toBeUndefined();
    expect(trace.init).toEqual({ small: 0, big: 0 });
    expect(trace.steps).toEqual([
      { action: 'FillBig', state: { small: 0, big: 5 } },
      { action: 'BigToSmall', state: { small: 3, big: 2 } },
    ]);
  });

  it('refuses a path whose action is not enabled (a non-deterministic model)', () => {
    expect(() => replayIndexes(tokensModel(2, 1, false), [0, 0, 0], false)).toThrow(/not enabled/);
  });

  it('with symmetry, replays concrete states whose representatives match the stored ones', () => {
    const m = tokensModel(3, 2, true);
    // Stored path over representatives [0,0,0] -inc(0)-> [0,0,1] -inc(0)-> [0,1,1]: the sorted forms.
    const { trace, warning } = replayIndexes(m, [0, 0, 0], true);
    expect(warning).toBeUndefined();
    expect(trace.steps.map((s) => s.action)).toEqual([0, 1]);
    expect(trace.steps.map((s) => s.state)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
    ]);
  });

  it('says so when the representative is not a symmetry of the model', () => {
    const m = tokensModel(2, 2, false);
    // Not a symmetry: [1, x] is "represented" by [1, 2], whose successors no concrete [1, 0] successor matches.
    m.representative = (s) => (s[0] === 1 ? [1, 2] : s);
    const { trace, warning } = replayIndexes(m, [0, 0, 0], true);
    expect(warning).toMatch(/no concrete successor matches the stored representative at depth 2/);
    expect(trace.steps.map((s) => s.state)).toEqual([[1, 0], [2, 2]]);
  });
});
