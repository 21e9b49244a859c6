import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { searchBfs } from '../../src/explore/bfs.ts';
import { specFromExport } from '../../src/explore/loadModel.ts';
import { ModelRunError } from '../../src/explore/errors.ts';
import type { SearchResult } from '../../src/explore/types.ts';
import { chain, dieHard, fan, grid, tokens, twoPhase, twoPhaseCommitReached } from './fixtures/specs.ts';

const events = <S, A>(r: SearchResult<S, A>, inv: string, fmt: (a: A) => string = String) =>
  r.verdict === 'VIOLATED' ? r.violations.find((v) => v.invariant === inv)?.trace.steps.map((s) => fmt(s.action)) : undefined;

describe('searchBfs: pinned state spaces', () => {
  it("TwoPhase: TLC's and Stateright's counts (288, 1568, 8832 for 3, 4, 5 resource managers)", async () => {
    const pinned = [
      [3, 288, 1145, 10],
      [4, 1568, 8257, 13],
      [5, 8832, 58145, 16],
    ] as const;
    for (const [n, states, transitions, depth] of pinned) {
      const r = await searchBfs(twoPhase(n));
      expect(r.verdict).toBe('HOLDS');
      expect([r.distinctStates, r.transitions, r.maxDepth, r.exhaustive]).toEqual([states, transitions, depth, true]);
    }
  });

  it('DieHard: 16 states, the shortest solution has 6 steps', async () => {
    const r = await searchBfs(dieHard());
    expect(r.verdict).toBe('VIOLATED');
    expect(r.distinctStates).toBe(16);
    expect(events(r, 'notFour')).toEqual(['FillBig', 'BigToSmall', 'EmptySmall', 'BigToSmall', 'FillBig', 'BigToSmall']);
    if (r.verdict !== 'VIOLATED') return;
    const t = r.violations[0]!.trace;
    expect(t.init).toEqual({ small: 0, big: 0 });
    expect(t.steps.map((s) => s.state.big)).toEqual([5, 2, 2, 0, 5, 4]);
  });

  it('reports each violated invariant with its own shortest trace, in the spec order', async () => {
    const r = await searchBfs(twoPhaseCommitReached(3));
    expect(r.verdict).toBe('VIOLATED');
    if (r.verdict !== 'VIOLATED') return;
    expect(r.violations.map((v) => [v.invariant, v.trace.steps.length])).toEqual([
      ['noneCommitted', 8],
      ['allWorking', 1],
    ]);
    // Breadth-first order is (frontier index, action index): the first enabled action that breaks it.
    expect(r.violations[1]!.trace.steps[0]!.action).toEqual({ type: 'RMPrepare', rm: 0 });
    // It kept going to find the other violation, and the rest of the space: the counts are the full ones.
    expect(r.distinctStates).toBe(288);
  });

  it('grid: the corner is w+h-2 steps away; right moves come first (action order)', async () => {
    const r = await searchBfs(grid(4, 3));
    expect(r.distinctStates).toBe(12);
    expect(events(r, 'notCorner')).toEqual(['right', 'right', 'right', 'up', 'up']);
  });
});

describe('searchBfs: deadlocks and final states', () => {
  it('reports a stuck non-final state as invariant deadlock, with its trace', async () => {
    const r = await searchBfs(chain(5));
    expect(r.verdict).toBe('VIOLATED');
    expect(events(r, 'deadlock')).toEqual(['next', 'next', 'next', 'next', 'next']);
    if (r.verdict === 'VIOLATED') expect(r.violations[0]!.trace.steps.at(-1)!.state).toBe(5);
  });

  it('a final state is never a deadlock', async () => {
    const r = await searchBfs(chain(5, true));
    expect(r.verdict).toBe('HOLDS');
    expect([r.distinctStates, r.transitions, r.maxDepth]).toEqual([6, 5, 5]);
  });

  it('checkDeadlock: false ignores stuck states', async () => {
    expect((await searchBfs(chain(5, false, false))).verdict).toBe('HOLDS');
  });
});

