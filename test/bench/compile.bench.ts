/**
 * The compiled machine's own speed (`npm run bench -- compile [--n N] [--json]`), on TwoPhase with N resource
 * managers (the explorer benchmark's machine, test/explore/machines/large.ts) and on the lifecycle walk fixture:
 * - nextState calls per second over every (reachable state, event) pair, without an observer and with a counting
 *   observer (the coverage hook of issue 7: its overhead must stay under 20%);
 * - the same pairs through xstate's own transition(), on a sample, for the ratio;
 * - encode (and encode + fingerprint) per second, and bytes per encoding, with the machine's shape-specialised
 *   context codec and with the generic canonical encoder alone.
 * Times are the best of three rounds (five, alternating, for the observer comparison). The reachable state count of TwoPhase is checked against TLC's.
 */
import { performance } from 'node:perf_hooks';
import { transition, initialTransition, type AnyMachineSnapshot, type EventObject } from 'xstate';
import { ByteBuffer } from '../../src/explore/bytes.ts';
import { encodeCanonical } from '../../src/explore/canonical.ts';
import { compileMachine, type MachineState } from '../../src/explore/compile.ts';
import { fingerprintInto } from '../../src/explore/fingerprint.ts';
import type { StepObserver } from '../../src/explore/model.ts';
import { lifecycle, twoPhase, type WalkFixture } from '../explore/machines/large.ts';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--n') + 1] ?? 6) || 6;
const JSON_OUT = args.includes('--json');
/** TLC's distinct-state counts for TwoPhase.tla. */
const TLC: Record<number, number> = { 3: 288, 4: 1568, 5: 8832, 6: 50816, 7: 296448 };

function best(rounds: number, f: () => number): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

function measure(f: WalkFixture, maxStates: number) {
  const c = compileMachine(f.machine, { allowFallback: false });
  const events = f.events as readonly EventObject[];
  const buf = new ByteBuffer();
  // Reachable states, exactly (whole encodings as keys).
  const seen = new Set<string>();
  const states: MachineState[] = [];
  const add = (s: MachineState) => {
    buf.reset();
    c.encode(s, buf);
    const k = Buffer.from(buf.view()).toString('latin1');
    if (!seen.has(k)) {
      seen.add(k);
      states.push(s);
    }
  };
  add(c.initStates()[0]!);
  for (let i = 0; i < states.length && states.length < maxStates; i++) {
    for (const e of events) {
      const n = c.nextState(states[i]!, e);
      if (n) add(n);
    }
  }
  const pairs = states.length * events.length;
  let enabled = 0;
  const counts = { t: new Uint32Array(c.transitions.length), g: new Uint32Array(c.guards.length * 2), n: new Uint32Array(c.stateNodes.length) };
  const obs: StepObserver = {
    transition: (i) => void counts.t[i]!++,
    guard: (i, v) => void counts.g[2 * i + (v ? 1 : 0)]!++,
    enter: (i) => void counts.n[i]!++,
  };
  // Rounds alternate between the two so that warm-up and GC fall on both alike; the best of each is kept.
  let plain = Infinity;
  let observed = Infinity;
  for (let round = 0; round < 5; round++) {
    plain = Math.min(
      plain,
      best(1, () => {
        enabled = 0;
        for (const s of states) for (const e of events) if (c.nextState(s, e)) enabled++;
        return enabled;
      }),
    );
    observed = Math.min(
      observed,
      best(1, () => {
        let k = 0;
        for (const s of states) for (const e of events) if (c.nextState(s, e, obs)) k++;
        return k;
      }),
    );
  }
  // xstate's transition() on a sample of the same pairs.
  const sample = Math.min(states.length, 2000);
  const snaps: AnyMachineSnapshot[] = [];
  {
    const [init] = initialTransition(f.machine);
    const queue: AnyMachineSnapshot[] = [init];
    for (let i = 0; i < queue.length && queue.length < sample; i++) for (const e of events) queue.push(transition(f.machine, queue[i]!, e)[0]);
    snaps.push(...queue.slice(0, sample));
  }
  const xs = best(1, () => {
    for (const s of snaps) for (const e of events) transition(f.machine, s, e);
    return 0;
  });
  const fp = new Uint32Array(2);
  let bytes = 0;
  const enc = best(3, () => {
    bytes = 0;
    for (const s of states) {
      buf.reset();
      c.encode(s, buf);
      bytes += buf.length;
    }
    return bytes;
  });
  const encFp = best(3, () => {
    for (const s of states) {
      buf.reset();
      c.encode(s, buf);
      fingerprintInto(buf.buf, 0, buf.length, fp);
    }
    return 0;
  });
  let genericBytes = 0;
  const generic = best(3, () => {
    genericBytes = 0;
    for (const s of states) {
      buf.reset();
      encodeCanonical(s.context, buf);
      genericBytes += buf.length;
    }
    return genericBytes;
  });
  return {
    machine: f.name,
    states: states.length,
    complete: states.length < maxStates,
    events: events.length,
    enabledPairs: enabled,
    nextStatePerSecond: Math.round(pairs / plain),
    nextStateObservedPerSecond: Math.round(pairs / observed),
    observerOverheadPercent: Math.round(((observed - plain) / plain) * 1000) / 10,
    xstateTransitionPerSecond: Math.round((snaps.length * events.length) / xs),
    speedupOverXstate: Math.round((pairs / plain / ((snaps.length * events.length) / xs)) * 10) / 10,
    encodePerSecond: Math.round(states.length / enc),
    encodeFingerprintPerSecond: Math.round(states.length / encFp),
    bytesPerEncoding: Math.round((bytes / states.length) * 10) / 10,
    genericContextEncodePerSecond: Math.round(states.length / generic),
    genericContextBytes: Math.round((genericBytes / states.length) * 10) / 10,
  };
}

const results = [measure(twoPhase(N), 2_000_000), measure(lifecycle, 200_000)];
const tp = results[0]!;
if (TLC[N] !== undefined && tp.complete && tp.states !== TLC[N]) {
  console.error(`TwoPhase N=${N}: ${tp.states} states, TLC counts ${TLC[N]}`);
  process.exit(1);
}
if (JSON_OUT) console.log(JSON.stringify(results, null, 2));
else {
  for (const r of results) {
    console.log(`${r.machine}: ${r.states} states${r.complete ? '' : ' (cut)'}, ${r.events} events, ${r.enabledPairs} enabled pairs`);
    console.log(`  nextState            ${r.nextStatePerSecond.toLocaleString('en')} /s (xstate transition(): ${r.xstateTransitionPerSecond.toLocaleString('en')} /s, ×${r.speedupOverXstate})`);
    console.log(`  nextState + observer ${r.nextStateObservedPerSecond.toLocaleString('en')} /s (coverage overhead ${r.observerOverheadPercent}%)`);
    console.log(`  encode               ${r.encodePerSecond.toLocaleString('en')} /s, ${r.bytesPerEncoding} bytes (generic context encoder: ${r.genericContextEncodePerSecond.toLocaleString('en')} /s, ${r.genericContextBytes} bytes of context)`);
    console.log(`  encode + fingerprint ${r.encodeFingerprintPerSecond.toLocaleString('en')} /s`);
  }
}
