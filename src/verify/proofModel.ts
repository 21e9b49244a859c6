/**
 * A proof as an explorer model module: the lifecycle statechart of the proof's strategy in its environment
 * (machines/lifecycle.ts), its 13 invariants, and one extra invariant per goal of the proof, `goal:<phase>`, meaning
 * "the lifecycle is not in <phase>": a violation of it is a shortest path that reaches the phase.
 *
 * The explorer's worker threads cannot receive functions, so each thread builds the model itself from the proof
 * file: `proofModel(proofFile, strategyFile?, larger?)` is the factory a ModelSource names (`{ module: PROOF_MODEL_MODULE,
 * export: 'proofModel', args: [proofFile] }`). Everything here is deterministic, so every thread builds the same model.
 */
import { pathToFileURL } from 'node:url';
import { lifecycleModel, phaseOf, PHASES, type LifecycleState, type Phase } from '../../machines/lifecycle.ts';
import type { Strategy } from '../../machines/strategy.ts';
import { largerProof, type Proof } from './proof.ts';

/** This module's path: the ModelSource `module` of a proof's search. */
export const PROOF_MODEL_MODULE = new URL(import.meta.url).pathname;

/** The prefix of goal invariants. */
export const GOAL_PREFIX = 'goal:';

/** A proof file or strategy module that is not what it must be. */
export class ProofShapeError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ProofShapeError';
  }
}

async function importDefault(file: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return mod['default'];
}

/** Imports a proof file's default export and checks its shape (not its expectations: load.ts does). */
export async function importProof(file: string): Promise<Proof> {
  const p = await importDefault(file);
  if (typeof p !== 'object' || p === null) throw new ProofShapeError(file, 'the default export must be a proof (export default defineProof({...}))');
  const r = p as Partial<Proof>;
  if (typeof r.name !== 'string' || r.name === '') throw new ProofShapeError(file, 'name: missing');
  if (typeof r.strategy !== 'object' || r.strategy === null || typeof r.strategy.vmm !== 'function') throw new ProofShapeError(file, 'strategy: expected a Strategy');
  if (typeof r.environment !== 'object' || r.environment === null) throw new ProofShapeError(file, 'environment: missing');
  if (typeof r.expect !== 'object' || r.expect === null) throw new ProofShapeError(file, 'expect: missing');
  if (typeof r.goals !== 'object' || r.goals === null) throw new ProofShapeError(file, 'goals: missing');
  return p as Proof;
}

/** Imports a strategy module (`--machine`): its default export must be a Strategy. */
export async function importStrategy(file: string): Promise<Strategy> {
  const s = await importDefault(file);
  const r = s as Partial<Strategy> | undefined;
  if (typeof r !== 'object' || r === null) throw new ProofShapeError(file, 'the default export must be a Strategy (machines/strategy.ts)');
  if (typeof r.name !== 'string') throw new ProofShapeError(file, 'name: expected a string');
  if (!Array.isArray(r.patches)) throw new ProofShapeError(file, 'patches: expected an array of patch names');
  if (!Array.isArray(r.sources)) throw new ProofShapeError(file, 'sources: expected an array of strings');
  if (typeof r.vmm !== 'function') throw new ProofShapeError(file, 'vmm: expected a function (env) => { script, menu }');
  return s as Strategy;
}

/** The goals of a proof, in PHASES order. */
export function goalPhases(proof: Proof): Phase[] {
  return PHASES.filter((p) => proof.goals[p] !== undefined);
}

/** The lifecycle model of a proof (with `strategy` instead of the proof's own, for `--machine`), goals included. */
export function buildProofModel(proof: Proof, strategy: Strategy = proof.strategy) {
  const life = lifecycleModel(strategy, proof.environment);
  const goals = Object.fromEntries(goalPhases(proof).map((phase) => [
    `${GOAL_PREFIX}${phase}`,
    (s: LifecycleState) => phaseOf(s.value) !== phase,
  ]));
  return {
    life,
    module: {
      machine: life.machine,
      events: life.events,
      invariants: { ...life.invariants, ...goals },
      options: life.options,
    },
  };
}

/** The ModelSource factory: the model module of the proof in `proofFile` (its strategy replaced by `strategyFile`'s). */
export async function proofModel(proofFile: string, strategyFile?: string | null, larger?: boolean) {
  const imported = await importProof(proofFile);
  const proof = larger ? largerProof(imported) : imported;
  const strategy = strategyFile == null ? proof.strategy : await importStrategy(strategyFile);
  return buildProofModel(proof, strategy).module;
}
