/**
 * A proof obligation (proofs/**\/*.proof.ts): one strategy variant in one environment, within stated bounds, with
 * the verdict expected of each invariant and the ends of the lifecycle its world must reach, each with why.
 * A proof file's default export is a Proof (use `defineProof` for the types).
 */
import type { InvariantName } from '../invariants/index.ts';
import type { Phase } from '../../machines/lifecycle.ts';
import type { Environment, Strategy } from '../../machines/strategy.ts';
import type { CoverageDeclaration } from '../coverage/types.ts';

/** An expectation and the reason for it (cite the thread, patch or kernel source). */
export interface Expected<V extends string> {
  verdict: V;
  why: string;
}

/** The invariants a proof judges: product.md's, `no-deadlock` being the explorer's deadlock check. */
export type ProofInvariant = InvariantName;

export interface Proof {
  /** Unique, used by `handover verify --proof NAME` and in file names of counterexamples. */
  name: string;
  /** One sentence: what this proof shows. */
  title: string;
  /** The strategy variant (a machines/strategies/** module's default export). */
  strategy: Strategy;
  /** The world and who acts in it. */
  environment: Environment;
  /**
   * A larger world for `handover verify --larger` (a bigger guest, more deviations, more faults), with the same
   * expectations: beyond the default suite's bounds, for figures and for confidence.
   */
  larger?: { environment: Partial<Environment>; why: string };
  /** The explorer's bounds; none means the whole reachable state space (it is finite: see the README). */
  bounds?: { maxStates?: number; maxDepth?: number; seconds?: number };
  /**
   * The verdict expected of every judged invariant: the 13 of src/invariants and `no-deadlock` (src/verify/load.ts
   * JUDGED; a proof missing one is refused). Partial only so that a proof can be built up from a shared default.
   */
  expect: Partial<Record<ProofInvariant, Expected<'HOLDS' | 'VIOLATED'>>>;
  /** Lifecycle phases the world must reach (or must not), so that a HOLDS cannot come from a world that stops early. */
  goals: Partial<Record<Phase, Expected<'REACHED' | 'UNREACHED'>>>;
  /**
   * `handover coverage`: items of the universe this proof's world cannot exercise, each with a reason a reviewer can
   * check (src/coverage/types.ts CoverageExclusion). They are reported `excluded`, never hidden.
   */
  coverage?: CoverageDeclaration;
}

/** The proof in its larger world (`handover verify --larger`), or the proof itself when it has none. */
export function largerProof(p: Proof): Proof {
  return p.larger ? { ...p, environment: { ...p.environment, ...p.larger.environment } } : p;
}

/** Identity, for the types. */
export function defineProof(p: Proof): Proof {
  return p;
}
