/**
 * An XState v5 machine compiled into the explorer's Model: its state nodes, transitions, guards and actions are read
 * once (machine/statechart.ts) and run directly (machine/macrostep.ts) with xstate's own semantics — the reference
 * the differential tests hold it to is a breadth-first search over xstate's pure `transition()`. A machine that uses
 * what the compiler does not run (invoke, spawn, delays, sendTo, ...) is run through xstate's `transition()` instead
 * (mode 'interpreted', with a warning naming each feature and where it is), or refused with those names when
 * `allowFallback` is false. Nothing is ever run approximately in compiled mode: what the engine meets at run time and
 * cannot run (a `sendTo` enqueued by `enqueueActions`, a `spawn` inside `assign`) throws UnsupportedFeatureError; a
 * state where xstate's answer depends on its hidden entry order (machine/select.ts) throws OrderDependenceError; a
 * macrostep that never settles throws MacrostepLimitError.
 *
 * STATE IDENTITY. A state is the machine's active configuration (hence its state value), its history values and its
 * context; `encode` writes exactly those. Snapshot fields that are not identity (output, tags, children, the order
 * xstate happened to enter states in) are not kept.
 *
 * COVERAGE. `stateNodes`, `transitions` and `guards` are the static universe (issue 7); `initStates(observer)` and
 * `nextState(s, e, observer)` report to the observer, by index into those tables, every state entered, every
 * transition taken and every guard outcome evaluated, including in eventless and raised-event microsteps and in
 * macrosteps that turn out not to be enabled (their guards were still evaluated false).
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import { ConfigurationTable, HistoryTable } from './machine/configuration.ts';
import { contextCodecFor, type ContextCodec } from './machine/contextCodec.ts';
import { decodeMachineState, encodeMachineState } from './machine/encode.ts';
import { UnsupportedFeatureError } from './machine/errors.ts';
import { Interpreter } from './machine/fallback.ts';
import { safeJson } from './machine/guards.ts';
import { Engine } from './machine/macrostep.ts';
import { StepPlanner } from './machine/microstep.ts';
import { MachineState } from './machine/state.ts';
import { readStatechart, type Statechart } from './machine/statechart.ts';
import type { GuardInfo, StateNodeInfo, TransitionInfo } from './machine/types.ts';
import type { ActionCandidates } from './expand.ts';
import type { ByteSink, ByteSource, ExploreModelOptions, Model, ModelModule, StatePredicate, StepObserver } from './model.ts';

export { MachineState } from './machine/state.ts';
export { MacrostepLimitError, OrderDependenceError, UnsupportedFeatureError } from './machine/errors.ts';
export type { GuardInfo, NodeKind, StateNodeInfo, TransitionInfo } from './machine/types.ts';

/** Options of compileMachine / compileModelModule. */
export interface CompileOptions {
  /**
   * When the machine uses a feature the compiler does not run: true (default) runs it through xstate's
   * `transition()` (mode 'interpreted', with warnings); false refuses it with an UnsupportedFeatureError.
   */
  allowFallback?: boolean;
}

/** A compiled machine: the explorer's Model except `actions()` (the model module supplies the events). */
export interface CompiledMachine extends Omit<Model<MachineState, EventObject>, 'actions'> {
  /** 'compiled': run by the compiled engine; 'interpreted': every step through xstate's transition(). */
  readonly mode: 'compiled' | 'interpreted';
  /** Why the machine is interpreted, what the engine does not run, and other things a user should know. */
  readonly warnings: readonly string[];
  /** Every state node, by index (document order), root and history nodes included (see `kind` and `root`). */
  readonly stateNodes: readonly StateNodeInfo[];
  /** Every transition definition: each entry of an `on` (incl. onDone) or `always` list, per source node. */
  readonly transitions: readonly TransitionInfo[];
  /** Every guarded transition's guard. */
  readonly guards: readonly GuardInfo[];
  /** The initial state (one: xstate machines are deterministic), reporting what the initial macrostep did. */
  initStates(observer?: StepObserver): MachineState[];
  /** The state with this value and context (a partial value is completed with initial states), and `history`'s history values. */
  stateOf(value: unknown, context: unknown, history?: MachineState): MachineState;
  /**
   * expand.ts's ActionCandidates: the indexes of `events` that may be enabled in `s` (undefined: all of them).
   * Cached per configuration for the last list asked about: the list's content must not change.
   */
  candidates(s: MachineState, events: readonly EventObject[]): ArrayLike<number> | undefined;
}

