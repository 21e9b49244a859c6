/**
 * The invariants' vocabulary. Names are product.md's ("Invariants" table) and are stable: reports, proofs and
 * counterexample files use them.
 */
import type { Kernel, Syscall, SyscallResult } from '../kernel/index.ts';

/** Every invariant of product.md; `INVARIANTS` (registry.ts) lists those implemented so far. */
export type InvariantName =
  | 'domain-matches-areas'
  | 'iova-disjoint-aligned'
  | 'pin-accounting'
  | 'refcount-destroy'
  | 'failure-atomic'
  | 'blackout-immutable'
  | 'preserved-reachable'
  | 'no-reuse'
  | 'dma-never-faults'
  | 'no-foreign-dma'
  | 'reconstruction-equivalent'
  | 'finish-gated'
  | 'fail-stop'
  | 'no-deadlock';

/** One broken invariant: which one, and what was found, in words a kernel engineer can check against the state. */
export interface Violation {
  invariant: InvariantName;
  message: string;
}

/** An invariant over one kernel state (steady state). */
export interface StateInvariant {
  name: InvariantName;
  kind: 'state';
  /** domain.md section the rule comes from. */
  source: string;
  check(k: Kernel): Violation | undefined;
}

/** An invariant over one step: the kernel before it, the call, and its result. */
export interface StepInvariant {
  name: InvariantName;
  kind: 'step';
  source: string;
  check(before: Kernel, call: Syscall, result: SyscallResult<Kernel>): Violation | undefined;
  /**
   * A live-update invariant that is a property of one state (reported by `check` only when a step newly breaks it)
   * has its state check here, which `checkState` runs on a kernel on its own.
   */
  state?: (k: Kernel) => Violation | undefined;
}

/** Either kind of invariant. */
export type Invariant = StateInvariant | StepInvariant;
