/**
 * The live-update lifecycle statechart (machines/lifecycle.ts) over the kernel model: its phases follow what the
 * kernel did, the compiled explorer sees exactly the graph xstate's own transition() gives, a path is a trace that
 * replays to the same outcome, and a strategy's calls are checked as trace steps when the model is built.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyStateMachine } from 'xstate';
import { compileMachine } from '../../src/explore/compile.ts';
import { safeJson } from '../../src/explore/machine/guards.ts';
import { loadTraceText } from '../../src/trace/load.ts';
import { replayTrace } from '../../src/trace/runner.ts';
import { KERNEL_API } from '../../src/trace/kernelApi.ts';
import { lifecycleModel, phaseOf, type LifecycleEvent, type LifecycleState } from '../../machines/lifecycle.ts';
import type { Environment, Strategy } from '../../machines/strategy.ts';
import proposed from '../../machines/strategies/s4-hitless-replace/proposed.ts';
import hardened from '../../machines/strategies/s4-hitless-replace/hardened.ts';
import { compiledGraph, graphDifferences, referenceGraph } from '../explore/machines/reference.ts';

const env = (over: Partial<Environment> = {}): Environment => ({
  from: 'linux-7.1-sk-restore',
  to: 'linux-7.1-sk-restore',
  config: { memfds: [{ name: 'guest', pages: 16 }], devices: [{ name: 'dev0' }] },
  userspace: { kind: 'faithful' },
  dma: [],
  ...over,
});

/** Follows `pick` (an index into events(state)) from the initial state with xstate itself; returns phases and path. */
function walk(strategy: Strategy, e: Environment, pick: (events: LifecycleEvent[], state: LifecycleState) => number = () => 0) {
  const m = lifecycleModel(strategy, e);
  const machine = m.machine as unknown as AnyStateMachine;
  let [snap] = initialTransition(machine);
  const phases = [phaseOf(snap.value)];
  const path: LifecycleEvent[] = [];
  for (let i = 0; i < 100; i++) {
    const state = { value: snap.value, context: snap.context } as LifecycleState;
    const events = m.events(state);
    if (events.length === 0) break;
    const ev = events[pick(events, state)]!;
    path.push(ev);
    [snap] = transition(machine, snap, ev);
    const p = phaseOf(snap.value);
    if (p !== phases[phases.length - 1]) phases.push(p);
  }
  return { m, snap, phases, path };
}

describe('the lifecycle statechart', () => {
  it('walks the S4 procedure through every phase to finished, with no invariant broken', () => {
    const { snap, phases } = walk(proposed, env());
    expect(phases).toEqual(['running', 'preserving', 'restored', 'retrieving', 'replaced', 'finished']);
    expect(snap.status).toBe('done');
    expect((snap.context as LifecycleState['context']).broken).toEqual([]);
  });

  it('goes to freezeFailed when the freeze fails, and on when the KEXEC is tried again', () => {
    const faults = [[{ name: 'freeze-fails' as const, token: '0x2' }]];
    let failedOnce = false;
    const { phases } = walk(proposed, env({ faults }), (events) => {
      const faulty = events.findIndex((e) => e.step.op === 'KEXEC' && 'faults' in e.step && e.step.faults !== undefined);
      if (faulty >= 0 && !failedOnce) {
        failedOnce = true;
        return faulty;
      }
      return 0;
    });
    expect(phases).toEqual(['running', 'preserving', 'freezeFailed', 'restored', 'retrieving', 'replaced', 'finished']);
  });

  it('loses the translation on a rollback to a kernel without the IOMMU handler (domain.md §E)', () => {
    const { snap, phases } = walk(proposed, env({ to: 'linux-7.1' }));
    expect(phases).toEqual(['running', 'preserving', 'translationLost']);
    expect((snap.context as LifecycleState['context']).broken).toEqual(expect.arrayContaining(['dma-never-faults', 'fail-stop']));
  });

  it('proposed switches in a rebuild from the wrong offset; hardened refuses it', () => {
    const wrong = (events: LifecycleEvent[]) => Math.max(0, events.findIndex((e) => e.kind === 'instead' && e.why.includes('offset')));
    const adv = env({ userspace: { kind: 'adversarial', deviations: 1, calls: ['wrong-offset'] } });
    const p = walk(proposed, adv, wrong);
    expect(p.phases).toContain('replaced');
    expect((p.snap.context as LifecycleState['context']).broken).toEqual(['dma-never-faults', 'reconstruction-equivalent']);
    const h = walk(hardened, adv, wrong);
    expect(h.phases[h.phases.length - 1]).toBe('refused');
    expect((h.snap.context as LifecycleState['context']).broken).toEqual([]);
  });

  it('a path is a trace that replays to the same results and the same broken invariants', () => {
    const adv = env({ userspace: { kind: 'adversarial', deviations: 1, calls: ['wrong-offset'] } });
    const { m, path } = walk(proposed, adv, (events) => Math.max(0, events.findIndex((e) => e.kind === 'instead')));
    const trace = m.toTrace(path, 'test');
    const loaded = loadTraceText('path.trace.json', JSON.stringify(trace));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const report = replayTrace(loaded.trace, KERNEL_API);
    expect(report.lines.length).toBe(path.length);
    expect(report.lines.every((l) => l.result === 'ok')).toBe(true);
    expect(Object.keys(report.summary.violationsByInvariant).sort()).toEqual(['dma-never-faults', 'reconstruction-equivalent']);
  });

  for (const [name, strategy] of [['proposed', proposed], ['hardened', hardened]] as const) {
    it(`compiled for the explorer, ${name} with an adversarial VMM has exactly the graph of xstate's transition()`, () => {
      const m = lifecycleModel(strategy, env({ userspace: { kind: 'adversarial', deviations: 1 }, faults: [[{ name: 'freeze-fails', token: '0x2' }]] }));
      const compiled = compileMachine(m.machine as unknown as AnyStateMachine, { allowFallback: false });
      expect(compiled.mode).toBe('compiled');
      const events = (s: { value: unknown; context: unknown }) => m.events(s as LifecycleState);
      const ref = referenceGraph(m.machine as unknown as AnyStateMachine, events);
      const got = compiledGraph(compiled, events);
      const show = (k: string): string => {
        const s = got.states.get(k) ?? ref.snapshots.get(k);
        return s ? safeJson({ value: s.value, pc: (s.context as LifecycleState['context']).pc }) : '?';
      };
      expect(graphDifferences(ref, got, show)).toEqual([]);
      expect(got.edges.size).toBeGreaterThan(40);
    });
  }

  it('checks every call of a strategy as a trace step when the model is built', () => {
    const typo: Strategy = {
      ...proposed,
      vmm: (e) => {
        const v = proposed.vmm(e);
        return { ...v, menu: [...v.menu, { step: { op: 'IOMMU_IOAS_UNMAP', iommufd: 'ifd', ioas_id: 'ioas2', iova: '0x0', lenght: '0x1000' } as never, why: 'a typo' }] };
      },
    };
    expect(() => lifecycleModel(typo, env())).toThrow(/strategy s4-hitless-replace\/proposed: the call "a typo" \(IOMMU_IOAS_UNMAP\) is not a valid trace step/);
    expect(() => lifecycleModel(proposed, env({ userspace: { kind: 'adversarial', deviations: 1, calls: ['no-such-call'] } }))).toThrow(/no-such-call/);
  });
});
