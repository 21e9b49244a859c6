/**
 * The compiled engine: one external event in, the machine's next stable state out — xstate v5's `macrostep()` and
 * initial snapshot (`getInitialSnapshot()`), run on the tables and plans of statechart.ts / select.ts / microstep.ts.
 *
 * XSTATE'S MACROSTEP, MIRRORED
 * - The external event selects transitions (none for `xstate.init`); their microstep runs. Then, while the machine is
 *   active: eventless transitions are selected (their guards see the last event processed); when none is enabled,
 *   the next raised or done event is taken from the internal queue and its transitions selected and run.
 * - After an eventless microstep that changed nothing (same configuration, no history recorded, no `assign`: xstate
 *   returns the same snapshot object) eventless selection pauses until the next queued event.
 * - A microstep that enters a top-level final configuration makes the machine done: the remaining entries still run,
 *   then every active state's exit actions, and the queue is dropped.
 * - Guards and actions see the context as it is when they run; `stateIn` sees the configuration of the snapshot the
 *   step started from (xstate updates `_nodes` only at the end of a microstep).
 *
 * ENABLED. An event is enabled in a state when its macrostep takes at least one transition that is not forbidden
 * (`on: { E: {} }`, no target, no actions: xstate selects it, and it blocks ancestors, but `can()` is false) — in any
 * microstep: the external one, an eventless one (eventless guards see the event), or one of a raised event.
 *
 * Not re-entrant: one Engine per compiled machine per thread (the search is single-threaded per worker).
 */
import type { EventObject } from 'xstate';
import type { StepObserver } from '../model.ts';
import { runActions, type ExecState } from './actions.ts';
import type { ConfigurationTable, HistoryTable } from './configuration.ts';
import { initialNodes } from './configuration.ts';
import { ByteBuffer } from '../bytes.ts';
import { encodeCanonical } from '../canonical.ts';
import { MacrostepLimitError, OrderDependenceError, UnsupportedFeatureError } from './errors.ts';
import type { StepPlanner } from './microstep.ts';
import { alwaysPlanFor, SelectPlans } from './select.ts';
import { MachineState } from './state.ts';
import type { Statechart } from './statechart.ts';
import type { Configuration, HistoryRec, SelectPlan, StepPlan, TransitionRec } from './types.ts';

/** Eventless transitions enabled together whose orders are all tried (5! = 120 trials); more are refused. */
const MAX_ORDER_CHECK = 5;

const trialBuffer = new ByteBuffer(256);

