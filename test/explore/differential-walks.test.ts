/**
 * Random walks on larger machines: the compiled model and xstate's transition() agree step by step — on whether
 * the chosen event is enabled, and on the next state's value, context and history values. Every few steps the
 * compiled state is replaced by decode(encode(state)), so decoded states are walked too. Seeds are fixed, so a
 * failure prints a replayable seed and path.
 */
import { initialTransition, type AnyMachineSnapshot } from 'xstate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuffer, ByteReader } from '../../src/explore/bytes.ts';
import { compileMachine, type MachineState } from '../../src/explore/compile.ts';
import { lifecycle, twoPhase, workshop, type WalkFixture } from './machines/large.ts';
import { eventKey, referenceStep, snapshotKey, stateKey, type Events } from './machines/reference.ts';

const STEPS = 60;
const RUNS = 80;

function eventsIn(events: Events, s: { value: unknown; context: unknown }) {
  return typeof events === 'function' ? events(s) : events;
}

function walk(f: WalkFixture, choices: readonly number[]): void {
  const c = compileMachine(f.machine, { allowFallback: false });
  const buf = new ByteBuffer();
  let [snap] = initialTransition(f.machine) as [AnyMachineSnapshot, unknown];
  let s: MachineState = c.initStates()[0]!;
  expect(stateKey(s)).toBe(snapshotKey(snap));
  const path: string[] = [];
  for (let i = 0; i < choices.length; i++) {
    if (snap.status === 'done') {
      expect(c.isFinal(s)).toBe(true);
      [snap] = initialTransition(f.machine) as [AnyMachineSnapshot, unknown];
      s = c.initStates()[0]!;
      path.push('(restart)');
      continue;
    }
    const events = eventsIn(f.events, snap);
    const e = events[choices[i]! % events.length]!;
    path.push(eventKey(e));
    const ref = referenceStep(f.machine, snap, e);
    const next = c.nextState(s, e);
    const where = `after ${path.join(' ')}`;
    expect(next !== undefined, `${where}: enabled`).toBe(ref.taken);
    if (!next) continue;
    expect(stateKey(next), where).toBe(snapshotKey(ref.next));
    expect(c.isFinal(next), where).toBe(ref.next.status === 'done');
    snap = ref.next;
    s = next;
    if (i % 3 === 2) {
      buf.reset();
      c.encode(s, buf);
      s = c.decode(new ByteReader(buf.copy()));
      expect(stateKey(s), `${where}: decode(encode(s))`).toBe(snapshotKey(snap));
    }
  }
}

describe('random walks agree with xstate step by step', () => {
  const machines = [twoPhase(3), lifecycle, workshop];
  machines.forEach((f, k) => {
    it(`${f.name}: ${RUNS} walks of ${STEPS} steps`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: STEPS, maxLength: STEPS }), (choices) => walk(f, choices)),
        { seed: 20240601 + k, numRuns: RUNS },
      );
    });
  });
});
