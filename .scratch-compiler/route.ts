import { createMachine, assign } from 'xstate';
import { compileMachine } from '../src/explore/compile.ts';
import { compiledGraph, graphDifferences, referenceGraph } from '../test/explore/machines/reference.ts';
const m = createMachine({
  id: 'rt', initial: 'home', context: { n: 0 },
  states: {
    home: { on: { NEXT: 'settings' } },
    settings: { id: 'settings', route: { guard: ({ context }: any) => context.n < 1 }, entry: assign({ n: ({ context }) => context.n + 1 }), on: { BACK: 'home' } },
    about: { id: 'about', route: {} , type: 'final', on: { BACK: 'home' } },
  },
} as any);
const events = [{ type: 'NEXT' }, { type: 'BACK' }, { type: 'xstate.route', to: '#settings' }, { type: 'xstate.route', to: '#about' }] as any;
const c = compileMachine(m, { allowFallback: false });
console.log(c.mode, c.transitions.map((t) => `${t.sourceId} ${t.event} ${t.guard}`));
const ref = referenceGraph(m, events); const got = compiledGraph(c, events);
console.log(ref.edges.size, got.edges.size, graphDifferences(ref, got, (k) => k));