/** Compiles an XState v5 machine (see the file header for what is supported and what happens otherwise). */
export function compileMachine(machine: AnyStateMachine, opts: CompileOptions = {}): CompiledMachine {
  const chart = readStatechart(machine);
  const allowFallback = opts.allowFallback ?? true;
  const warnings: string[] = [];
  let mode: 'compiled' | 'interpreted' = 'compiled';
  if (chart.unsupported.length) {
    if (!allowFallback) throw new UnsupportedFeatureError(chart.unsupported);
    mode = 'interpreted';
    warnings.push(
      `interpreted through xstate's transition() (much slower) because the compiler does not run: ` +
        `${chart.unsupported.map((u) => `${u.feature} at ${u.where}`).join('; ')}. ` +
        'Child actors are not part of a state and are never started; coverage counts here are approximate.',
    );
  }
  if (chart.customActions.length) {
    warnings.push(
      `custom actions are side effects and are not run while exploring (xstate's transition() does not run them either; ` +
        `they cannot change the state value or context): ${chart.customActions.join(', ')}`,
    );
  }
  return new Compiled(chart, mode, warnings);
}

class Compiled implements CompiledMachine {
  readonly stateNodes: readonly StateNodeInfo[];
  readonly transitions: readonly TransitionInfo[];
  readonly guards: readonly GuardInfo[];
  private readonly configs: ConfigurationTable;
  private readonly histories: HistoryTable;
  private readonly engine: Engine | undefined;
  private readonly interpreter: Interpreter | undefined;
  private readonly codec: ContextCodec;

  constructor(
    private readonly chart: Statechart,
    readonly mode: 'compiled' | 'interpreted',
    readonly warnings: readonly string[],
  ) {
    this.stateNodes = chart.stateNodeTable;
    this.transitions = chart.transitionTable;
    this.guards = chart.guardTable;
    this.configs = new ConfigurationTable(chart.nodes, chart.root);
    this.histories = new HistoryTable(chart.historyNodes);
    if (mode === 'compiled') {
      const planner = new StepPlanner(chart.root, this.configs, this.histories, chart.historyNodes.length > 0);
      this.engine = new Engine(chart, this.configs, this.histories, planner);
    } else {
      this.interpreter = new Interpreter(chart, this.configs, this.histories);
    }
    // The context encoder's template is the initial context's shape: the same in every process.
    let sample: unknown;
    try {
      sample = this.initStates()[0]!.context;
    } catch {
      sample = undefined; // initStates() will throw again when the search calls it; until then, encode generically
    }
    this.codec = contextCodecFor(sample);
  }

  initStates(observer?: StepObserver): MachineState[] {
    return [this.engine ? this.engine.initial(observer) : this.interpreter!.initial(observer)];
  }

  nextState(s: MachineState, a: EventObject, observer?: StepObserver): MachineState | undefined {
    return this.engine ? this.engine.next(s, a, observer) : this.interpreter!.next(s, a, observer);
  }

  candidates(s: MachineState, events: readonly EventObject[]): ArrayLike<number> | undefined {
    return this.engine?.candidates(s, events);
  }

  isFinal(s: MachineState): boolean {
    return s.done;
  }

  encode(s: MachineState, sink: ByteSink): void {
    encodeMachineState(s, sink, this.codec);
  }

  decode(src: ByteSource): MachineState {
    return decodeMachineState(src, this.chart.nodes, this.configs, this.histories, this.codec);
  }

  formatAction(a: EventObject): string {
    return formatEvent(a);
  }

  stateOf(value: unknown, context: unknown, history?: MachineState): MachineState {
    const config = this.configs.fromValue(value as never);
    return new MachineState(config, history?.history ?? this.histories.empty, context, config.rootFinal);
  }
}

/** `TYPE` for an event with no payload, `TYPE {"rm":1}` otherwise (bigints as `123n`). */
export function formatEvent(e: EventObject): string {
  const { type, ...rest } = e as EventObject & Record<string, unknown>;
  return Object.keys(rest).length ? `${type} ${safeJson(rest)}` : type;
}

/** A model module's export that is not what the explorer needs: `field` names it. */
export class ModelModuleError extends Error {
  constructor(
    /** `machine`, `events`, `invariants`, `options`, `options.maxStates`, ... */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ModelModuleError';
  }
}

/** A model module compiled for the search. */
export interface CompiledModel {
  /** The Model the search runs: the compiled machine with the module's events and options. */
  readonly model: Model<MachineState, EventObject>;
  /** The compiled machine itself (universe tables, mode). */
  readonly machine: CompiledMachine;
  /** The module's invariants; each receives the MachineState (which has `value` and `context`). */
  readonly invariants: Record<string, StatePredicate<MachineState>>;
  readonly options: ExploreModelOptions<MachineState>;
  readonly warnings: readonly string[];
}

