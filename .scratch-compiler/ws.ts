import { compileMachine } from '../src/explore/compile.ts';
import { workshop } from '../test/explore/machines/large.ts';
import { initialTransition, transition } from 'xstate';
const c = compileMachine(workshop.machine);
const s = c.initStates()[0]!;
console.log(JSON.stringify(s.value), s.context);
const [snap] = initialTransition(workshop.machine);
console.log(JSON.stringify(snap.value), snap.context);
for (const e of workshop.events as any[]) { const n = c.nextState(s, e); const [r] = transition(workshop.machine, snap, e); console.log(e.type, n ? JSON.stringify(n.value) : '-', JSON.stringify(r.value), r.status); }
