/**
 * The interpreted mode: for a machine that uses what the compiled engine does not run (invoke, spawn, delays,
 * sendTo, ...), each step is xstate's own `machine.transition()` on a snapshot rebuilt from the state
 * (`machine.resolveState` with the history values), exactly as xstate's pure `transition()` runs it (a fresh inert
 * actor scope per call), with xstate's inspection events telling which transitions each microstep took.
 *
 * WHAT IT DOES NOT KEEP. A state is its value, context and history values; child actors (invoked or spawned) are not
 * part of it and are never started by `transition()`, so they are not carried from one state to the next, and an
 * action that needs one (sendTo a child) fails when it is reached. Coverage is approximate here: transitions are
 * those xstate selected (before conflict resolution), entered states those that became active (re-entries are not
 * seen) and guard outcomes are not reported. compile.ts says so in its warnings.
 */
import { createActor, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';
import type { StepObserver } from '../model.ts';
import type { ConfigurationTable, HistoryTable } from './configuration.ts';
import { MachineState } from './state.ts';
import type { Statechart } from './statechart.ts';
import type { NodeRec } from './types.ts';

interface Microstep {
  type: string;
  snapshot: AnyMachineSnapshot;
  _transitions: { target?: unknown[]; actions: unknown[]; reenter: boolean }[];
}

/** Runs steps of a machine through xstate itself. */
export class Interpreter {
  private readonly xsNodes: unknown[];
  private readonly slotById = new Map<string, number>();

  constructor(
    private readonly chart: Statechart,
    private readonly configs: ConfigurationTable,
    private readonly histories: HistoryTable,
  ) {
    this.xsNodes = new Array(chart.nodes.length);
    for (const [xs, rec] of chart.nodeOf) this.xsNodes[rec.index] = xs;
    chart.historyNodes.forEach((h, slot) => this.slotById.set(h.id, slot));
  }

  /** xstate getInitialSnapshot() with no input. */
  initial(obs?: StepObserver): MachineState {
    const machine = this.chart.machine;
    const { scope, steps } = this.inertScope();
    const snap = machine.getInitialSnapshot(scope as never, undefined) as AnyMachineSnapshot;
    if (snap.status === 'error') throw snap.error;
    if (obs) this.observe(steps, new Set(), obs);
    return this.toState(snap);
  }

  /** xstate transition(); undefined when no microstep took a transition that is not forbidden. */
  next(s: MachineState, event: EventObject, obs?: StepObserver): MachineState | undefined {
    if (s.done) return undefined;
    const machine = this.chart.machine;
    const before = this.toSnapshot(s);
    const { scope, steps } = this.inertScope();
    const after = machine.transition(before, event, scope as never) as AnyMachineSnapshot;
    const taken = steps.some((m) => m._transitions.some((t) => t.target !== undefined || t.actions.length > 0 || t.reenter));
    if (!taken) return undefined;
    if (after.status === 'error') throw after.error;
    if (obs) this.observe(steps, new Set((before as unknown as { _nodes: unknown[] })._nodes), obs);
    return this.toState(after);
  }

  /** What xstate's transition() builds for each call: an inert scope on a fresh actor, here with inspection. */
  private inertScope(): { scope: object; steps: Microstep[] } {
    const steps: Microstep[] = [];
    const self = createActor(this.chart.machine as AnyStateMachine, {
      inspect: (ev) => {
        if (ev.type === '@xstate.microstep') steps.push(ev as unknown as Microstep);
      },
    });
    steps.length = 0; // the actor's own eager initial snapshot is not ours
    const noop = () => {};
    const scope = { self, defer: noop, id: '', logger: noop, sessionId: '', stopChild: noop, system: self.system, emit: noop, actionExecutor: noop };
    return { scope, steps };
  }

  private observe(steps: Microstep[], before: Set<unknown>, obs: StepObserver): void {
    let prev = before;
    for (const m of steps) {
      for (const t of m._transitions) {
        const rec = this.chart.transitionOf.get(t);
        if (rec) obs.transition(rec.index);
      }
      const now = new Set((m.snapshot as unknown as { _nodes: unknown[] })._nodes);
      for (const n of now) if (!prev.has(n)) obs.enter(this.chart.nodeOf.get(n)!.index);
      prev = now;
    }
  }

  private toSnapshot(s: MachineState): AnyMachineSnapshot {
    const historyValue: Record<string, unknown[]> = {};
    const { slots, historyNodes } = s.history;
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v) historyValue[historyNodes[i]!.id] = v.map((n) => this.xsNodes[n.index]);
    }
    return this.chart.machine.resolveState({ value: s.value, context: s.context, historyValue } as never) as AnyMachineSnapshot;
  }

  private toState(snap: AnyMachineSnapshot): MachineState {
    const nodes = (snap as unknown as { _nodes: unknown[] })._nodes.map((n) => this.chart.nodeOf.get(n)!);
    const config = this.configs.intern(nodes);
    let history = this.histories.empty;
    const hv = (snap as unknown as { historyValue?: Record<string, unknown[]> }).historyValue ?? {};
    const keys = Object.keys(hv);
    if (keys.length) {
      const slots = new Array<NodeRec[] | undefined>(this.chart.historyNodes.length);
      for (const k of keys) {
        const slot = this.slotById.get(k);
        if (slot === undefined) continue;
        slots[slot] = hv[k]!.map((n) => this.chart.nodeOf.get(n)!);
      }
      history = this.histories.intern(slots);
    }
    return new MachineState(config, history, snap.context, snap.status === 'done');
  }
}
