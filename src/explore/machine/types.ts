/**
 * The compiled statechart's tables and the records the engine works on. Everything here is built once per machine by
 * statechart.ts (nodes, transitions, guards, action ops) or interned once per configuration by configuration.ts, and
 * never mutated afterwards except the per-configuration caches, which only ever grow and hold values that are a pure
 * function of their key (so a cache hit and a miss give the same answer).
 *
 * Node indexes are xstate's document order (`StateNode.order`: the root is 0, then a depth-first pre-order walk of
 * `states` in key order), so they are the same in every process that loads the same machine definition: encodings
 * and coverage ids rely on that.
 */
import type { EventObject, StateValue } from 'xstate';

/** The kinds of xstate state nodes (`StateNode.type`). */
export type NodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One xstate state node, by index. */
export interface NodeRec {
  /** Document order (xstate `StateNode.order`); also the index in every node table. */
  readonly index: number;
  /** xstate id (`machine.path` joined with dots, or the config's explicit `id`). */
  readonly id: string;
  readonly key: string;
  readonly path: readonly string[];
  readonly kind: NodeKind;
  readonly parent: NodeRec | undefined;
  /** Non-history children in `states` key order (xstate getChildren()). */
  children: NodeRec[];
  /** History children in `states` key order (xstate getHistoryNodes()). */
  historyChildren: NodeRec[];
  /** 'shallow' | 'deep' for history nodes, false otherwise. */
  readonly history: 'shallow' | 'deep' | false;
  /** For a history node: its slot in the history tables; -1 otherwise. */
  historySlot: number;
  /**
   * For a history node: its default transition's targets when nothing is recorded (xstate
   * resolveHistoryDefaultTransition()), and whether that default is the parent's own initial transition.
   */
  historyDefault: { readonly target: readonly NodeRec[]; readonly parentInitial: boolean } | undefined;
  /** Compound nodes: the initial transition's target (may be a history node) and its actions. */
  initialTarget: NodeRec | undefined;
  initialActions: ActionOp[];
  entry: ActionOp[];
  exit: ActionOp[];
  /** Transitions keyed by event descriptor, in xstate's `StateNode.transitions` Map order. */
  on: Map<string, TransitionRec[]>;
  /** Eventless transitions (`always`), in order; empty when none. */
  always: TransitionRec[];
  /** Final nodes: the `output` mapper or value sent with the parent's done event. */
  readonly output: unknown;
  /** The node's `tags`. */
  readonly tags: readonly string[];
  /** Memo: candidate transitions per event type (xstate getCandidates, memoised the same way). */
  readonly candidates: Map<string, TransitionRec[]>;
}

/** A compiled guard: evaluated against the context, the event and the configuration the guard sees. */
export type GuardFn = (context: unknown, event: EventObject, config: Configuration) => boolean;

/** One transition definition: an entry of a node's `on` (incl. onDone) or `always` list. */
export interface TransitionRec {
  /** Index in the transition table (coverage id). */
  readonly index: number;
  readonly source: NodeRec;
  /** Event descriptor (`'A'`, `'a.*'`, `'*'`, `'xstate.done.state.id'`), or null for an eventless transition. */
  readonly descriptor: string | null;
  /** undefined when the transition has no target (targetless / forbidden). */
  readonly target: readonly NodeRec[] | undefined;
  readonly reenter: boolean;
  readonly actions: ActionOp[];
  readonly guard: GuardFn | undefined;
  /** Index in the guard table (coverage id) or -1 when unguarded. */
  readonly guardIndex: number;
  /** No target, no actions, not reenter: xstate selects it (it blocks ancestors) but `can()` says false. */
  readonly forbidden: boolean;
  /** Where it is defined, for messages: `#id on EVENT[0]`. */
  readonly where: string;
}

/** The initial microstep's synthetic transition (xstate initialMicrostep) and history defaults share this shape. */
export interface TransitionLike {
  readonly source: NodeRec;
  readonly target: readonly NodeRec[] | undefined;
  readonly reenter: boolean;
}

/** What the engine's action runner executes. Built from xstate action values by actions.ts. */
export type ActionOp =
  /** `keys`: the property names of an object-form assignment (null for a function assignment). */
  | { readonly kind: 'assign'; readonly assignment: unknown; readonly keys: readonly string[] | null; readonly params: ParamsSpec; readonly where: string }
  | { readonly kind: 'raise'; readonly event: unknown; readonly params: ParamsSpec; readonly where: string }
  | { readonly kind: 'enqueue'; readonly collect: Function; readonly params: ParamsSpec; readonly where: string }
  /** A built-in or custom action that cannot change value, context or the event queue under xstate's transition(). */
  | { readonly kind: 'skip' }
  /** A feature the compiled engine does not run; reaching it throws (compile-time scans keep these out of compiled mode). */
  | { readonly kind: 'unsupported'; readonly feature: string; readonly where: string };

/** Action params as xstate resolves them: absent, a value, or a function of `{ context, event }`. */
export type ParamsSpec = { readonly fn: Function } | { readonly value: unknown } | undefined;

