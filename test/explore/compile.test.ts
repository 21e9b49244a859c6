/**
 * compile.ts: what the compiled model promises besides the reachable graph (differential*.test.ts): unsupported
 * features are interpreted with a warning or refused with their name and place; what cannot be decided is refused;
 * the encoding; the model-module entry point. (Coverage tables and observer calls: compile-coverage.test.ts.)
 */
import { assign, createMachine, enqueueActions, fromPromise, raise, sendParent, sendTo, setup, spawnChild, stopChild, transition, initialTransition, type AnyStateMachine, type EventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { ByteBuffer, ByteReader } from '../../src/explore/bytes.ts';
import {
  compileMachine,
  compileModelModule,
  MacrostepLimitError,
  ModelModuleError,
  OrderDependenceError,
  UnsupportedFeatureError,
  type MachineState,
} from '../../src/explore/compile.ts';
import { fixtures } from './machines/small.ts';
import { compiledGraph, eventKey, graphDifferences, referenceGraph, stateKey } from './machines/reference.ts';

const ev = (...types: string[]): EventObject[] => types.map((type) => ({ type }));

describe('unsupported features: interpreted with a warning, or refused, naming feature and state', () => {
  const child = fromPromise(async () => 1);
  const cases: { feature: RegExp; where: string; machine: AnyStateMachine }[] = [
    {
      feature: /invoke/,
      where: '#inv.loading',
      machine: createMachine({ id: 'inv', initial: 'loading', states: { loading: { invoke: { id: 'job', src: child, onDone: 'ok' } }, ok: {} } }),
    },
    {
      feature: /delayed transitions \(after\)/,
      where: '#aft.a',
      machine: createMachine({ id: 'aft', initial: 'a', states: { a: { after: { 1000: 'b' } }, b: {} } }),
    },
    {
      feature: /spawnChild/,
      where: 'entry of #sp.a',
      machine: createMachine({ id: 'sp', initial: 'a', states: { a: { entry: spawnChild(child, { id: 'c' }) } } }),
    },
    {
      feature: /sendTo/,
      where: '#snd.a on GO',
      machine: createMachine({ id: 'snd', initial: 'a', states: { a: { on: { GO: { actions: sendTo('someone', { type: 'X' }) } } } } }),
    },
    {
      feature: /sendTo\/sendParent/,
      where: 'exit of #par.a',
      machine: createMachine({ id: 'par', initial: 'a', states: { a: { exit: sendParent({ type: 'BYE' }), on: { GO: 'b' } }, b: {} } }),
    },
    {
      feature: /stopChild/,
      where: '#stp.a on GO',
      machine: createMachine({ id: 'stp', initial: 'a', states: { a: { on: { GO: { actions: stopChild('c') } } } } }),
    },
    {
      feature: /delayed raise/,
      where: '#dr.a on GO',
      machine: createMachine({ id: 'dr', initial: 'a', states: { a: { on: { GO: { actions: raise({ type: 'LATER' }, { delay: 5 }) } } } } }),
    },
    {
      feature: /sendTo/,
      where: '#named.a on GO',
      machine: setup({ actions: { tell: sendTo('x', { type: 'Y' }) } }).createMachine({ id: 'named', initial: 'a', states: { a: { on: { GO: { actions: 'tell' } } } } }),
    },
  ];
  for (const c of cases) {
    it(`${c.feature.source} at ${c.where}`, () => {
      const compiled = compileMachine(c.machine);
      expect(compiled.mode).toBe('interpreted');
      const warning = compiled.warnings.find((w) => w.includes("xstate's transition()"));
      expect(warning).toMatch(c.feature);
      expect(warning).toContain(c.where);
      let err: unknown;
      try {
        compileMachine(c.machine, { allowFallback: false });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      const features = (err as UnsupportedFeatureError).features;
      expect(features.some((f) => c.feature.test(f.feature) && f.where === c.where)).toBe(true);
      expect((err as Error).message).toContain(c.where);
    });
  }

  it('a supported machine compiles with no warning', () => {
    const m = createMachine({ id: 'ok', initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });
    const c = compileMachine(m, { allowFallback: false });
    expect(c.mode).toBe('compiled');
    expect(c.warnings).toEqual([]);
  });

  it('what only shows at run time (sendTo from enqueueActions, spawn in assign) throws with its name', () => {
    const m = createMachine({
      id: 'rt',
      initial: 'a',
      context: { ref: null as unknown },
      states: {
        a: {
          on: {
            TELL: { actions: enqueueActions(({ enqueue }) => enqueue.sendTo('x', { type: 'Y' })) },
            SPAWN: { actions: assign({ ref: ({ spawn }) => spawn(fromPromise(async () => 1)) }) },
          },
        },
      },
    });
    const c = compileMachine(m, { allowFallback: false });
    const s = c.initStates()[0]!;
    expect(() => c.nextState(s, { type: 'TELL' })).toThrow(/sendTo\/sendParent\/forwardTo at #rt\.a on TELL/);
    expect(() => c.nextState(s, { type: 'TELL' })).toThrow(UnsupportedFeatureError);
    expect(() => c.nextState(s, { type: 'SPAWN' })).toThrow(/spawn/);
  });

  it('interpreted machines still give the reference graph (delays driven by their after events, invoke with done events)', () => {
    const machine = createMachine({
      id: 'mix',
      initial: 'a',
      context: { n: 0 },
      states: {
        a: { after: { 100: { target: 'b', actions: assign({ n: ({ context }) => (context.n + 1) % 3 }) } }, on: { SKIP: 'b' } },
        b: { invoke: { id: 'job', src: fromPromise(async () => 7), onDone: { target: 'a', actions: assign({ n: ({ event }) => (event.output as number) % 3 }) } } },
      },
    });
    const events = [{ type: 'xstate.after.100.mix.a' }, { type: 'SKIP' }, { type: 'xstate.done.actor.job', output: 7 }] as EventObject[];
    const c = compileMachine(machine);
    expect(c.mode).toBe('interpreted');
    const ref = referenceGraph(machine, events);
    const got = compiledGraph(c, events);
    expect(graphDifferences(ref, got, (k) => k)).toEqual([]);
    expect(got.edges.size).toBe(5);
  });
});

describe('what has no well-defined answer is refused', () => {
  it('eventless transitions of two regions whose order matters', () => {
    const m = createMachine({
      id: 'od',
      type: 'parallel',
      context: { log: '' },
      states: {
        r1: { initial: 'i', states: { i: { on: { A: 'w' } }, w: { always: { target: 'i', actions: assign({ log: ({ context }) => context.log + '1' }) } } } },
        r2: { initial: 'i', states: { i: { on: { A: 'w' } }, w: { always: { target: 'i', actions: assign({ log: ({ context }) => context.log + '2' }) } } } },
      },
    });
    const c = compileMachine(m);
    const s = c.initStates()[0]!;
    let err: unknown;
    try {
      c.nextState(s, { type: 'A' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrderDependenceError);
    expect((err as OrderDependenceError).transitions).toEqual(['#od.r1.w always', '#od.r2.w always']);
  });

  it('eventless transitions of two regions that conflict (each leaves the parallel state)', () => {
    const m = createMachine({
      id: 'oc',
      initial: 'p',
      states: {
        p: {
          type: 'parallel',
          states: {
            r1: { initial: 'i', states: { i: { on: { A: 'w' } }, w: { always: '#oc.x' } } },
            r2: { initial: 'i', states: { i: { on: { A: 'w' } }, w: { always: '#oc.y' } } },
          },
        },
        x: {},
        y: {},
      },
    });
    const c = compileMachine(m);
    expect(() => c.nextState(c.initStates()[0]!, { type: 'A' })).toThrow(OrderDependenceError);
  });

  it('a macrostep that never settles', () => {
    const m = createMachine({ id: 'loop', initial: 'a', context: { n: 0 }, states: { a: { on: { GO: 'b' } }, b: { always: { actions: assign({ n: ({ context }) => context.n + 1 }) } } } });
    const c = compileMachine(m);
    expect(() => c.nextState(c.initStates()[0]!, { type: 'GO' })).toThrow(MacrostepLimitError);
  });

  it("the machine's own maxIterations, as xstate enforces it", () => {
    const config = { id: 'mi', initial: 'a', context: { n: 0 }, options: { maxIterations: 5 }, states: { a: { always: { guard: ({ context }: { context: { n: number } }) => context.n < 10, actions: assign({ n: ({ context }: { context: { n: number } }) => context.n + 1 }) } } } };
    const m = createMachine(config as never) as AnyStateMachine;
    const [snap] = initialTransition(m);
    expect(snap.status).toBe('error'); // xstate catches it in the initial snapshot
    expect(() => compileMachine(m).initStates()).toThrow(/Infinite loop detected/);
  });

  it('an actor error event that nothing handles (xstate would enter its error status)', () => {
    const m = createMachine({ id: 'err', initial: 'a', states: { a: {} } });
    const c = compileMachine(m);
    expect(() => c.nextState(c.initStates()[0]!, { type: 'xstate.error.actor.x' })).toThrow(/error status/);
  });
});

describe('states: identity, encoding, final states', () => {
  it('decode(encode(s)) is the same state, with the same successors, for every reachable state of every fixture', () => {
    const buf = new ByteBuffer();
    for (const f of fixtures) {
      const c = compileMachine(f.machine);
      const g = compiledGraph(c, f.events);
      const byBytes = new Map<string, string>();
      for (const [key, s] of g.states) {
        buf.reset();
        c.encode(s, buf);
        const bytes = buf.copy();
        const hex = Buffer.from(bytes).toString('hex');
        expect(byBytes.has(hex), `${f.name}: two states encode alike`).toBe(false);
        byBytes.set(hex, key);
        const d = c.decode(new ByteReader(bytes));
        expect(stateKey(d)).toBe(key);
        expect(c.isFinal(d)).toBe(c.isFinal(s));
        const events = typeof f.events === 'function' ? f.events(s) : f.events;
        for (const e of events) {
          const a = c.nextState(s, e);
          const b = c.nextState(d, e);
          expect(b && stateKey(b), `${f.name}: ${eventKey(e)} from a decoded state`).toBe(a && stateKey(a));
        }
      }
    }
  });

  it('matches() and hasTag() answer as xstate snapshots do', () => {
    const tagged = createMachine({
      id: 'tg',
      initial: 'a',
      states: { a: { tags: ['busy'], initial: 'x', states: { x: { tags: ['x'], on: { N: 'y' } }, y: {} }, on: { GO: 'b' } }, b: { on: { GO: 'a' } } },
    });
    const machines = [...fixtures.map((f) => ({ machine: f.machine, events: f.events })), { machine: tagged, events: ev('N', 'GO') }];
    for (const { machine, events } of machines) {
      const c = compileMachine(machine);
      const ref = referenceGraph(machine, events);
      const got = compiledGraph(c, events);
      const tags = new Set(c.stateNodes.flatMap(() => ['busy', 'x', 'none']));
      for (const [k, s] of got.states) {
        const r = ref.snapshots.get(k)!;
        for (const n of c.stateNodes) {
          if (n.root || n.kind === 'history') continue;
          const path = n.path.join('.');
          expect(s.matches(path), `${n.id} in ${JSON.stringify(s.value)}`).toBe(r.matches(path as never));
        }
        for (const t of tags) expect(s.hasTag(t)).toBe(r.hasTag(t as never));
      }
    }
  });

  it('history values are part of the identity', () => {
    const f = fixtures.find((x) => x.name.startsWith('history: shallow'))!;
    const c = compileMachine(f.machine);
    let s = c.initStates()[0]!;
    const off1 = c.nextState(s, { type: 'OFF' })!;
    s = c.nextState(s, { type: 'NEXT' })!;
    const off2 = c.nextState(s, { type: 'OFF' })!;
    expect(off1.value).toEqual(off2.value);
    expect(off1.context).toEqual(off2.context);
    expect(off1.historyValue).toEqual({ 'hist.on.h': ['hist.on.one'] });
    expect(off2.historyValue).toEqual({ 'hist.on.h': ['hist.on.two'] });
    const enc = (x: MachineState) => {
      const b = new ByteBuffer();
      c.encode(x, b);
      return Buffer.from(b.copy()).toString('hex');
    };
    expect(enc(off1)).not.toBe(enc(off2));
  });

  it('a self-loop that changes nothing returns the state itself; a disabled event returns undefined', () => {
    const m = createMachine({ id: 'sl', initial: 'a', states: { a: { on: { NOTE: { actions: raise({ type: 'UNHANDLED' }) }, FORBID: {} } } } });
    const c = compileMachine(m);
    const s = c.initStates()[0]!;
    expect(c.nextState(s, { type: 'NOTE' })).toBe(s);
    expect(c.nextState(s, { type: 'FORBID' })).toBeUndefined();
    expect(c.nextState(s, { type: 'OTHER' })).toBeUndefined();
  });

  it("xstate.stop selects nothing, even where a wildcard would match it (xstate stops the actor instead)", () => {
    const m = createMachine({ id: 'st', initial: 'a', context: { n: 0 }, states: { a: { on: { '*': { actions: assign({ n: 1 }) } } } } });
    const c = compileMachine(m);
    const s = c.initStates()[0]!;
    expect(c.nextState(s, { type: 'xstate.stop' })).toBeUndefined();
    expect(c.nextState(s, { type: 'ANY' })?.context).toEqual({ n: 1 });
    const [after] = transition(m, initialTransition(m)[0], { type: 'xstate.stop' });
    expect(after.context).toEqual({ n: 0 });
  });

  it('a top-level final state is final, takes no event, and matches xstate done status', () => {
    const m = createMachine({ id: 'fin', initial: 'a', on: { ANY: { actions: assign({}) } }, states: { a: { on: { END: 'z' } }, z: { type: 'final' } } });
    const c = compileMachine(m);
    const z = c.nextState(c.initStates()[0]!, { type: 'END' })!;
    expect(c.isFinal(z)).toBe(true);
    expect(z.status).toBe('done');
    expect(c.nextState(z, { type: 'ANY' })).toBeUndefined();
    const [snap] = transition(m, initialTransition(m)[0], { type: 'END' });
    expect(snap.status).toBe('done');
  });
});

describe('compileModelModule', () => {
  const machine = createMachine({ id: 'mm', initial: 'a', context: { n: 0 }, states: { a: { on: { INC: { guard: ({ context }) => context.n < 3, actions: assign({ n: ({ context }) => context.n + 1 }) } } } } });

  it('builds the model: events (array or function), invariants, options, representative from canonicalize', () => {
    const { model, invariants, options, warnings } = compileModelModule({
      machine,
      events: (s: { context: unknown }) => ((s.context as { n: number }).n < 2 ? ev('INC') : []),
      invariants: { small: (s: { context: unknown }) => (s.context as { n: number }).n < 5 },
      options: { maxStates: 10, canonicalize: (s: { value: unknown; context: unknown }) => ({ value: s.value, context: { n: 0 } }) },
    } as never);
    expect(warnings).toEqual([]);
    expect(options.maxStates).toBe(10);
    const s0 = model.initStates()[0]!;
    expect(invariants.small!(s0)).toBe(true);
    expect(model.actions(s0)).toEqual(ev('INC'));
    const s1 = model.nextState(s0, { type: 'INC' })!;
    expect((s1.context as { n: number }).n).toBe(1);
    const r = model.representative!(s1);
    expect(r.context).toEqual({ n: 0 });
    expect(r.value).toBe(s1.value);
    expect(model.formatAction({ type: 'INC', by: 2n } as EventObject)).toBe('INC {"by":"2n"}');
  });

  it('names the field that is wrong', () => {
    const bad = (mod: unknown, field: string) => {
      let err: unknown;
      try {
        compileModelModule(mod as never);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelModuleError);
      expect((err as ModelModuleError).field).toBe(field);
    };
    bad({ machine: {}, events: [], invariants: {} }, 'machine');
    bad({ machine, events: 'INC', invariants: {} }, 'events');
    bad({ machine, events: [{ tipe: 'INC' }], invariants: {} }, 'events[0]');
    bad({ machine, events: [], invariants: { x: true } }, 'invariants.x');
    bad({ machine, events: [], invariants: [] }, 'invariants');
    bad({ machine, events: [], invariants: {}, options: { maxDepth: -1 } }, 'options.maxDepth');
    bad({ machine, events: [], invariants: {}, options: { canonicalize: 1 } }, 'options.canonicalize');
  });
});
