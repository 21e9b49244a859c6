import { compileMachine, type MachineState } from '../src/explore/compile.ts';
import { ByteBuffer } from '../src/explore/bytes.ts';
import { twoPhase } from '../test/explore/machines/large.ts';
const f = twoPhase(6);
const c = compileMachine(f.machine);
const events = f.events as any[];
const buf = new ByteBuffer();
const all: MachineState[] = []; { const seen = new Set<string>(); let fr = [c.initStates()[0]!]; while (fr.length) { const nx: MachineState[] = []; for (const s of fr) for (const e of events) { const n = c.nextState(s, e); if (!n) continue; buf.reset(); c.encode(n, buf); const k = Buffer.from(buf.view()).toString('latin1'); if (!seen.has(k)) { seen.add(k); nx.push(n); all.push(n);} } fr = nx; } }
const mode = process.argv[2];
let t0 = performance.now(); let cnt = 0, calls = 0;
for (let r = 0; r < 5; r++) for (const s of all) for (const e of events) {
  if (mode === 'en') { /* only enabled-type events */ }
  calls++; if (c.nextState(s, e)) cnt++; }
let dt = performance.now() - t0; console.log('nextState:', Math.round(calls / (dt / 1000)), 'calls/s', 'ns/call', Math.round(dt * 1e6 / calls), 'enabled', cnt / 5);