/** An interned set of active state nodes (xstate `snapshot._nodes` as a set). */
export interface Configuration {
  /** Intern id, local to this process (never encoded). */
  readonly id: number;
  /** Active nodes sorted by document order. */
  readonly nodes: readonly NodeRec[];
  /** Membership by node index. */
  readonly has: Uint8Array;
  /** Active atomic and final nodes in document order: they determine the configuration (ancestors implied). */
  readonly atomics: readonly NodeRec[];
  /** The configuration's part of a state's encoding, as a ByteBuffer writes it (encode.ts): written by one copy. */
  readonly encoded: Uint8Array;
  /** xstate's state value for these nodes (frozen, shared by every state in this configuration). */
  readonly value: StateValue;
  /** True when the root is in a final state (xstate `status: 'done'`). */
  readonly rootFinal: boolean;
  /** Tags of the active nodes (xstate `snapshot.tags`). */
  readonly tags: ReadonlySet<string>;
  /** Cache: transition-selection plan per event type with many owners (select.ts), by event-type id (null: no candidate anywhere; undefined: not computed). */
  readonly selectPlans: (SelectPlan | null | undefined)[];
  /** Cache: macrostep.ts's `candidates` for the last list of events asked about. */
  candidates: { readonly events: readonly EventObject[]; readonly indexes: Int32Array } | undefined;
  /** Cache: eventless chains per atomic node; null when no active node has `always`; undefined until computed. */
  alwaysPlan: (readonly TransitionRec[])[] | null | undefined;
  /** Cache: microstep plans keyed by the selected transitions (and the history value when the machine has history). */
  readonly steps: Map<number | string, StepPlan>;
  /** Cache: outcomes of `stateIn(value)` guards by stateIn id. */
  stateIn: Map<number, boolean> | undefined;
}

/** Interned history values: per history slot, the remembered nodes (sorted by document order) or undefined. */
export interface HistoryRec {
  readonly id: number;
  readonly slots: readonly (readonly NodeRec[] | undefined)[];
  readonly key: string;
  /** The history nodes, by slot (shared by every record of a machine). */
  readonly historyNodes: readonly NodeRec[];
}

/**
 * How to select transitions for one event type in one configuration (xstate transitionNode()): `list` is tried in
 * order and the first transition whose guard passes is selected; a parallel node with two or more regions that have
 * candidates selects from each region, and falls back to `list` only when no region selected anything.
 */
export interface SelectPlan {
  readonly regions: readonly SelectPlan[] | null;
  readonly list: readonly TransitionRec[];
}

/** One state entered by a microstep, with what entering it does besides its entry actions. */
export interface EntryStep {
  readonly node: NodeRec;
  /** Entered by default (xstate statesForDefaultEntry): its `initial` transition's actions run after its entry. */
  readonly defaultEntry: boolean;
  /** Done events raised after its entry actions: the final node whose `output` goes with it, or null. */
  readonly doneEvents: readonly { readonly type: string; readonly outputOf: NodeRec | null }[];
  /** Entering it makes the machine done (a top-level final configuration). */
  readonly setsDone: boolean;
}

/** Everything about a microstep that depends only on the configuration, history and selected transitions. */
export interface StepPlan {
  /** The transitions taken after conflict resolution, in order. */
  readonly transitions: readonly TransitionRec[];
  /** Some taken transition is not forbidden. */
  readonly taken: boolean;
  /** States exited, in exit order (reverse document order). */
  readonly exits: readonly NodeRec[];
  /** States entered, in document order. */
  readonly entries: readonly EntryStep[];
  /** When the machine becomes done: every active node, in reverse document order, whose exit actions then run. */
  readonly doneExits: readonly NodeRec[] | null;
  readonly next: Configuration;
  readonly nextHistory: HistoryRec;
  /** The configuration or the history record changed (xstate then returns a new snapshot object). */
  readonly structural: boolean;
  /** Runs no action and raises no event (many transitions only move between states): nothing to execute. */
  readonly inert: boolean;
}

/** A node of the static universe table (coverage, issue 7). */
export interface StateNodeInfo {
  /** Index (document order): the id StepObserver.enter reports. */
  readonly index: number;
  /** xstate id, e.g. `twoPhase.working`. */
  readonly id: string;
  readonly path: readonly string[];
  readonly kind: NodeKind;
  /** The machine's root node (kind compound, parallel or atomic). */
  readonly root: boolean;
  /** Parent index, -1 for the root. */
  readonly parent: number;
}

/** A transition of the static universe table. */
export interface TransitionInfo {
  /** Index: the id StepObserver.transition reports. */
  readonly index: number;
  /** Source node index and xstate id. */
  readonly source: number;
  readonly sourceId: string;
  /** Event descriptor, or null for `always`. */
  readonly event: string | null;
  /** Guard description (`isReady`, `and(a, not(b))`, `inline`), or null. */
  readonly guard: string | null;
  /** Index in the guard table, or -1. */
  readonly guardIndex: number;
  /** Target node ids; empty for a targetless transition. */
  readonly targets: readonly string[];
  readonly reenter: boolean;
}

/** A guarded transition's guard (coverage counts its true and false outcomes). */
export interface GuardInfo {
  /** Index: the id StepObserver.guard reports. */
  readonly index: number;
  readonly transition: number;
  readonly description: string;
}
