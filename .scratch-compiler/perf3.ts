import { compileMachine, type MachineState } from '../src/explore/compile.ts';
import { ByteBuffer } from '../src/explore/bytes.ts';
import { fingerprintInto } from '../src/explore/fingerprint.ts';
import { encodeCanonical } from '../src/explore/canonical.ts';
import { twoPhase } from '../test/explore/machines/large.ts';
const f = twoPhase(6);
const c = compileMachine(f.machine);
const events = f.events as any[];
const buf = new ByteBuffer(); const fp = new Uint32Array(2);
const all: MachineState[] = []; { const seen = new Set<string>(); let fr = [c.initStates()[0]!]; while (fr.length) { const nx: MachineState[] = []; for (const s of fr) for (const e of events) { const n = c.nextState(s, e); if (!n) continue; buf.reset(); c.encode(n, buf); const k = Buffer.from(buf.view()).toString('latin1'); if (!seen.has(k)) { seen.add(k); nx.push(n); all.push(n);} } fr = nx; } }
for (const [name, fn] of [
  ['encode', (s: MachineState) => { buf.reset(); c.encode(s, buf); }],
  ['encodeCanonical ctx', (s: MachineState) => { buf.reset(); encodeCanonical(s.context, buf); }],
  ['encode+fp', (s: MachineState) => { buf.reset(); c.encode(s, buf); fingerprintInto(buf.buf, 0, buf.length, fp); }],
] as const) {
  let t0 = performance.now();
  for (let r = 0; r < 5; r++) for (const s of all) fn(s);
  const dt = performance.now() - t0; console.log(name, Math.round(dt * 1e6 / (5 * all.length)), 'ns/state');
}
