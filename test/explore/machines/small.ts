/**
 * Small machines for the differential tests, each aimed at one part of xstate v5's semantics (the name says which).
 * Their reachable graphs are compared, state by state and edge by edge, with a BFS over xstate's own transition().
 * Contexts stay small and bounded (guards cap counters) so that every graph is finite.
 * One file over 400 lines on purpose: it is one catalogue, one machine per entry, read as a list of what is covered.
 */
import { and, assign, createMachine, emit, enqueueActions, log, not, or, raise, setup, stateIn, type AnyStateMachine, type EventObject } from 'xstate';
import type { Events } from './reference.ts';

/** A fixture: a machine, the events to try in every state, and what it exercises. */
export interface Fixture {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly events: Events;
}

const ev = (...types: string[]): EventObject[] => types.map((type) => ({ type }));
/** An event with a payload. */
const pe = (type: string, payload: Record<string, unknown>): EventObject => ({ type, ...payload });
type Ctx = Record<string, any>;
// Typed loosely: fixtures share it across machines with different context types.
const inc = (k: string, max = 3): any => assign(({ context }: { context: Ctx }) => ({ [k]: Math.min((context[k] ?? 0) + 1, max) }));

export const fixtures: Fixture[] = [
  {
    name: 'compound: nested states, child handlers before parent handlers',
    machine: createMachine({
      id: 'nested',
      initial: 'a',
      context: { log: '' },
      on: { RESET: { target: '.a', actions: assign({ log: '' }) }, X: { actions: assign({ log: ({ context }) => (context.log + 'R').slice(-3) }) } },
      states: {
        a: {
          initial: 'a1',
          on: { NEXT: 'b', X: { actions: assign({ log: ({ context }) => (context.log + 'A').slice(-3) }) } },
          states: { a1: { on: { NEXT: 'a2', X: { target: 'a2' } } }, a2: {} },
        },
        b: { on: { NEXT: 'a' } },
      },
    }),
    events: ev('NEXT', 'X', 'RESET', 'NOPE'),
  },
  {
    name: 'parallel: independent regions, one event in both, region over parent',
    machine: createMachine({
      id: 'par',
      type: 'parallel',
      context: { n: 0 },
      on: { BOTH: { actions: inc('n') } },
      states: {
        left: { initial: 'off', states: { off: { on: { L: 'on', BOTH: 'on' } }, on: { on: { L: 'off' } } } },
        right: { initial: 'off', states: { off: { on: { R: 'on', BOTH: 'on' } }, on: { on: { R: 'off', BOTH: 'off' } } } },
      },
    }),
    events: ev('L', 'R', 'BOTH'),
  },
  {
    name: 'parallel conflicts: a region leaving the parallel state preempts a later region',
    machine: createMachine({
      id: 'conf',
      initial: 'p',
      context: { who: '' },
      states: {
        p: {
          type: 'parallel',
          states: {
            r1: { initial: 'x', states: { x: { on: { GO: { target: '#conf.out', actions: assign({ who: 'r1' }) }, T: 'y' } }, y: { on: { GO: { actions: assign({ who: 'r1-stay' }) } } } } },
            r2: { initial: 'x', states: { x: { on: { GO: { target: '#conf.out2', actions: assign({ who: 'r2' }) }, T: 'y' } }, y: {} } },
          },
        },
        out: { on: { BACK: 'p' } },
        out2: { on: { BACK: 'p' } },
      },
    }),
    events: ev('GO', 'T', 'BACK'),
  },
  {
    name: 'parallel: a transition on the parallel node itself is tried only when no region selects',
    machine: createMachine({
      id: 'ppar',
      initial: 'p',
      context: { k: 0 },
      states: {
        p: {
          type: 'parallel',
          on: { E: { target: 'q', actions: inc('k') }, F: { actions: inc('k') } },
          states: {
            a: { initial: 'a1', states: { a1: { on: { E: 'a2' } }, a2: {} } },
            b: { initial: 'b1', states: { b1: { on: { F: { guard: ({ context }) => context.k < 2, target: 'b2' } } }, b2: {} } },
          },
        },
        q: { on: { BACK: 'p' } },
      },
    }),
    events: ev('E', 'F', 'BACK'),
  },
  {
    name: 'final: compound done event with output, parallel done when every region is final',
    machine: createMachine({
      id: 'fin',
      initial: 'work',
      context: { got: 0, doneCount: 0 },
      states: {
        work: {
          type: 'parallel',
          onDone: { target: 'finished', actions: inc('doneCount') },
          states: {
            a: {
              initial: 'a1',
              onDone: { actions: assign({ got: ({ event }) => (event as any).output?.v ?? -1 }) },
              states: { a1: { on: { A: 'a2' } }, a2: { type: 'final', output: ({ context }: any) => ({ v: context.doneCount + 7 }) } },
            },
            b: { initial: 'b1', states: { b1: { on: { B: 'b2' } }, b2: { type: 'final' } } },
          },
        },
        finished: { on: { AGAIN: { target: 'work', guard: ({ context }) => context.doneCount < 2 } } },
      },
    }),
    events: ev('A', 'B', 'AGAIN'),
  },
  {
    name: 'final: top-level final makes the machine done; exit actions run; queued events dropped',
    machine: createMachine({
      id: 'top',
      initial: 'a',
      context: { exits: 0, late: 0 },
      exit: assign({ exits: ({ context }) => context.exits + 1 }),
      on: { LATE: { actions: assign({ late: 1 }) } },
      states: {
        a: { exit: assign({ exits: ({ context }) => context.exits + 10 }), on: { END: { target: 'end', actions: raise({ type: 'LATE' }) }, STAY: { actions: raise({ type: 'LATE' }) } } },
        end: { type: 'final', entry: assign({ exits: ({ context }) => context.exits + 100 }) },
      },
    }),
    events: ev('END', 'STAY', 'LATE'),
  },
  {
    name: 'final: nested final inside a compound inside a compound (done event bubbles one level)',
    machine: createMachine({
      id: 'deepfin',
      initial: 'outer',
      context: { seen: '' },
      states: {
        outer: {
          initial: 'inner',
          onDone: { target: 'after', actions: assign({ seen: ({ context }) => context.seen + 'O' }) },
          states: {
            inner: {
              initial: 'x',
              onDone: { target: 'last', actions: assign({ seen: ({ context }) => context.seen + 'I' }) },
              states: { x: { on: { F: 'y' } }, y: { type: 'final' } },
            },
            last: { on: { F: 'fin' } },
            fin: { type: 'final' },
          },
        },
        after: { on: { RESTART: { target: 'outer', guard: ({ context }) => context.seen.length < 4 } } },
      },
    }),
    events: ev('F', 'RESTART'),
  },
  {
    name: 'history: shallow history restores the last child, default when none',
    machine: createMachine({
      id: 'hist',
      initial: 'on',
      states: {
        on: {
          initial: 'one',
          states: { one: { on: { NEXT: 'two' } }, two: { initial: 'x', states: { x: { on: { DEEPER: 'y' } }, y: {} }, on: { NEXT: 'three' } }, three: { on: { NEXT: 'one' } }, h: { type: 'history' } },
          on: { OFF: 'off' },
        },
        off: { on: { ON: 'on.h', ON_FRESH: 'on' } },
      },
    }),
    events: ev('NEXT', 'DEEPER', 'OFF', 'ON', 'ON_FRESH'),
  },
  {
    name: 'history: deep history restores nested and parallel descendants',
    machine: createMachine({
      id: 'deep',
      initial: 'work',
      states: {
        work: {
          initial: 'p',
          states: {
            p: {
              type: 'parallel',
              states: {
                a: { initial: 'a1', states: { a1: { on: { A: 'a2' } }, a2: { on: { A: 'a1' } } } },
                b: { initial: 'b1', states: { b1: { on: { B: 'b2' } }, b2: {} } },
              },
              on: { Q: 'q' },
            },
            q: { on: { Q: 'p' } },
            hist: { type: 'history', history: 'deep' },
          },
          on: { PAUSE: 'paused' },
        },
        paused: { on: { RESUME: 'work.hist', RESTART: 'work' } },
      },
    }),
    events: ev('A', 'B', 'Q', 'PAUSE', 'RESUME', 'RESTART'),
  },
  {
    name: 'history: explicit default target, history in a parallel region, history as initial',
    machine: createMachine({
      id: 'hdef',
      initial: 'c',
      states: {
        c: {
          initial: 'h0',
          states: {
            x: { on: { N: 'y' } },
            y: { on: { N: 'z' } },
            z: {},
            h0: { type: 'history', target: 'y' },
            h1: { type: 'history' },
          },
          on: { OUT: 'out' },
        },
        out: { on: { IN0: 'c.h0', IN1: 'c.h1', IN: 'c' } },
      },
    }),
    events: ev('N', 'OUT', 'IN0', 'IN1', 'IN'),
  },
  {
    name: 'guards: inline, named, params (value and function), and/or/not',
    machine: setup({
      guards: {
        below: ({ context }: { context: Ctx }, params: { max: number }) => context.n < params.max,
        even: ({ context }: { context: Ctx }) => context.n % 2 === 0,
        isTag: ({ event }: { event: any }, params: { tag: string }) => event.tag === params.tag,
      },
    }).createMachine({
      id: 'guards',
      initial: 'a',
      context: { n: 0, m: 0 },
      states: {
        a: {
          on: {
            INC: [
              { guard: { type: 'below', params: { max: 2 } }, actions: inc('n', 9) },
              { guard: and(['even', not(({ context }) => context.m > 1)]), actions: inc('m') },
              { guard: or([{ type: 'below', params: ({ context }: any) => ({ max: context.m + 3 }) }, 'even']) as any, target: 'b' },
            ],
            TAG: { guard: { type: 'isTag', params: { tag: 'x' } }, actions: inc('m') },
          },
        },
        b: { on: { INC: { guard: not('even'), target: 'a', actions: assign({ n: 0 }) }, TAG: 'a' } },
      },
    }),
    events: [{ type: 'INC' }, pe('TAG', { tag: 'x' }), pe('TAG', { tag: 'y' })],
  },
  {
    name: 'guards: stateIn by #id, by value object, by dotted path, inside and/not',
    machine: createMachine({
      id: 'sin',
      type: 'parallel',
      context: { hits: 0 },
      states: {
        mode: { initial: 'idle', states: { idle: { on: { ARM: 'armed' } }, armed: { initial: 'low', states: { low: { on: { UP: 'high' } }, high: { on: { DOWN: 'low' } } }, on: { DISARM: 'idle' } } } },
        door: {
          initial: 'closed',
          states: {
            closed: {
              on: {
                OPEN: [
                  { guard: stateIn('#sin.mode.armed.high'), actions: assign({ hits: ({ context }) => Math.min(context.hits + 10, 30) }) },
                  { guard: and([stateIn({ mode: 'armed' }), not(stateIn('mode.armed.high'))]), target: 'open', actions: assign({ hits: ({ context }) => Math.min(context.hits + 1, 30) }) },
                  { guard: stateIn({ mode: 'idle' }), target: 'open' },
                ],
              },
            },
            open: { on: { CLOSE: 'closed' } },
          },
        },
      },
    }),
    events: ev('ARM', 'UP', 'DOWN', 'DISARM', 'OPEN', 'CLOSE'),
  },
  {
    name: 'assign: property assigners, static values, function form, named with params, later actions see earlier assigns',
    machine: setup({
      actions: {
        add: assign(({ context }: { context: Ctx }, params: { by: number }) => ({ n: Math.min(context.n + params.by, 6) })),
        copy: assign({ copy: ({ context }: { context: Ctx }) => context.n }),
      },
    }).createMachine({
      id: 'asg',
      initial: 'a',
      context: { n: 0, copy: -1, flag: false },
      states: {
        a: {
          on: {
            ADD: { actions: [{ type: 'add', params: { by: 2 } }, 'copy'] },
            ADDF: { actions: [{ type: 'add', params: ({ event }: any) => ({ by: event.by }) }, 'copy'] },
            FLAG: { actions: [assign({ flag: true, n: ({ context }) => context.n }), assign(({ context }) => ({ copy: context.flag ? 1 : 0 }))] },
            GO: { target: 'b', actions: assign({ n: 0, copy: -1, flag: false }) },
          },
        },
        b: { on: { GO: 'a' } },
      },
    }),
    events: [{ type: 'ADD' }, pe('ADDF', { by: 1 }), pe('ADDF', { by: 3 }), { type: 'FLAG' }, { type: 'GO' }],
  },
  {
    name: 'raise: in transition actions, in entry, a function, several in order, handled by a parent',
    machine: createMachine({
      id: 'rse',
      initial: 'a',
      context: { trail: '' },
      on: { PING: { actions: assign({ trail: ({ context }) => (context.trail + 'p').slice(-4) }) } },
      states: {
        a: { on: { GO: { target: 'b', actions: [raise({ type: 'PING' }), raise(({ context }) => ({ type: context.trail.length % 2 ? 'ODD' : 'EVEN' }))] } } },
        b: {
          entry: raise({ type: 'ENTERED' }),
          on: {
            ENTERED: { actions: assign({ trail: ({ context }) => (context.trail + 'e').slice(-4) }) },
            ODD: { target: 'c' },
            EVEN: { actions: assign({ trail: ({ context }) => (context.trail + 'v').slice(-4) }) },
            GO: 'a',
          },
        },
        c: { entry: [raise({ type: 'PING' }), raise({ type: 'BACK' })], on: { BACK: 'a' } },
      },
    }),
    events: ev('GO', 'PING'),
  },
  {
    name: 'always: chains, guards on context, loops that stop, eventless from the initial state',
    machine: createMachine({
      id: 'alw',
      initial: 'start',
      context: { n: 0, done: 0 },
      states: {
        start: { always: 'count' },
        count: {
          always: [
            { guard: ({ context }) => context.n < 3, actions: assign({ n: ({ context }) => context.n + 1 }) },
            { target: 'check' },
          ],
        },
        check: { always: [{ guard: ({ context }) => context.done >= 2, target: 'stop' }, { target: 'idle' }] },
        idle: { on: { AGAIN: { target: 'count', actions: assign({ n: 0, done: ({ context }) => context.done + 1 }) } } },
        stop: { type: 'final' },
      },
    }),
    events: ev('AGAIN'),
  },
  {
    name: 'always: eventless guards see the event; an unhandled event can enable them',
    machine: createMachine({
      id: 'alwev',
      initial: 'a',
      context: { n: 0 },
      states: {
        a: { always: { guard: ({ event }) => event.type === 'POKE', target: 'b' }, on: { TICK: { actions: assign({ n: ({ context }) => (context.n + 1) % 3 }) } } },
        b: { always: { guard: ({ event, context }) => event.type === 'TICK' && context.n === 2, target: 'a' }, on: { TICK: { actions: assign({ n: ({ context }) => (context.n + 1) % 3 }) } } },
      },
    }),
    events: ev('POKE', 'TICK', 'OTHER'),
  },
  {
    name: 'always: targetless eventless with raise pauses until the queue empties',
    machine: createMachine({
      id: 'alwraise',
      initial: 'a',
      context: { pings: 0 },
      states: {
        a: {
          on: { GO: 'b', PING: { actions: assign({ pings: ({ context }) => Math.min(context.pings + 1, 5) }) } },
        },
        b: {
          always: [{ guard: ({ context }) => context.pings >= 3, target: 'a' }, { guard: ({ event }) => event.type !== 'PING', actions: raise({ type: 'PING' }) }],
          on: { PING: { actions: assign({ pings: ({ context }) => Math.min(context.pings + 1, 5) }) } },
        },
      },
    }),
    events: ev('GO', 'PING', 'NOP'),
  },
  {
    name: 'wildcards: exact first, then longer partial wildcards, then *',
    machine: createMachine({
      id: 'wild',
      initial: 'a',
      context: { last: '' },
      states: {
        a: {
          on: {
            '*': { actions: assign({ last: 'star' }) },
            'net.*': { actions: assign({ last: 'net.*' }) },
            'net.tcp.*': [{ guard: ({ event }) => event.type.endsWith('syn'), target: 'b', actions: assign({ last: 'tcp.*' }) }],
            'net.udp': { actions: assign({ last: 'udp' }) },
          },
        },
        b: { on: { 'net.*': { target: 'a', actions: assign({ last: 'back' }) }, 'other.*': 'b' } },
      },
    }),
    events: ev('net.udp', 'net.tcp.syn', 'net.tcp.ack', 'net', 'zzz', 'other.x'),
  },
  {
    name: 'reenter: external self-transitions rerun exit/entry, internal ones do not',
    machine: createMachine({
      id: 'reent',
      initial: 'p',
      context: { entries: 0, exits: 0 },
      states: {
        p: {
          initial: 'c1',
          entry: assign({ entries: ({ context }) => (context.entries + 1) % 4 }),
          exit: assign({ exits: ({ context }) => (context.exits + 1) % 4 }),
          on: { SELF: { target: 'p' }, RE: { target: 'p', reenter: true }, CHILD: { target: '.c2' }, RECHILD: { target: '.c2', reenter: true } },
          states: { c1: { entry: assign({ entries: ({ context }) => (context.entries + 1) % 4 }) }, c2: { on: { BACK: 'c1' } } },
        },
      },
    }),
    events: ev('SELF', 'RE', 'CHILD', 'RECHILD', 'BACK'),
  },
  {
    name: 'targetless and forbidden transitions: forbidden blocks the parent and is not enabled',
    machine: createMachine({
      id: 'forb',
      initial: 'a',
      context: { n: 0 },
      on: { E: { actions: assign({ n: ({ context }) => (context.n + 1) % 3 }) }, F: '.b' },
      states: {
        a: { on: { E: {}, G: { actions: assign({ n: ({ context }) => context.n }) } } },
        b: { on: { E: undefined, BACK: 'a' } },
      },
    }),
    events: ev('E', 'F', 'G', 'BACK'),
  },
  {
    name: 'enqueueActions: check, enqueue.assign, enqueue.raise, named actions',
    machine: setup({
      actions: { bump: assign({ n: ({ context }: { context: Ctx }) => Math.min(context.n + 1, 4) }) },
      guards: { big: ({ context }: { context: Ctx }) => context.n >= 2 },
    }).createMachine({
      id: 'enq',
      initial: 'a',
      context: { n: 0, big: 0 },
      states: {
        a: {
          on: {
            GO: {
              actions: enqueueActions(({ enqueue, check, context }) => {
                enqueue('bump');
                if (check('big')) enqueue.raise({ type: 'BIG' });
                if (context.n === 0) enqueue.assign({ big: 0 });
              }),
            },
            BIG: { target: 'b', actions: assign({ big: ({ context }) => context.big + 1 }) },
          },
        },
        b: { on: { GO: { target: 'a', actions: enqueueActions(({ enqueue, check }) => void (check(stateIn('b')) && enqueue.assign({ n: 0 }))) } } },
      },
    }),
    events: ev('GO'),
  },
  {
    name: 'custom actions, log and emit are side effects: skipped, state unchanged',
    machine: setup({
      actions: { notify: () => {}, mutate: ({ context }: { context: Ctx }) => void (context.n = 99) },
    }).createMachine({
      id: 'side',
      initial: 'a',
      context: { n: 0 },
      states: {
        a: { entry: ['notify', log('hi')], on: { GO: { target: 'b', actions: ['mutate', emit({ type: 'out' }), () => {}] }, NOTE: { actions: 'notify' } } },
        b: { on: { GO: { target: 'a', actions: assign({ n: ({ context }) => (context.n + 1) % 2 }) } } },
      },
    }),
    events: ev('GO', 'NOTE'),
  },
  {
    name: 'context factory, initial state with entry actions on root and descendants',
    machine: createMachine(<any>{
      id: 'ctxf',
      context: () => ({ list: [1, 2], big: 2n ** 64n }),
      entry: assign({ list: ({ context }) => [...context.list, 0] }),
      initial: 'a',
      states: {
        a: { entry: assign({ big: ({ context }) => context.big + 1n }), on: { PUSH: { guard: ({ context }: { context: Ctx }) => context.list.length < 5, actions: assign({ list: ({ context }) => [...context.list, context.list.length] }) }, POP: { actions: assign({ list: ({ context }) => context.list.slice(1) }) } } },
      },
    }),
    events: ev('PUSH', 'POP'),
  },
  {
    name: 'multiple targets into parallel regions, #id and relative targets',
    machine: createMachine({
      id: 'multi',
      initial: 'idle',
      states: {
        idle: { on: { BOTH: { target: ['#multi.p.a.a2', '#multi.p.b.b2'] }, ONE: 'p.a.a2', DEF: 'p' } },
        p: {
          type: 'parallel',
          states: {
            a: { initial: 'a1', states: { a1: {}, a2: { on: { SWAP: '#b1' } } } },
            b: { initial: 'b1', states: { b1: { id: 'b1', on: { SWAP: 'b2' } }, b2: {} } },
          },
          on: { STOP: 'idle' },
        },
      },
    }),
    events: ev('BOTH', 'ONE', 'DEF', 'SWAP', 'STOP'),
  },
  {
    name: 'root parallel with root handlers and a root reenter transition',
    machine: createMachine({
      id: 'rootp',
      type: 'parallel',
      context: { n: 0 },
      entry: assign({ n: ({ context }) => (context.n + 1) % 3 }),
      on: { RESET: { target: '.x', reenter: true }, TOUCH: { actions: assign({ n: ({ context }) => (context.n + 2) % 3 }) } },
      states: {
        x: { initial: 'x1', states: { x1: { on: { X: 'x2' } }, x2: { on: { TOUCH: 'x1' } } } },
        y: { initial: 'y1', states: { y1: { on: { Y: 'y2' } }, y2: {} } },
      },
    }),
    events: ev('X', 'Y', 'RESET', 'TOUCH'),
  },
  {
    name: 'initial transition actions (only on default entry), onDone of a parallel state nested in a compound',
    machine: createMachine({
      id: 'initact',
      initial: { target: 'a', actions: assign({ n: ({ context }: any) => context.n + 1 }) } as any,
      context: { n: 0, k: 0 },
      states: {
        a: {
          initial: 'p',
          states: {
            p: {
              type: 'parallel',
              onDone: 'q',
              states: { l: { initial: 'l1', states: { l1: { on: { L: 'l2' } }, l2: { type: 'final' } } }, r: { initial: 'r1', states: { r1: { on: { R: 'r2' } }, r2: { type: 'final' } } } },
            },
            q: { on: { BACK: { target: 'p', guard: ({ context }) => context.n < 2, actions: assign({ n: ({ context }) => context.n + 1 }) }, C: '#initact.c', C2: '#initact.c.c2' } },
          },
        },
        c: {
          initial: { target: 'c1', actions: assign({ k: ({ context }: any) => (context.k + 1) % 3 }) } as any,
          states: { c1: { on: { OUT: '#initact.a.q' } }, c2: { on: { OUT: '#initact.a.q' } } },
        },
      },
    }),
    events: ev('L', 'R', 'BACK', 'C', 'C2', 'OUT'),
  },
  {
    name: 'an always transition on a parallel node, found from every region, is taken once',
    machine: createMachine({
      id: 'palw',
      initial: 'idle',
      context: { k: 0, runs: 0 },
      states: {
        idle: { on: { GO: { target: 'p', actions: assign({ k: 0 }) } } },
        p: {
          type: 'parallel',
          always: { guard: ({ context }) => context.k < 1, actions: assign({ k: ({ context }) => context.k + 1, runs: ({ context }) => (context.runs + 1) % 4 }) },
          on: { STOP: 'idle' },
          states: { a: { initial: 'a1', states: { a1: { on: { A: 'a2' } }, a2: {} } }, b: { initial: 'b1', states: { b1: {} } } },
        },
      },
    }),
    events: ev('GO', 'A', 'STOP'),
  },
  {
    name: 'events as a function of the state, with payloads',
    machine: createMachine({
      id: 'payload',
      initial: 'a',
      context: { slots: [0, 0, 0] as number[] },
      states: {
        a: {
          on: {
            SET: { guard: ({ context, event }) => context.slots[(event as any).i] === 0, actions: assign({ slots: ({ context, event }) => context.slots.map((v: number, j: number) => (j === (event as any).i ? 1 : v)) }) },
            CLEAR: { actions: assign({ slots: [0, 0, 0] }) },
            FULL: { guard: ({ context }) => context.slots.every((v) => v === 1), target: 'b' },
          },
        },
        b: { type: 'final' },
      },
    }),
    events: (s) => [...((s.context as Ctx).slots as number[]).map((_v, i) => ({ type: 'SET', i })), { type: 'CLEAR' }, { type: 'FULL' }],
  },
  {
    name: 'deep hierarchy: transitions across levels, LCA exits and entries in order',
    machine: createMachine({
      id: 'lca',
      initial: 'a',
      context: { t: '' },
      states: {
        a: {
          initial: 'b',
          entry: assign({ t: ({ context }) => (context.t + 'A').slice(-5) }),
          exit: assign({ t: ({ context }) => (context.t + 'a').slice(-5) }),
          states: {
            b: {
              initial: 'c',
              entry: assign({ t: ({ context }) => (context.t + 'B').slice(-5) }),
              exit: assign({ t: ({ context }) => (context.t + 'b').slice(-5) }),
              states: { c: { on: { UP: '#lca.a.d', OUT: '#lca.z', SIB: 'c2' } }, c2: { on: { SIB: 'c' } } },
            },
            d: { on: { DOWN: 'b.c2', OUT: '#lca.z' } },
          },
        },
        z: { entry: assign({ t: ({ context }) => (context.t + 'Z').slice(-5) }), on: { IN: 'a.d' } },
      },
    }),
    events: ev('UP', 'OUT', 'SIB', 'DOWN', 'IN'),
  },
  {
    name: 'eventless transitions of two regions enabled together, in either order the same result',
    machine: createMachine({
      id: 'order',
      type: 'parallel',
      context: { a: 0, b: 0 },
      states: {
        r1: {
          initial: 'i',
          states: {
            i: { on: { A: 'w' } },
            w: { always: { target: 'i', actions: assign({ a: ({ context }) => (context.a + 1) % 3 }) } },
          },
        },
        r2: {
          initial: 'i',
          states: {
            i: { on: { B: 'w' } },
            w: { always: { guard: ({ event }) => event.type !== 'B', target: 'i', actions: [assign({ b: ({ context }) => (context.b + 1) % 3 }), raise({ type: 'R2' })] } },
          },
        },
      },
    }),
    events: ev('A', 'B'),
  },
  {
    name: 'done event raised in the middle of a raise chain, and onDone that stays',
    machine: createMachine({
      id: 'donechain',
      initial: 'c',
      context: { n: 0 },
      states: {
        c: {
          initial: 'x',
          onDone: { actions: assign({ n: ({ context }) => (context.n + 1) % 4 }) },
          on: { RESTART: '.x' },
          states: {
            x: { on: { GO: { target: 'f', actions: raise({ type: 'AFTER' }) } } },
            f: { type: 'final', on: { AFTER: { actions: assign({ n: ({ context }) => (context.n + 2) % 4 }) } } },
          },
        },
      },
    }),
    events: ev('GO', 'RESTART', 'AFTER'),
  },
  {
    name: "routes: xstate.route events to states with ids, with and without a route guard",
    machine: createMachine(<any>{
      id: 'rt',
      initial: 'home',
      context: { n: 0 },
      states: {
        home: { on: { NEXT: 'settings' } },
        settings: { id: 'settings', route: { guard: ({ context }: { context: Ctx }) => context.n < 1 }, entry: assign({ n: ({ context }: { context: Ctx }) => Math.min(context.n + 1, 2) }), on: { BACK: 'home' } },
        about: { id: 'about', route: {}, type: 'final' },
      },
    }),
    events: [{ type: 'NEXT' }, { type: 'BACK' }, pe('xstate.route', { to: '#settings' }), pe('xstate.route', { to: '#about' })],
  },
];
