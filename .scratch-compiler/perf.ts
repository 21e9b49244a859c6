import { compileMachine, type MachineState } from '../src/explore/compile.ts';
import { ByteBuffer } from '../src/explore/bytes.ts';
import { fingerprintInto } from '../src/explore/fingerprint.ts';
import { twoPhase } from '../test/explore/machines/large.ts';
const N = Number(process.argv[2] ?? 6);
const f = twoPhase(N);
const c = compileMachine(f.machine);
const events = f.events as any[];
const buf = new ByteBuffer(); const fp = new Uint32Array(2);
function bfs(encodeStates: boolean) {
  const seen = new Set<string>();
  const key = (s: MachineState) => { buf.reset(); c.encode(s, buf); fingerprintInto(buf.buf, 0, buf.length, fp); return fp[0] + ':' + fp[1]; };
  const init = c.initStates()[0]!;
  seen.add(key(init));
  let frontier = [init]; let edges = 0, calls = 0;
  let tNext = 0;
  const t0 = performance.now();
  while (frontier.length) {
    const next: MachineState[] = [];
    for (const s of frontier) for (const e of events) {
      calls++;
      const n = c.nextState(s, e);
      if (!n) continue;
      edges++;
      const k = key(n);
      if (!seen.has(k)) { seen.add(k); next.push(n); }
    }
    frontier = next;
  }
  const dt = (performance.now() - t0) / 1000;
  return { states: seen.size, edges, calls, seconds: dt.toFixed(2), statesPerSec: Math.round(seen.size / dt), callsPerSec: Math.round(calls / dt) };
}
console.log(bfs(true));
console.log(bfs(true));
// raw nextState cost
const all: MachineState[] = []; { const seen = new Set<string>(); let fr = [c.initStates()[0]!]; while (fr.length) { const nx: MachineState[] = []; for (const s of fr) for (const e of events) { const n = c.nextState(s, e); if (!n) continue; buf.reset(); c.encode(n, buf); const k = Buffer.from(buf.view()).toString('latin1'); if (!seen.has(k)) { seen.add(k); nx.push(n); all.push(n);} } fr = nx; } }
let t0 = performance.now(); let cnt = 0;
for (let r = 0; r < 3; r++) for (const s of all) for (const e of events) { if (c.nextState(s, e)) cnt++; }
let dt = performance.now() - t0; console.log('nextState only:', Math.round(3 * all.length * events.length / (dt / 1000)), 'calls/s', cnt);
t0 = performance.now();
for (let r = 0; r < 3; r++) for (const s of all) { buf.reset(); c.encode(s, buf); fingerprintInto(buf.buf, 0, buf.length, fp); }
dt = performance.now() - t0; console.log('encode+fp only:', Math.round(3 * all.length / (dt / 1000)), 'states/s; bytes', buf.length);