/** Validates and compiles a model module's default export (`{ machine, events, invariants, options? }`). */
export function compileModelModule(mod: ModelModule, opts: CompileOptions = {}): CompiledModel {
  if (!mod || typeof mod !== 'object') throw new ModelModuleError('default export', 'must be an object { machine, events, invariants, options? }');
  let machine: CompiledMachine;
  try {
    machine = compileMachine(mod.machine as AnyStateMachine, opts);
  } catch (err) {
    if (err instanceof TypeError) throw new ModelModuleError('machine', err.message);
    throw err;
  }
  const events = checkEvents(mod.events);
  const invariants = checkInvariants(mod.invariants);
  const options = checkOptions(mod.options);
  const canonicalize = options.canonicalize;
  const model: Model<MachineState, EventObject> & Partial<ActionCandidates<MachineState, EventObject>> = {
    initStates: machine.initStates.bind(machine),
    actions: events,
    nextState: machine.nextState.bind(machine),
    // Only for a fixed list of events: the machine caches its answer per configuration and list, and a function
    // may return one array whose content it changes.
    ...(Array.isArray(mod.events) ? { candidates: machine.candidates.bind(machine) } : {}),
    isFinal: machine.isFinal.bind(machine),
    encode: machine.encode.bind(machine),
    decode: machine.decode.bind(machine),
    formatAction: machine.formatAction.bind(machine),
  };
  if (canonicalize) {
    model.representative = (s) => {
      const r = canonicalize(s) as unknown;
      if (r instanceof MachineState) return r;
      if (!r || typeof r !== 'object' || !('value' in r) || !('context' in r)) {
        throw new ModelModuleError('options.canonicalize', 'must return a state { value, context }');
      }
      const { value, context } = r as { value: unknown; context: unknown };
      if (value === s.value && context === s.context) return s;
      return value === s.value ? new MachineState(s.config, s.history, context, s.done) : machine.stateOf(value, context, s);
    };
  }
  return { model, machine, invariants, options, warnings: machine.warnings };
}

function checkEvents(events: unknown): (s: MachineState) => readonly EventObject[] {
  if (Array.isArray(events)) {
    events.forEach((e, i) => checkEvent(e, `events[${i}]`));
    const list = events as EventObject[];
    return () => list;
  }
  if (typeof events === 'function') {
    return (s) => {
      const list = events(s) as unknown;
      if (!Array.isArray(list)) throw new ModelModuleError('events', `the function returned ${typeof list}, not an array of events`);
      for (let i = 0; i < list.length; i++) checkEvent(list[i], `events(state)[${i}]`);
      return list as EventObject[];
    };
  }
  throw new ModelModuleError('events', 'must be an array of event objects or a function (state) => event objects');
}

function checkEvent(e: unknown, field: string): void {
  if (!e || typeof e !== 'object' || typeof (e as { type?: unknown }).type !== 'string') {
    throw new ModelModuleError(field, 'must be an event object with a string `type`');
  }
  if ((e as EventObject).type === '*') throw new ModelModuleError(field, "an event cannot have the wildcard type '*'");
}

function checkInvariants(invariants: unknown): Record<string, StatePredicate<MachineState>> {
  if (!invariants || typeof invariants !== 'object' || Array.isArray(invariants)) {
    throw new ModelModuleError('invariants', 'must be an object mapping names to predicates (state) => boolean');
  }
  for (const [name, f] of Object.entries(invariants)) {
    if (typeof f !== 'function') throw new ModelModuleError(`invariants.${name}`, 'must be a function (state) => boolean');
  }
  return invariants as Record<string, StatePredicate<MachineState>>;
}

function checkOptions(options: unknown): ExploreModelOptions<MachineState> {
  if (options === undefined) return {};
  if (!options || typeof options !== 'object') throw new ModelModuleError('options', 'must be an object');
  const o = options as Record<string, unknown>;
  if (o.checkDeadlock !== undefined && typeof o.checkDeadlock !== 'boolean') {
    throw new ModelModuleError('options.checkDeadlock', 'must be a boolean');
  }
  for (const k of ['maxStates', 'maxDepth'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
      throw new ModelModuleError(`options.${k}`, 'must be a non-negative integer');
    }
  }
  if (o.canonicalize !== undefined && typeof o.canonicalize !== 'function') {
    throw new ModelModuleError('options.canonicalize', 'must be a function (state) => state');
  }
  return o as ExploreModelOptions<MachineState>;
}
