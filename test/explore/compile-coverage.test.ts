/**
 * compile.ts's coverage hooks (issue 7): the static universe tables (state nodes, transition definitions, guards)
 * and what initStates / nextState report to a StepObserver — states entered (including one only an eventless
 * transition reaches, a nested final state, parallel regions), transitions taken (including done-event ones) and
 * guard outcomes (including in a step that turns out not to be enabled).
 */
import { setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import { compileMachine } from '../../src/explore/compile.ts';
import type { StepObserver } from '../../src/explore/model.ts';

describe('coverage: universe tables and observer calls', () => {
  const machine = setup({ guards: { never: () => false } }).createMachine({
    id: 'cov',
    initial: 'start',
    context: { ok: true },
    states: {
      start: { always: { guard: ({ context }) => context.ok, target: 'work' } },
      work: {
        initial: 'w1',
        states: { w1: { on: { FIN: 'w2', NEVER: { guard: 'never', target: 'w2' } } }, w2: { type: 'final' } },
        onDone: 'par',
      },
      par: { type: 'parallel', states: { l: { initial: 'l1', states: { l1: {} } }, r: { initial: 'r1', states: { r1: {} } } } },
      h: { type: 'history' },
    },
  });
  const c = compileMachine(machine);
  const record = () => {
    const log: string[] = [];
    const obs: StepObserver = {
      enter: (i) => log.push(`enter ${c.stateNodes[i]!.id}`),
      transition: (i) => log.push(`take ${c.transitions[i]!.sourceId} ${c.transitions[i]!.event ?? 'always'}`),
      guard: (i, v) => log.push(`guard ${c.guards[i]!.description} ${v}`),
    };
    return { log, obs };
  };

  it('lists every state node with its kind, the root and history nodes marked', () => {
    expect(c.stateNodes.map((n) => `${n.index} ${n.id} ${n.kind}${n.root ? ' root' : ''} ^${n.parent}`)).toEqual([
      '0 cov compound root ^-1',
      '1 cov.start atomic ^0',
      '2 cov.work compound ^0',
      '3 cov.work.w1 atomic ^2',
      '4 cov.work.w2 final ^2',
      '5 cov.par parallel ^0',
      '6 cov.par.l compound ^5',
      '7 cov.par.l.l1 atomic ^6',
      '8 cov.par.r compound ^5',
      '9 cov.par.r.r1 atomic ^8',
      '10 cov.h history ^0',
    ]);
  });

  it('lists every transition definition (on, onDone, always) with guard and targets', () => {
    expect(c.transitions.map((t) => `${t.index} ${t.sourceId} ${t.event ?? 'always'} [${t.guard ?? ''}] -> ${t.targets.join(',')}`)).toEqual([
      '0 cov.start always [guard] -> cov.work',
      '1 cov.work xstate.done.state.cov.work [] -> cov.par',
      '2 cov.work.w1 FIN [] -> cov.work.w2',
      '3 cov.work.w1 NEVER [never] -> cov.work.w2',
    ]);
    expect(c.guards.map((g) => `${g.index} t${g.transition} ${g.description}`)).toEqual(['0 t0 guard', '1 t3 never']);
  });

  it('reports the initial macrostep: states entered (the state only an eventless transition reaches), guard, transition', () => {
    const { log, obs } = record();
    const s = c.initStates(obs)[0]!;
    expect(s.value).toEqual({ work: 'w1' });
    expect(log).toEqual(['enter cov', 'enter cov.start', 'guard guard true', 'take cov.start always', 'enter cov.work', 'enter cov.work.w1']);
  });

  it('reports guard outcomes of a step that is not enabled', () => {
    const s = c.initStates()[0]!;
    const { log, obs } = record();
    expect(c.nextState(s, { type: 'NEVER' }, obs)).toBeUndefined();
    expect(log).toEqual(['guard never false']);
  });

  it('reports the nested final state, the done event transition and the parallel regions entered', () => {
    const s = c.initStates()[0]!;
    const { log, obs } = record();
    const next = c.nextState(s, { type: 'FIN' }, obs)!;
    expect(next.value).toEqual({ par: { l: 'l1', r: 'r1' } });
    expect(log).toEqual([
      'take cov.work.w1 FIN',
      'enter cov.work.w2',
      'take cov.work xstate.done.state.cov.work',
      'enter cov.par',
      'enter cov.par.l',
      'enter cov.par.l.l1',
      'enter cov.par.r',
      'enter cov.par.r.r1',
    ]);
  });
});
