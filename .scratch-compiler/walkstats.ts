import { compileMachine } from '../src/explore/compile.ts';
import { lifecycle, twoPhase, workshop } from '../test/explore/machines/large.ts';
import { stateKey } from '../test/explore/machines/reference.ts';
for (const f of [twoPhase(3), lifecycle, workshop]) {
  const c = compileMachine(f.machine);
  const takenT = new Set<number>(); const entered = new Set<number>();
  const obs = { transition: (i: number) => takenT.add(i), guard: () => {}, enter: (i: number) => entered.add(i) };
  let rng = 12345; const rand = () => (rng = (rng * 1103515245 + 12345) & 0x7fffffff);
  const keys = new Set<string>(); let enabled = 0, steps = 0;
  for (let w = 0; w < 240; w++) {
    let s = c.initStates(obs)[0]!;
    for (let i = 0; i < 60; i++) {
      if (c.isFinal(s)) { s = c.initStates(obs)[0]!; continue; }
      const evs = f.events as any[]; const e = evs[(rand() >>> 12) % evs.length];
      const n = c.nextState(s, e, obs); steps++;
      if (n) { enabled++; s = n; keys.add(stateKey(s)); }
    }
  }
  const missT = c.transitions.filter((t) => !takenT.has(t.index)).map((t) => `${t.sourceId}:${t.event}`);
  const missN = c.stateNodes.filter((n) => !entered.has(n.index) && n.kind !== 'history').map((n) => n.id);
  console.log(f.name, { distinct: keys.size, enabled, steps, transitions: c.transitions.length, missT, missN });
}
