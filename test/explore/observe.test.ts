import { describe, expect, it } from 'vitest';
import { CoverageAccumulator, StepRecorder } from '../../src/explore/observe.ts';

describe('StepRecorder', () => {
  it('counts hits and keeps the first (index, action) per item in a level', () => {
    const r = new StepRecorder();
    r.index = 3;
    r.action = 1;
    r.transition(2);
    r.guard(0, false);
    r.index = 5;
    r.action = 0;
    r.transition(2);
    r.enter(7);
    const l = r.take();
    expect([...l.transitions.hits.subarray(0, 3)]).toEqual([0, 0, 2]);
    expect([l.transitions.firstIndex[2], l.transitions.firstAction[2]]).toEqual([3, 1]);
    expect(l.guards.hits[0]).toBe(1);
    expect(l.guards.hits[1]).toBe(0);
    expect(l.states.size).toBe(8);
    expect(r.take().transitions.size).toBe(0);
  });

  it('rolls back the hits of a state cut short', () => {
    const r = new StepRecorder();
    r.index = 1;
    r.begin();
    r.transition(0);
    r.begin();
    r.index = 2;
    r.transition(0);
    r.transition(1);
    r.rollback();
    const l = r.take();
    expect(l.transitions.hits[0]).toBe(1);
    expect(l.transitions.hits[1]).toBe(0);
    expect(l.transitions.firstIndex[0]).toBe(1);
    expect(l.transitions.firstIndex[1]).toBe(-1);
  });
});

describe('CoverageAccumulator', () => {
  it('sums hits over threads and keeps the smallest (index, action) as the witness, once', () => {
    const a = new StepRecorder();
    const b = new StepRecorder();
    a.index = 4;
    a.action = 0;
    a.transition(0);
    b.index = 2;
    b.action = 3;
    b.transition(0);
    b.index = 2;
    b.action = 1;
    b.transition(1);
    const acc = new CoverageAccumulator();
    acc.addLevel([a.take(), b.take()], 100);
    expect(acc.kinds.transitions.hits).toEqual([2, 1]);
    expect(acc.kinds.transitions.witnessState).toEqual([102, 102]);
    expect(acc.kinds.transitions.witnessAction).toEqual([3, 1]);
    // A later level adds hits but keeps the earlier (shorter) witness.
    a.index = 0;
    a.action = 0;
    a.transition(0);
    acc.addLevel([a.take()], 200);
    expect(acc.kinds.transitions.hits).toEqual([3, 1]);
    expect(acc.kinds.transitions.witnessState[0]).toBe(102);
  });
});
