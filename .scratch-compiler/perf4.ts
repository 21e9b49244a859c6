import { compileMachine, type MachineState } from '../src/explore/compile.ts';
import { ByteBuffer } from '../src/explore/bytes.ts';
import { twoPhase } from '../test/explore/machines/large.ts';
const f = twoPhase(6);
const c = compileMachine(f.machine);
const events = f.events as any[];
const buf = new ByteBuffer();
const all: MachineState[] = []; { const seen = new Set<string>(); let fr = [c.initStates()[0]!]; while (fr.length) { const nx: MachineState[] = []; for (const s of fr) for (const e of events) { const n = c.nextState(s, e); if (!n) continue; buf.reset(); c.encode(n, buf); const k = Buffer.from(buf.view()).toString('latin1'); if (!seen.has(k)) { seen.add(k); nx.push(n); all.push(n);} } fr = nx; } }
let t0 = performance.now();
for (let r = 0; r < 40; r++) for (const s of all) { buf.reset(); c.encode(s, buf); }
const dt = performance.now() - t0; console.log('encode', Math.round(dt * 1e6 / (40 * all.length)), 'ns/state', buf.length, 'bytes');
