/**
 * The explorer's shared types: what a search runs on (SearchSpec), how it is bounded (SearchOptions), what it
 * reports (SearchResult, a discriminated union on `verdict`), and the traces inside it.
 *
 * A bound never becomes HOLDS: a search that stopped early is INCOMPLETE, or VIOLATED when it had already found a
 * violation (violations are definitive; the `bound` field then says that other invariants were not fully checked).
 */
import type { Model, StatePredicate } from './model.ts';

/** The invariant name under which a deadlock is reported (a non-final state with no enabled event). */
export const DEADLOCK = 'deadlock';

/** What a search explores: a model, its invariants, and whether deadlocks count as violations. */
export interface SearchSpec<S, A> {
  readonly model: Model<S, A>;
  /** Named predicates over states, checked in this order on every reachable state; `true` means it holds. */
  readonly invariants: Readonly<Record<string, StatePredicate<S>>>;
  /** Report states with no enabled action as invariant `deadlock`. Final states (model.isFinal) never deadlock. */
  readonly checkDeadlock: boolean;
  /** Compile warnings and the like, carried into the result. */
  readonly warnings?: readonly string[];
  /** Bounds the model itself asks for (a model module's `options`); the caller's own bounds win. */
  readonly bounds?: { readonly maxStates?: number; readonly maxDepth?: number };
}

/** Which bound stopped a search. `states`, `depth` and `memory` are deterministic; `time` and `stopped` are not. */
export type BoundKind = 'states' | 'depth' | 'time' | 'memory' | 'stopped';

/** How a search is bounded and observed. Every field is optional. */
export interface SearchOptions {
  /** Keep every state's full encoding: no fingerprint collision can hide a state. Default false. */
  readonly exact?: boolean;
  /** Stop once this many distinct states are found (the first ones in breadth-first order are kept). */
  readonly maxStates?: number;
  /** Explore states at most this many events from an initial state. */
  readonly maxDepth?: number;
  /** Stop (INCOMPLETE, bound `memory`) rather than let the search's tables grow past this many bytes. */
  readonly maxMemoryBytes?: number;
  /** Use the model's `representative` (symmetry reduction) when it has one. Default true. */
  readonly symmetry?: boolean;
  /** Count transitions taken, guard outcomes and states entered (coverage, issue 7), with shortest witnesses. */
  readonly observe?: boolean;
  /**
   * Called between chunks of work (in-thread) or periodically (workers) with the progress so far; returning
   * `{stop: 'time'}` (or another reason) ends the search as INCOMPLETE with that bound. The clock lives with the
   * caller: the search itself never reads one.
   */
  readonly onProgress?: (p: Progress) => { stop: 'time' | 'stopped' } | void;
}

/** A snapshot of a running search, for progress lines. */
export interface Progress {
  /** Distinct states found so far (completed levels plus the current one's new states, approximately). */
  readonly distinctStates: number;
  /** States of the current level not yet expanded. */
  readonly queued: number;
  /** The depth being expanded. */
  readonly depth: number;
  /** Transitions taken so far. */
  readonly transitions: number;
  /** Bytes held by the search's tables (hash table, parent links, state encodings). */
  readonly memoryBytes: number;
}

/** One step of a trace: the action taken and the state it led to. */
export interface TraceStep<S, A> {
  readonly action: A;
  readonly state: S;
}

/** A path from an initial state: `init`, then each step. `steps.length` is its depth. */
export interface Trace<S, A> {
  readonly init: S;
  readonly steps: readonly TraceStep<S, A>[];
}

/** A violated invariant with a shortest trace to a state that violates it (the last state of the trace). */
export interface Violation<S, A> {
  readonly invariant: string;
  readonly trace: Trace<S, A>;
}

/** What stopped a search early, and how far it got. */
export interface BoundReport {
  readonly kind: BoundKind;
  /** The limit that was reached (states, depth, bytes, seconds), when there is one. */
  readonly limit?: number;
  /** Human-readable: what was and was not explored. */
  readonly detail: string;
}

/** Figures every verdict carries. */
export interface SearchStats {
  /** Distinct states explored (after symmetry reduction). */
  readonly distinctStates: number;
  /** Enabled (state, action) pairs fired from explored states. */
  readonly transitions: number;
  /** The greatest depth of an explored state (initial states are at depth 0). */
  readonly maxDepth: number;
  /** Breadth-first levels fully explored. */
  readonly levels: number;
  readonly mode: 'fingerprint' | 'exact';
  readonly workers: number;
  /** Bytes of the state store per distinct state: hash table and parent links, and in exact mode the encodings. */
  readonly bytesPerState: number;
  /** Peak bytes of all the search's tables, state encodings of the frontier included. */
  readonly peakMemoryBytes: number;
  /** TLC's estimate n·(g−n)/2^64 that a fingerprint collision hid a state; 0 in exact mode. */
  readonly collisionProbability: number;
  /** Exact mode only: distinct states whose 64-bit fingerprints collided (told apart by their encodings). */
  readonly fingerprintCollisions: number;
  /**
   * Every reachable state was explored (no bound cut the search and it did not stop early because every check was
   * already violated). Coverage reports call an item unreachable only when this holds.
   */
  readonly exhaustive: boolean;
  readonly warnings: readonly string[];
}

/** The outcome of a search. */
export type SearchResult<S, A> =
  | (SearchStats & { readonly verdict: 'HOLDS'; readonly coverage?: CoverageCounts<S, A> })
  | (SearchStats & {
      readonly coverage?: CoverageCounts<S, A>;
      readonly verdict: 'VIOLATED';
      /** One per violated invariant, in the spec's invariant order (deadlock last), each with a shortest trace. */
      readonly violations: readonly Violation<S, A>[];
      /** Set when a bound also cut the search: invariants not listed were not fully checked. */
      readonly bound?: BoundReport;
    })
  | (SearchStats & { readonly verdict: 'INCOMPLETE'; readonly bound: BoundReport; readonly coverage?: CoverageCounts<S, A> });

/** Where an observed item was first exercised: the explored state it happened in and the action taken there. */
export interface CoverageWitness<S, A> {
  /** Path to the state the item was exercised from (for the initial transition: the initial state reached). */
  readonly trace: Trace<S, A>;
  /** The action whose step exercised it; absent when the initial transition did. */
  readonly action?: A;
}

/**
 * What a search with `observe` exercised, per kind, breadth-first: each witness is a shortest one. Items are the
 * model's own indexes (StepObserver ids); an item the search never exercised has 0 hits and no witness.
 */
export interface CoverageCounts<S, A> {
  /** Indexed by transition id. */
  readonly transitions: CoverageTable<S, A>;
  /** Indexed by 2·guardId + (outcome ? 1 : 0). */
  readonly guards: CoverageTable<S, A>;
  /** Indexed by state-node id. */
  readonly states: CoverageTable<S, A>;
}

/** Hit counts and first witnesses, as parallel arrays as long as the highest id seen plus one. */
export interface CoverageTable<S, A> {
  readonly hits: readonly number[];
  readonly witnesses: readonly (CoverageWitness<S, A> | undefined)[];
}
