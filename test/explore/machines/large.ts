/**
 * Larger machines for the random-walk differential tests: state spaces too big to enumerate through xstate's
 * interpreter in a test, walked step by step instead.
 * - TwoPhase commit (Lamport's TwoPhase.tla) with N resource managers, as the explorer's benchmark writes it.
 * - A live-update-like lifecycle: phases with history, a parallel DMA region, eventless checks, raised events,
 *   final states, and a context with arrays and bigints.
 * - A workshop of features: deep and shallow history, wildcards, enqueueActions, stateIn, nested parallels.
 */
import { and, assign, createMachine, enqueueActions, not, or, raise, setup, stateIn, type AnyStateMachine, type EventObject } from 'xstate';
import type { Events } from './reference.ts';

/** A machine to walk, with the events to choose from in each state. */
export interface WalkFixture {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly events: Events;
}

type RM = 'working' | 'prepared' | 'committed' | 'aborted';
interface TwoPhaseContext {
  rmState: RM[];
  tmState: 'init' | 'committed' | 'aborted';
  tmPrepared: boolean[];
  msgs: { prepared: boolean[]; commit: boolean; abort: boolean };
}

/** TwoPhase.tla as one XState state with guarded, assigning transitions (one event type per TLA+ action). */
export function twoPhase(n: number): WalkFixture {
  const rms = [...Array(n).keys()];
  const set = <T>(a: readonly T[], i: number, v: T): T[] => a.map((x, j) => (j === i ? v : x));
  const machine = setup({
    types: {} as { context: TwoPhaseContext; events: { type: string; rm?: number } },
  }).createMachine({
    id: 'twoPhase',
    context: {
      rmState: rms.map(() => 'working' as RM),
      tmState: 'init',
      tmPrepared: rms.map(() => false),
      msgs: { prepared: rms.map(() => false), commit: false, abort: false },
    },
    initial: 'running',
    states: {
      running: {
        on: {
          TMRcvPrepared: {
            guard: ({ context: c, event: e }) => c.tmState === 'init' && c.msgs.prepared[e.rm!] === true,
            actions: assign({ tmPrepared: ({ context: c, event: e }) => set(c.tmPrepared, e.rm!, true) }),
          },
          TMCommit: {
            guard: ({ context: c }) => c.tmState === 'init' && c.tmPrepared.every(Boolean),
            actions: assign({ tmState: 'committed', msgs: ({ context: c }) => ({ ...c.msgs, commit: true }) }),
          },
          TMAbort: {
            guard: ({ context: c }) => c.tmState === 'init',
            actions: assign({ tmState: 'aborted', msgs: ({ context: c }) => ({ ...c.msgs, abort: true }) }),
          },
          RMPrepare: {
            guard: ({ context: c, event: e }) => c.rmState[e.rm!] === 'working',
            actions: assign({
              rmState: ({ context: c, event: e }) => set(c.rmState, e.rm!, 'prepared'),
              msgs: ({ context: c, event: e }) => ({ ...c.msgs, prepared: set(c.msgs.prepared, e.rm!, true) }),
            }),
          },
          RMChooseToAbort: {
            guard: ({ context: c, event: e }) => c.rmState[e.rm!] === 'working',
            actions: assign({ rmState: ({ context: c, event: e }) => set(c.rmState, e.rm!, 'aborted') }),
          },
          RMRcvCommitMsg: {
            guard: ({ context: c }) => c.msgs.commit,
            actions: assign({ rmState: ({ context: c, event: e }) => set(c.rmState, e.rm!, 'committed') }),
          },
          RMRcvAbortMsg: {
            guard: ({ context: c }) => c.msgs.abort,
            actions: assign({ rmState: ({ context: c, event: e }) => set(c.rmState, e.rm!, 'aborted') }),
          },
        },
      },
    },
  });
  const events: EventObject[] = [{ type: 'TMCommit' }, { type: 'TMAbort' }];
  for (const rm of rms) {
    for (const type of ['TMRcvPrepared', 'RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg']) events.push({ type, rm } as EventObject);
  }
  return { name: `TwoPhase N=${n}`, machine: machine as unknown as AnyStateMachine, events };
}

interface LifecycleContext {
  mapped: bigint[];
  preserved: bigint[];
  faults: number;
  kexecs: number;
  dmaSeen: number;
  log: string;
}

