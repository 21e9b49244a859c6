/**
 * The proof runner's public surface (`handover verify`): find and load proof files, pick the jobs (the proofs, or a
 * user's strategy through the hardened proofs' environments), run them, format the results.
 *
 * `runProofs(jobs, options)` explores each job's lifecycle model (src/verify/proofModel.ts: the statechart, its
 * invariants and one `goal:<phase>` invariant per goal) with the explorer, judges each invariant and goal against the
 * proof, and writes and replays a counterexample trace for each violated invariant (counterexample.ts).
 */
import { basename } from 'node:path';
import type { Progress } from '../explore/index.ts';
import type { Strategy } from '../../machines/strategy.ts';
import type { LoadedProof } from './load.ts';
import { largerProof } from './proof.ts';
import { runProof, type ProofJob, type ProofResult, type RunOptions } from './run.ts';

export { defineProof, largerProof } from './proof.ts';
export { DEFAULT_PROOFS, findProofFiles, loadProofs, checkProof, JUDGED, PROOF_SUFFIX } from './load.ts';
export { importStrategy, ProofShapeError, GOAL_PREFIX } from './proofModel.ts';
export { CounterexampleMismatch } from './counterexample.ts';
export { formatProofResults, proofResultJson } from './format.ts';
export { runProof, describeEnvironment } from './run.ts';

export type { Proof, Expected, ProofInvariant } from './proof.ts';
export type { LoadedProof } from './load.ts';
export type { ProofJob, ProofResult, RunOptions, InvariantResult, GoalResult, InvariantVerdict, GoalVerdict } from './run.ts';
export type { Counterexample } from './counterexample.ts';

/** The strategy whose proofs a user's strategy (`--machine`) is run through, with the same expectations. */
export const MACHINE_BASELINE = 's4-hitless-replace/hardened';

/** A job per proof. */
export function proofJobs(proofs: readonly LoadedProof[], larger = false): ProofJob[] {
  return proofs.map(({ file, proof }) => (larger ? { name: proof.name, file, proof: largerProof(proof), larger } : { name: proof.name, file, proof }));
}

/**
 * A job per proof of MACHINE_BASELINE, with `strategy` (from `strategyFile`) in the hardened strategy's place, named
 * `<proof>@<module file name>`.
 */
export function machineJobs(proofs: readonly LoadedProof[], strategy: Strategy, strategyFile: string, larger = false): ProofJob[] {
  const tag = basename(strategyFile).replace(/\.(m?ts|m?js)$/, '');
  return proofs
    .filter(({ proof }) => proof.strategy.name === MACHINE_BASELINE)
    .map(({ file, proof }) => ({ name: `${proof.name}@${tag}`, file, proof: larger ? largerProof(proof) : proof, strategy, strategyFile, larger }));
}

/** Runs the jobs one after the other; `onStart` and `onProgress` report where it is. */
export async function runProofs(
  jobs: readonly ProofJob[],
  options: RunOptions & { onStart?: (job: ProofJob, index: number) => void; onProgress?: (p: Progress) => void },
): Promise<ProofResult[]> {
  const out: ProofResult[] = [];
  for (const [i, job] of jobs.entries()) {
    options.onStart?.(job, i);
    out.push(await runProof(job, options));
  }
  return out;
}