function permutations<T>(list: readonly T[]): T[][] {
  if (list.length <= 1) return [[...list]];
  const out: T[][] = [];
  list.forEach((x, i) => {
    for (const rest of permutations([...list.slice(0, i), ...list.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Microsteps allowed in one macrostep when the machine sets no `options.maxIterations` (xstate would loop forever). */
export const DEFAULT_MICROSTEP_LIMIT = 100_000;

const NONE = new Int32Array(0);

const ACTIVE = 0;
const DONE = 1;

/** Runs macrosteps of one compiled machine. */
export class Engine {
  private readonly ex: ExecState;
  private readonly queue: EventObject[] = [];
  private head = 0;
  private cfg!: Configuration;
  private hist!: HistoryRec;
  private status = ACTIVE;
  private taken = false;
  private obs: StepObserver | undefined;
  /** Scratch list of selected transitions (copied by the planner when it keeps them). */
  private readonly sel: TransitionRec[] = [];
  private readonly maxIterations: number;
  private readonly plans: SelectPlans;

  constructor(
    private readonly chart: Statechart,
    private readonly configs: ConfigurationTable,
    private readonly histories: HistoryTable,
    private readonly planner: StepPlanner,
  ) {
    this.ex = { context: undefined, event: { type: 'xstate.init' }, assigned: false, queue: this.queue, visible: undefined as never };
    const opt = (chart.machine as unknown as { options?: { maxIterations?: number } }).options?.maxIterations;
    this.maxIterations = typeof opt === 'number' && Number.isFinite(opt) ? opt : Infinity;
    this.plans = new SelectPlans(chart.root, chart.nodes);
  }

  /** The initial state (xstate getInitialSnapshot() with no input), reporting what it entered and took to `obs`. */
  initial(obs?: StepObserver): MachineState {
    const { machine, root } = this.chart;
    const initEvent = { type: 'xstate.init', input: undefined } as EventObject;
    const preInitial = this.configs.intern([root]);
    this.begin(preInitial, this.histories.empty, initialContextOf(machine), initEvent, obs);
    const plan = this.planner.initialPlan(preInitial, this.histories.empty, [...initialNodes(root)]);
    this.run(plan, initEvent);
    this.settle(initEvent);
    return new MachineState(this.cfg, this.hist, this.ex.context, this.status === DONE);
  }

  /** The state `event` leads to from `s`, or undefined when it is not enabled (see the header). */
  next(s: MachineState, event: EventObject, obs?: StepObserver): MachineState | undefined {
    if (s.done) return undefined;
    const type = event.type;
    if (type === '*') throw new Error(`An event cannot have the wildcard type ('*')`);
    // xstate stops the actor on this event without selecting any transition: nothing is taken.
    if (type === 'xstate.stop') return undefined;
    const cfg = s.config;
    const ev = this.plans.eventType(type);
    const plan = this.plans.planFor(cfg, ev);
    const always = alwaysPlanFor(cfg);
    // With nothing to select, nothing happens (unless maxIterations < 1, where xstate throws on any macrostep).
    if (plan === null && always === null && this.maxIterations >= 1) {
      if (ev.error) throw errorEventUnsupported(type);
      return undefined;
    }
    this.begin(cfg, s.history, s.context, event, obs);
    let selected = false;
    if (plan !== null && type !== 'xstate.init') {
      if (plan.regions === null) {
        // The common case: one fallback list (no parallel state with candidates in two regions).
        const t = this.firstPassing(plan.list, event);
        if (t !== undefined) {
          selected = true;
          this.microstepOne(t, event);
        }
      } else {
        const sel = this.select(plan, event);
        if (sel.length) {
          selected = true;
          this.microstep(sel, event);
        }
      }
    }
    if (!selected && ev.error) throw errorEventUnsupported(type);
    // settle() would stop at once with nothing queued and no eventless transition in the new configuration.
    if (this.head < this.queue.length || alwaysPlanFor(this.cfg) !== null || this.maxIterations < 1) this.settle(event);
    if (!this.taken) return undefined;
    const context = this.ex.context;
    if (this.cfg === cfg && this.hist === s.history && context === s.context) return s;
    return new MachineState(this.cfg, this.hist, context, this.status === DONE);
  }

  /**
   * The indexes of `events` that may be enabled in `s`: all but those next() turns down before selecting anything
   * (`xstate.stop`, and events no active node has a candidate for, unless eventless transitions or an actor error
   * make next() go on). A function of the configuration: cached on it for the last list of events.
   */
  candidates(s: MachineState, events: readonly EventObject[]): Int32Array {
    if (s.done) return NONE;
    const cfg = s.config;
    const cached = cfg.candidates;
    if (cached !== undefined && cached.events === events) return cached.indexes;
    const always = alwaysPlanFor(cfg) !== null || this.maxIterations < 1;
    const out: number[] = [];
    for (let j = 0; j < events.length; j++) {
      const type = events[j]!.type;
      if (type === 'xstate.stop') continue;
      // '*' is kept: next() throws on it, and so must the search.
      if (always || type === '*') out.push(j);
      else {
        const ev = this.plans.eventType(type);
        if (ev.error || this.plans.planFor(cfg, ev) !== null) out.push(j);
      }
    }
    const indexes = Int32Array.from(out);
    cfg.candidates = { events, indexes };
    return indexes;
  }

  private begin(cfg: Configuration, hist: HistoryRec, context: unknown, event: EventObject, obs: StepObserver | undefined): void {
    this.cfg = cfg;
    this.hist = hist;
    this.status = ACTIVE;
    this.taken = false;
    this.obs = obs;
    if (this.queue.length) this.queue.length = 0;
    this.head = 0;
    const ex = this.ex;
    ex.context = context;
    ex.event = event;
    ex.assigned = false;
    ex.visible = cfg;
  }

  /** The macrostep loop after the first microstep (xstate macrostep()'s `while (status === 'active')`). */
  private settle(event: EventObject): void {
    let current = event;
    let selectEventless = true;
    let iterations = 0;
    while (this.status === ACTIVE) {
      if (++iterations > this.maxIterations) {
        throw new Error(
          `Infinite loop detected: the machine has processed more than ${this.maxIterations} microsteps without reaching a stable state.`,
        );
      }
      if (iterations > DEFAULT_MICROSTEP_LIMIT) throw new MacrostepLimitError(DEFAULT_MICROSTEP_LIMIT, this.cfg.value, event.type);
      let sel: TransitionRec[] = selectEventless ? this.selectEventless(current) : this.clearSelection();
      const eventless: boolean = sel.length > 0;
      if (sel.length > 1) this.checkOrderIndependent(sel, current);
      if (!eventless) {
        if (this.head >= this.queue.length) break;
        current = this.queue[this.head++]!;
        const plan = this.plans.planFor(this.cfg, this.plans.eventType(current.type));
        sel = plan === null ? this.clearSelection() : this.select(plan, current);
      }
      const changed = sel.length ? this.microstep(sel, current) : false;
      selectEventless = eventless ? changed : true;
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
  }

  /**
   * Several eventless transitions selected together: xstate would take them in the order their states were entered,
   * which a state does not record (select.ts). Accept document order only when every order gives the same result
   * (configuration, history, context, raised events, status); otherwise throw OrderDependenceError.
   */
  private checkOrderIndependent(sel: readonly TransitionRec[], event: EventObject): void {
    const list = [...sel];
    if (list.length > MAX_ORDER_CHECK) {
      throw new OrderDependenceError(list.map((t) => t.where), this.cfg.value);
    }
    const base = this.trial(list, event);
    for (const order of permutations(list)) {
      if (order.every((t, i) => t === list[i])) continue;
      if (this.trial(order, event) !== base) throw new OrderDependenceError(list.map((t) => t.where), this.cfg.value);
    }
  }

  /** Runs a microstep for `order` without reporting it and undoes it; returns a key of everything it produced. */
  private trial(order: readonly TransitionRec[], event: EventObject): string {
    const ex = this.ex;
    const saved = { cfg: this.cfg, hist: this.hist, status: this.status, taken: this.taken, obs: this.obs };
    const savedEx = { context: ex.context, event: ex.event, assigned: ex.assigned, visible: ex.visible };
    const queued = this.queue.length;
    this.obs = undefined;
    try {
      const changed = this.microstep(order, event);
      trialBuffer.reset();
      encodeCanonical([this.cfg.id, this.hist.id, this.status, this.taken, changed, ex.context, this.queue.slice(queued)], trialBuffer);
      return Buffer.from(trialBuffer.view()).toString('latin1');
    } finally {
      this.cfg = saved.cfg;
      this.hist = saved.hist;
      this.status = saved.status;
      this.taken = saved.taken;
      this.obs = saved.obs;
      Object.assign(ex, savedEx);
      this.queue.length = queued;
    }
  }

  /** Runs one microstep for the selected transitions; true when xstate would make a new snapshot object. */
  private microstep(sel: readonly TransitionRec[], event: EventObject): boolean {
    const plan = this.planner.planFor(this.cfg, this.hist, sel);
    if (plan.taken) this.taken = true;
    this.run(plan, event);
    return plan.structural || this.ex.assigned;
  }

  /** microstep() for a single selected transition (no list to build). */
  private microstepOne(t: TransitionRec, event: EventObject): boolean {
    const plan = this.planner.planForOne(this.cfg, this.hist, t);
    if (plan.taken) this.taken = true;
    this.run(plan, event);
    return plan.structural || this.ex.assigned;
  }

  /** Executes a plan's actions in xstate's order: exits, transition actions, entries (with done events). */
  private run(plan: StepPlan, event: EventObject): void {
    const ex = this.ex;
    const ac = this.chart.actionContext;
    const obs = this.obs;
    ex.event = event;
    ex.assigned = false;
    ex.visible = this.cfg;
    if (plan.inert && obs === undefined) {
      this.cfg = plan.next;
      this.hist = plan.nextHistory;
      return;
    }
    const { transitions, exits, entries } = plan;
    if (obs) for (let i = 0; i < transitions.length; i++) obs.transition(transitions[i]!.index);
    for (let i = 0; i < exits.length; i++) {
      const ops = exits[i]!.exit;
      if (ops.length) runActions(ops, ex, ac);
    }
    for (let i = 0; i < transitions.length; i++) {
      const ops = transitions[i]!.actions;
      if (ops.length) runActions(ops, ex, ac);
    }
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const node = e.node;
      if (obs) obs.enter(node.index);
      if (node.entry.length) runActions(node.entry, ex, ac);
      if (e.defaultEntry && node.initialActions.length) runActions(node.initialActions, ex, ac);
      for (const d of e.doneEvents) {
        const output = d.outputOf ? resolveOutput(d.outputOf.output, ex.context, event) : undefined;
        this.queue.push({ type: d.type, output } as EventObject);
      }
      if (e.setsDone) this.status = DONE;
    }
    if (this.status === DONE && plan.doneExits) {
      for (const n of plan.doneExits) if (n.exit.length) runActions(n.exit, ex, ac);
    }
    this.cfg = plan.next;
    this.hist = plan.nextHistory;
  }

  private clearSelection(): TransitionRec[] {
    const sel = this.sel;
    if (sel.length) sel.length = 0;
    return sel;
  }

  /** Evaluates a selection plan (xstate transitionNode()) into the scratch list. */
  private select(plan: SelectPlan, event: EventObject): TransitionRec[] {
    const out = this.clearSelection();
    this.selectInto(plan, event, out);
    return out;
  }

  private selectInto(plan: SelectPlan, event: EventObject, out: TransitionRec[]): void {
    const regions = plan.regions;
    if (regions !== null) {
      const before = out.length;
      for (let i = 0; i < regions.length; i++) this.selectInto(regions[i]!, event, out);
      if (out.length > before) return;
    }
    const t = this.firstPassing(plan.list, event);
    if (t !== undefined) out.push(t);
  }

  /** xstate StateNode.next() over a fallback list: the first transition whose guard passes. */
  private firstPassing(list: readonly TransitionRec[], event: EventObject): TransitionRec | undefined {
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      if (t.guard === undefined || this.guardPasses(t, event, true)) return t;
    }
    return undefined;
  }

  /** xstate selectEventlessTransitions(), before conflict resolution (the planner resolves conflicts). */
  private selectEventless(event: EventObject): TransitionRec[] {
    const chains = alwaysPlanFor(this.cfg);
    const out = this.clearSelection();
    if (chains === null) return out;
    for (let c = 0; c < chains.length; c++) {
      const chain = chains[c]!;
      for (let i = 0; i < chain.length; i++) {
        const t = chain[i]!;
        if (t.guard === undefined || this.guardPasses(t, event, false)) {
          if (!out.includes(t)) out.push(t);
          break;
        }
      }
    }
    return out;
  }

  private guardPasses(t: TransitionRec, event: EventObject, wrapErrors: boolean): boolean {
    let ok: boolean;
    if (wrapErrors) {
      try {
        ok = !!t.guard!(this.ex.context, event, this.cfg);
      } catch (err) {
        throw new Error(
          `Unable to evaluate guard in transition for event '${event.type}' in state node '${t.source.id}':\n${(err as Error)?.message ?? err}`,
          { cause: err },
        );
      }
    } else ok = !!t.guard!(this.ex.context, event, this.cfg);
    if (this.obs) this.obs.guard(t.guardIndex, ok);
    return ok;
  }
}

/** xstate's initial context: the config's object, or the factory's result merged into `{}` (no input). */
function initialContextOf(machine: unknown): unknown {
  const context = (machine as { config: { context?: unknown } }).config.context;
  if (typeof context === 'function') {
    const spawn = () => {
      throw new UnsupportedFeatureError([{ feature: 'spawn (in the context factory)', where: 'context' }]);
    };
    return Object.assign({}, {}, context({ spawn, input: undefined, self: undefined }));
  }
  return context ? context : {};
}

/** xstate resolveOutput(): a mapper function of `{ context, event }`, or the value itself. */
function resolveOutput(mapper: unknown, context: unknown, event: EventObject): unknown {
  return typeof mapper === 'function' ? mapper({ context, event, self: undefined }) : mapper;
}

function errorEventUnsupported(type: string): UnsupportedFeatureError {
  // xstate turns an unhandled actor error event into an `error` status snapshot: a state the explorer does not model.
  return new UnsupportedFeatureError([{ feature: `unhandled actor error event '${type}' (xstate's error status)`, where: 'the event list' }]);
}
