/**
 * Runs one proof: explores its lifecycle model (every reachable state, within the proof's bounds) with the explorer's
 * worker threads, turns the search result into a verdict per judged invariant and per goal, compares each with the
 * proof's expectation, and writes and replays a counterexample for every violated invariant.
 *
 * Verdicts (a bound never turns into HOLDS or UNREACHED):
 * - invariant: violated -> VIOLATED (with its shortest counterexample's length); not violated in an exhaustive search
 *   -> HOLDS; otherwise INCOMPLETE (the bound that cut the search).
 * - goal `<phase>` (invariant `goal:<phase>`, "the lifecycle is not in <phase>"): violated -> REACHED (its witness's
 *   length); not violated in an exhaustive search -> UNREACHED; otherwise INCOMPLETE ("not reached", with the bound).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEADLOCK, searchSource, type Progress, type SearchResult } from '../explore/index.ts';
import type { Phase } from '../../machines/lifecycle.ts';
import type { Strategy } from '../../machines/strategy.ts';
import type { Proof, ProofInvariant } from './proof.ts';
import { JUDGED } from './load.ts';
import { buildProofModel, GOAL_PREFIX, goalPhases, PROOF_MODEL_MODULE } from './proofModel.ts';
import { writeCounterexample, type Counterexample } from './counterexample.ts';

/** One proof to run: the proof, and optionally another strategy in its place (`--machine`). */
export interface ProofJob {
  /** What the run is called in the table and in counterexample paths (the proof's name, or `<proof>@<machine>`). */
  name: string;
  file: string;
  proof: Proof;
  /** A strategy module whose default export replaces the proof's strategy. */
  strategyFile?: string;
  strategy?: Strategy;
  /** Run in the proof's larger world (`job.proof` is then already that world: largerProof()). */
  larger?: boolean;
}

export type InvariantVerdict = 'HOLDS' | 'VIOLATED' | 'INCOMPLETE';
export type GoalVerdict = 'REACHED' | 'UNREACHED' | 'INCOMPLETE';

export interface InvariantResult {
  invariant: ProofInvariant;
  verdict: InvariantVerdict;
  /** VIOLATED: events in the shortest counterexample. */
  steps?: number;
  /** INCOMPLETE: the bound. */
  bound?: string;
  expected: 'HOLDS' | 'VIOLATED';
  /** The verdict is the expected one. */
  asExpected: boolean;
  /** VIOLATED: the trace file written. */
  counterexample?: string;
}

export interface GoalResult {
  phase: Phase;
  verdict: GoalVerdict;
  /** REACHED: events of a shortest path reaching it. */
  steps?: number;
  bound?: string;
  expected: 'REACHED' | 'UNREACHED';
  asExpected: boolean;
}

export interface ProofResult {
  name: string;
  file: string;
  strategy: string;
  environment: string;
  invariants: InvariantResult[];
  goals: GoalResult[];
  states: number;
  transitions: number;
  depth: number;
  exhaustive: boolean;
  bound?: string;
  seconds: number;
  counterexamples: Counterexample[];
  /** Every verdict and goal as expected. */
  ok: boolean;
}

export interface RunOptions {
  workers: number;
  /** Counterexamples go to `<outDir>/<job name>/<invariant>.trace.json`. */
  outDir: string;
  /** Overrides the proof's bounds (tests). */
  maxStates?: number;
  maxDepth?: number;
  onProgress?: (p: Progress) => void;
}

/** `linux-7.1-sk-restore -> same, adversarial (2)` */
export function describeEnvironment(proof: Proof): string {
  const e = proof.environment;
  const u = e.userspace.kind === 'faithful' ? 'faithful' : `adversarial ${e.userspace.deviations}${e.userspace.calls ? ` [${e.userspace.calls.join(',')}]` : ''}`;
  return `${e.from} -> ${e.to === e.from ? 'same' : e.to}, ${u}`;
}

function boundText(result: SearchResult<unknown, unknown>): string {
  if (result.verdict !== 'HOLDS' && result.bound) return `${result.bound.kind}${result.bound.limit !== undefined ? ` ${result.bound.limit}` : ''}`;
  return 'stopped';
}

/** Runs one proof job. */
export async function runProof(job: ProofJob, options: RunOptions): Promise<ProofResult> {
  const { proof } = job;
  const strategy = job.strategy ?? proof.strategy;
  const built = buildProofModel(proof, strategy);
  const bounds = proof.bounds ?? {};
  const maxStates = options.maxStates ?? bounds.maxStates;
  const maxDepth = options.maxDepth ?? bounds.maxDepth;
  const started = performance.now();
  const result = await searchSource(
    { module: PROOF_MODEL_MODULE, export: 'proofModel', args: [job.file, job.strategyFile ?? null, job.larger ?? false] },
    {
      workers: options.workers,
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxDepth !== undefined ? { maxDepth } : {}),
      onProgress: (p) => {
        options.onProgress?.(p);
        if (bounds.seconds !== undefined && (performance.now() - started) / 1000 > bounds.seconds) return { stop: 'time' };
        return undefined;
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const violations = new Map((result.verdict === 'VIOLATED' ? result.violations : []).map((v) => [v.invariant === DEADLOCK ? 'no-deadlock' : v.invariant, v]));
  const bound = result.exhaustive ? undefined : boundText(result);

  // Stale counterexamples of an earlier run must not be mistaken for this one's.
  const dir = join(options.outDir, job.name);
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.trace.json')) rmSync(join(dir, f));

  const counterexamples: Counterexample[] = [];
  const invariants: InvariantResult[] = JUDGED.map((invariant) => {
    const expected = proof.expect[invariant]!.verdict;
    const v = violations.get(invariant);
    let r: InvariantResult;
    if (v) {
      const c = writeCounterexample({
        proofName: job.name, environment: proof.environment, toTrace: built.life.toTrace, violation: v,
        file: join(dir, `${invariant}.trace.json`),
      });
      counterexamples.push(c);
      r = { invariant, verdict: 'VIOLATED', steps: v.trace.steps.length, expected, asExpected: expected === 'VIOLATED', counterexample: c.file };
    } else if (result.exhaustive) {
      r = { invariant, verdict: 'HOLDS', expected, asExpected: expected === 'HOLDS' };
    } else {
      r = { invariant, verdict: 'INCOMPLETE', bound: bound!, expected, asExpected: false };
    }
    return r;
  });
  const goals: GoalResult[] = goalPhases(proof).map((phase) => {
    const expected = proof.goals[phase]!.verdict;
    const v = violations.get(`${GOAL_PREFIX}${phase}`);
    if (v) return { phase, verdict: 'REACHED', steps: v.trace.steps.length, expected, asExpected: expected === 'REACHED' };
    if (result.exhaustive) return { phase, verdict: 'UNREACHED', expected, asExpected: expected === 'UNREACHED' };
    return { phase, verdict: 'INCOMPLETE', bound: bound!, expected, asExpected: false };
  });
  return {
    name: job.name,
    file: job.file,
    strategy: strategy.name,
    environment: describeEnvironment(proof),
    invariants,
    goals,
    states: result.distinctStates,
    transitions: result.transitions,
    depth: result.maxDepth,
    exhaustive: result.exhaustive,
    ...(bound !== undefined ? { bound } : {}),
    seconds,
    counterexamples: counterexamples.sort((a, b) => a.steps - b.steps),
    ok: invariants.every((i) => i.asExpected) && goals.every((g) => g.asExpected),
  };
}