/** A live-update-like lifecycle (not the real one: a stand-in rich in features). */
export const lifecycle: WalkFixture = {
  name: 'lifecycle with DMA region',
  machine: setup({
    types: {} as { context: LifecycleContext; events: { type: string; iova?: bigint } },
    guards: {
      canMap: ({ context }, params: { max: number }) => context.mapped.length < params.max,
      hasMapping: ({ context, event }) => context.mapped.includes(event.iova ?? -1n),
      faultBudget: ({ context }) => context.faults < 2,
    },
    actions: {
      note: assign({ log: ({ context }, params: { c: string }) => (context.log + params.c).slice(-4) }),
    },
  }).createMachine({
    id: 'lu',
    type: 'parallel',
    context: { mapped: [], preserved: [], faults: 0, kexecs: 0, dmaSeen: 0, log: '' },
    states: {
      life: {
        initial: 'running',
        states: {
          running: {
            initial: 'idle',
            states: {
              idle: { on: { MAP: { guard: { type: 'canMap', params: { max: 2 } }, target: 'busy' } } },
              busy: {
                entry: { type: 'note', params: { c: 'b' } },
                always: { target: 'idle', actions: assign({ mapped: ({ context, event }) => [...context.mapped, event.iova ?? 0n].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) }) },
              },
              hist: { type: 'history' },
            },
            on: {
              UNMAP: { guard: 'hasMapping', actions: assign({ mapped: ({ context, event }) => context.mapped.filter((x) => x !== event.iova) }) },
              PRESERVE: { target: 'preserving', guard: ({ context }) => context.mapped.length > 0 },
            },
          },
          preserving: {
            entry: [assign({ preserved: ({ context }) => [...context.mapped] }), raise({ type: 'PRESERVED' })],
            on: {
              FREEZE: 'frozen',
              ABORT: { target: 'running.hist', actions: assign({ preserved: [] }) },
            },
          },
          frozen: {
            on: {
              KEXEC: { target: 'restoring', actions: assign({ kexecs: ({ context }) => context.kexecs + 1, mapped: [] }) },
              FAULT: [{ guard: 'faultBudget', target: 'preserving', actions: assign({ faults: ({ context }) => context.faults + 1 }) }, { target: 'failed' }],
            },
          },
          restoring: {
            initial: 'retrieve',
            onDone: [{ guard: ({ context }) => context.kexecs < 2, target: 'running' }, { target: 'finished' }],
            states: {
              retrieve: { on: { RETRIEVE: { target: 'rebuild', actions: assign({ mapped: [] }) } } },
              rebuild: {
                always: [{ guard: ({ context }) => context.mapped.length === context.preserved.length, target: 'done' }],
                on: { MAP: { actions: assign({ mapped: ({ context, event }) => [...context.mapped, event.iova ?? 0n] }) } },
              },
              done: { type: 'final', entry: { type: 'note', params: { c: 'd' } } },
            },
            on: { FAULT: { target: 'failed', guard: not('faultBudget') } },
          },
          failed: { type: 'final' },
          finished: { type: 'final' },
        },
      },
      dma: {
        initial: 'quiet',
        states: {
          quiet: { on: { DMA: { target: 'active', guard: or([stateIn({ life: 'running' }), stateIn('#lu.life.frozen')]) } } },
          active: {
            on: {
              DMA: { actions: assign({ dmaSeen: ({ context }) => Math.min(context.dmaSeen + 1, 3) }) },
              STOP: 'quiet',
              KEXEC: { target: 'quiet', actions: raise({ type: 'DMA_LOST' }) },
            },
          },
        },
        on: { DMA_LOST: { actions: { type: 'note', params: { c: 'l' } } }, PRESERVED: { actions: { type: 'note', params: { c: 'p' } } } },
      },
    },
  }) as unknown as AnyStateMachine,
  events: [
    { type: 'MAP', iova: 0x1000n },
    { type: 'MAP', iova: 0x2000n },
    { type: 'UNMAP', iova: 0x1000n },
    { type: 'UNMAP', iova: 0x2000n },
    { type: 'PRESERVE' },
    { type: 'ABORT' },
    { type: 'FREEZE' },
    { type: 'KEXEC' },
    { type: 'FAULT' },
    { type: 'RETRIEVE' },
    { type: 'DMA' },
    { type: 'STOP' },
  ] as EventObject[],
};

/** Many features at once, in nested parallel states. */
export const workshop: WalkFixture = {
  name: 'feature workshop',
  machine: createMachine({
    id: 'ws',
    initial: 'on',
    context: { n: 0, tags: [] as string[], last: '' },
    states: {
      on: {
        type: 'parallel',
        on: { POWER: 'off' },
        states: {
          left: {
            initial: 'a',
            states: {
              a: { on: { NEXT: 'b', 'cmd.*': { actions: assign({ last: ({ event }) => event.type }) } } },
              b: {
                initial: 'b1',
                states: {
                  b1: { on: { NEXT: 'b2', 'cmd.go': { target: '#ws.on.right.y', actions: raise({ type: 'cmd.ack' }) } } },
                  b2: { on: { NEXT: '#ws.on.left.c' }, always: { guard: ({ context }) => context.n > 3, target: 'b1' } },
                },
              },
              c: { type: 'final' },
              deep: { type: 'history', history: 'deep' },
            },
            onDone: { actions: assign({ tags: ({ context }) => [...context.tags, 'left'].slice(-3) }) },
          },
          right: {
            initial: 'x',
            states: {
              x: {
                on: {
                  '*': { guard: ({ event }) => event.type.startsWith('cmd'), actions: assign({ n: ({ context }) => (context.n + 1) % 6 }) },
                  TOGGLE: 'y',
                },
              },
              y: {
                on: {
                  TOGGLE: { target: 'x', reenter: true },
                  'cmd.ack': { actions: enqueueActions(({ enqueue, check }) => void (check(stateIn('#ws.on.left.b')) ? enqueue.assign({ last: 'ack-b' }) : enqueue.raise({ type: 'TOGGLE' }))) },
                },
              },
              z: { type: 'final' },
            },
            on: { FINISH: { target: '.z', guard: and([stateIn({ on: { left: 'c' } }), ({ context }) => context.n % 2 === 0]) } },
          },
        },
        onDone: 'off',
      },
      off: { on: { POWER: 'on.left.deep', RESET: { target: 'on', actions: assign({ n: 0, tags: [], last: '' }) } } },
    },
  }) as unknown as AnyStateMachine,
  events: [
    { type: 'NEXT' },
    { type: 'cmd.go' },
    { type: 'cmd.stop' },
    { type: 'TOGGLE' },
    { type: 'FINISH' },
    { type: 'POWER' },
    { type: 'RESET' },
    { type: 'other' },
  ],
};
