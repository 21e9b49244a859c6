/**
 * The one model interface every search in src/explore works on (after Stateright's `Model`): initial states,
 * the actions a state offers, and the next state an action leads to. An XState machine becomes one through
 * compile.ts; a hand-written model can implement it directly.
 *
 * CONTRACT
 * - Pure and deterministic: the same state gives the same actions in the same order and the same next states.
 *   States are never mutated after they are returned.
 * - `nextState(s, a)` returns `undefined` when `a` is not enabled in `s` (no transition is taken for it). A
 *   self-loop is enabled and returns a state equal to `s`.
 * - `encode(s, sink)` writes the state's canonical encoding: two states encode to the same bytes exactly when
 *   they are the same state (for an XState machine: state value, context and history values). The search
 *   fingerprints these bytes; `--exact` mode stores them whole. `decode` inverts it, so that frontiers can be
 *   stored (and shipped to worker threads) as bytes.
 */

/** A named state predicate; `true` means it holds. */
export type StatePredicate<S> = (state: S) => boolean;

/** Receives what a step exercised, for coverage (issue 7); the search passes one only when it counts coverage. */
export interface StepObserver {
  /** Transition definition `id` (an index into the compiled machine's transition table) was taken. */
  transition(id: number): void;
  /** Guard `id` (an index into the compiled machine's guard table) evaluated to `outcome`. */
  guard(id: number, outcome: boolean): void;
  /** State node `id` (an index into the compiled machine's state-node table) was entered. */
  enter(id: number): void;
}

/** Growable byte buffer the canonical encoders write to. */
export interface ByteSink {
  u8(v: number): void;
  u32(v: number): void;
  f64(v: number): void;
  bytes(v: Uint8Array): void;
  string(v: string): void;
}

/** Reads back what a ByteSink wrote, in the same order. */
export interface ByteSource {
  u8(): number;
  u32(): number;
  f64(): number;
  bytes(n: number): Uint8Array;
  string(): string;
}

export interface Model<S, A> {
  /** Initial states, in a fixed order. `observer` (coverage) sees what the initial transition entered. */
  initStates(observer?: StepObserver): S[];
  /** Candidate actions in `s`, in a fixed order (the order counterexamples are reported in). */
  actions(s: S): readonly A[];
  /** The state `a` leads to, or `undefined` when `a` is not enabled in `s`. */
  nextState(s: S, a: A, observer?: StepObserver): S | undefined;
  /** Final states (an XState top-level final state) are never deadlocks. */
  isFinal(s: S): boolean;
  encode(s: S, sink: ByteSink): void;
  decode(src: ByteSource): S;
  /** Symmetry reduction: a representative of `s`'s class (TLC SYMMETRY, Stateright `representative()`). */
  representative?(s: S): S;
  /** Human-readable action, for traces. */
  formatAction(a: A): string;
}

/** What a user's model module exports by default (README: "The model module"). */
export interface ModelModule<S = unknown, E = unknown> {
  machine: unknown;
  events: readonly E[] | ((state: S) => readonly E[]);
  invariants: Record<string, StatePredicate<S>>;
  options?: ExploreModelOptions<S>;
}

export interface ExploreModelOptions<S> {
  /** Default true. XState final states are never deadlocks. */
  checkDeadlock?: boolean;
  maxStates?: number;
  maxDepth?: number;
  /** Returns a representative of the state's symmetry class. */
  canonicalize?: (state: S) => S;
}