describe('searchBfs: bounds are INCOMPLETE, never HOLDS', () => {
  it('maxStates keeps exactly the first N states in breadth-first order', async () => {
    const r = await searchBfs(twoPhase(4), { maxStates: 1000 });
    expect(r.verdict).toBe('INCOMPLETE');
    if (r.verdict !== 'INCOMPLETE') return;
    expect(r.bound.kind).toBe('states');
    expect(r.bound.limit).toBe(1000);
    expect(r.distinctStates).toBe(1000);
    expect(r.exhaustive).toBe(false);
    // The same bound gives the same figures every time.
    const again = await searchBfs(twoPhase(4), { maxStates: 1000 });
    expect([again.distinctStates, again.transitions, again.maxDepth]).toEqual([r.distinctStates, r.transitions, r.maxDepth]);
  });

  it('maxStates equal to the space size still says INCOMPLETE only when more states exist', async () => {
    expect((await searchBfs(twoPhase(3), { maxStates: 288 })).verdict).toBe('HOLDS');
    expect((await searchBfs(twoPhase(3), { maxStates: 287 })).verdict).toBe('INCOMPLETE');
  });

  it('maxDepth: INCOMPLETE when deeper states exist, HOLDS when the bound is the diameter', async () => {
    const cut = await searchBfs(twoPhase(3), { maxDepth: 4 });
    expect(cut.verdict).toBe('INCOMPLETE');
    if (cut.verdict === 'INCOMPLETE') expect(cut.bound.kind).toBe('depth');
    expect(cut.maxDepth).toBe(4);
    const full = await searchBfs(twoPhase(3), { maxDepth: 10 });
    expect(full.verdict).toBe('HOLDS');
    expect(full.distinctStates).toBe(288);
  });

  it('a model module bound applies when the caller gives none, and the caller wins', async () => {
    const spec = { ...twoPhase(3), bounds: { maxStates: 100 } };
    expect((await searchBfs(spec)).distinctStates).toBe(100);
    expect((await searchBfs(spec, { maxStates: 200 })).distinctStates).toBe(200);
  });

  it('a violation found before the bound is still reported (VIOLATED, with the bound)', async () => {
    const r = await searchBfs(twoPhaseCommitReached(3), { maxDepth: 3 });
    expect(r.verdict).toBe('VIOLATED');
    if (r.verdict !== 'VIOLATED') return;
    expect(r.violations.map((v) => v.invariant)).toEqual(['allWorking']);
    expect(r.bound?.kind).toBe('depth');
  });

  it('memory: a bound too small for the table stops with bound memory', async () => {
    const r = await searchBfs(twoPhase(5), { maxMemoryBytes: 200_000 });
    expect(r.verdict).toBe('INCOMPLETE');
    if (r.verdict === 'INCOMPLETE') expect(r.bound.kind).toBe('memory');
    expect(r.distinctStates).toBeLessThan(8832);
  });

  it('a stop requested through onProgress is INCOMPLETE with bound time', async () => {
    let calls = 0;
    const r = await searchBfs(twoPhase(5), { onProgress: () => (++calls > 3 ? { stop: 'time' } : undefined) });
    expect(r.verdict).toBe('INCOMPLETE');
    if (r.verdict === 'INCOMPLETE') expect(r.bound.kind).toBe('time');
    expect(calls).toBe(4);
  });
});

describe('searchBfs: storage', () => {
  it('exact and fingerprint modes agree on counts and traces', async () => {
    for (const spec of [twoPhaseCommitReached(4), dieHard(), fan(3000)] as const) {
      const f = await searchBfs<unknown, unknown>(spec as never);
      const e = await searchBfs<unknown, unknown>(spec as never, { exact: true });
      expect(e.mode).toBe('exact');
      expect(f.mode).toBe('fingerprint');
      expect(e.collisionProbability).toBe(0);
      expect({ ...e, mode: 'x', bytesPerState: 0, peakMemoryBytes: 0, collisionProbability: 0 }).toEqual({
        ...f,
        mode: 'x',
        bytesPerState: 0,
        peakMemoryBytes: 0,
        collisionProbability: 0,
      });
    }
  });

  it('grows its table and arena in the middle of a level without losing or duplicating states', async () => {
    // 20,001 states at depth 1 from one state: the first level overflows the initial 1,024-slot table many times.
    const r = await searchBfs(fan(20_000));
    expect([r.distinctStates, r.transitions, r.maxDepth]).toEqual([40_001, 40_000, 2]);
    expect(events(r, 'notLast', (a) => `a${a}`)).toEqual(['a19999', 'a0']);
  });

  it("reports TLC's collision estimate and the bytes per stored state", async () => {
    const r = await searchBfs(twoPhase(5));
    expect(r.collisionProbability).toBeCloseTo((8832 * (58145 + 1 - 8832)) / 2 ** 64, 25);
    expect(r.bytesPerState).toBeGreaterThan(8);
    expect(r.bytesPerState).toBeLessThan(100);
  });
});

describe('searchBfs: symmetry (representative)', () => {
  it('explores one state per symmetry class', async () => {
    expect((await searchBfs(tokens(3, 2, false))).distinctStates).toBe(27);
    expect((await searchBfs(tokens(3, 2, true))).distinctStates).toBe(10);
    // TwoPhase with 5 RMs has 314 orbits under permutations of the RMs (checked by brute force). Stateright's
    // 2pc example reports 665 because its representative sorts by rm_state only, which is not canonical.
    expect((await searchBfs(twoPhase(5, true))).distinctStates).toBe(314);
    expect((await searchBfs(twoPhase(5, true), { symmetry: false })).distinctStates).toBe(8832);
  });

  it('still gives a concrete shortest trace (a real behaviour, not representatives)', async () => {
    const r = await searchBfs(tokens(3, 2, true));
    expect(r.verdict).toBe('VIOLATED');
    if (r.verdict !== 'VIOLATED') return;
    const t = r.violations[0]!.trace;
    expect(t.steps.length).toBe(6);
    let s = t.init;
    for (const step of t.steps) {
      expect(step.state).toEqual(s.map((v, j) => (j === step.action ? v + 1 : v)));
      s = step.state;
    }
    expect(s).toEqual([2, 2, 2]);
  });
});

describe('searchBfs: model errors', () => {
  it('an invariant that throws stops the search with the trace to the state', async () => {
    const spec = { ...chain(5), invariants: { boom: (s: number) => (s === 3 ? (() => { throw new Error('bad state'); })() : true) } };
    const err = await searchBfs(spec).catch((e: unknown) => e);
    expect(ModelRunError.isModelRunError(err)).toBe(true);
    const e = err as ModelRunError<number, string>;
    expect(e.during).toBe('invariant boom');
    expect(e.modelMessage).toBe('bad state');
    expect(e.trace?.steps.map((s) => s.state)).toEqual([1, 2, 3]);
    expect(e.message).toBe('the model threw in invariant boom at depth 3: bad state');
  });

  it('a reserved invariant name is refused', async () => {
    await expect(searchBfs({ ...chain(2), invariants: { deadlock: () => true } })).rejects.toThrow(/reserved/);
  });
});

describe('searchBfs on compiled XState machines', () => {
  it('a top-level final state is never a deadlock; a stuck non-final state is', async () => {
    const machine = createMachine({ initial: 'a', states: { a: { on: { go: 'done', stall: 'stuck' } }, done: { type: 'final' }, stuck: {} } });
    const spec = await specFromExport({ machine, events: [{ type: 'go' }, { type: 'stall' }], invariants: {} }, '/m.ts');
    const r = await searchBfs(spec);
    expect(r.verdict).toBe('VIOLATED');
    if (r.verdict !== 'VIOLATED') return;
    expect(r.violations.map((v) => [v.invariant, v.trace.steps.map((s) => (s.action as { type: string }).type)])).toEqual([['deadlock', ['stall']]]);
    expect(r.distinctStates).toBe(3);
  });

  it('options.canonicalize reduces the state space, and the trace stays a real behaviour', async () => {
    const { default: lock } = await import('./fixtures/modules/naiveLock.model.ts');
    type LockState = { value: { p1: string; p2: string }; context: { locked: boolean } };
    // The two processes are interchangeable: order the pair of their states.
    const canonicalize = (s: LockState) => (s.value.p1 <= s.value.p2 ? s : { value: { p1: s.value.p2, p2: s.value.p1 }, context: s.context });
    const plain = await searchBfs(await specFromExport(lock, '/lock.ts'));
    const sym = await searchBfs(await specFromExport({ ...lock, options: { canonicalize } }, '/lock.ts'));
    expect(plain.distinctStates).toBe(13);
    // 13 states, 3 of them symmetric in themselves (both idle, both checked, both critical): (13 + 3) / 2 classes.
    expect(sym.distinctStates).toBe(8);
    expect(sym.verdict).toBe('VIOLATED');
    if (sym.verdict !== 'VIOLATED') return;
    const t = sym.violations[0]!.trace;
    expect(t.steps.length).toBe(4);
    expect(t.steps.map((s) => (s.action as { type: string }).type)).toEqual(['check', 'check', 'acquire', 'acquire']);
    expect((t.steps.at(-1)!.state as unknown as LockState).value).toEqual({ p1: 'critical', p2: 'critical' });
  });
});
