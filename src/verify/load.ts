/**
 * Finding and loading proof files: every `*.proof.ts` under a directory (recursively, in path order), each imported
 * (TypeScript, through tsx as the CLI runs) and checked: a Proof default export, a unique name, an expectation with
 * a reason for every judged invariant (the 13 of src/invariants and `no-deadlock`), goals that are lifecycle phases.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVARIANTS } from '../invariants/index.ts';
import { PHASES } from '../../machines/lifecycle.ts';
import type { Proof, ProofInvariant } from './proof.ts';
import { importProof, ProofShapeError } from './proofModel.ts';

/** proofs/ of this repository. */
export const DEFAULT_PROOFS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../proofs');

export const PROOF_SUFFIX = '.proof.ts';

/** The invariants a proof judges, in the order the table shows them. */
export const JUDGED: readonly ProofInvariant[] = [...INVARIANTS.map((i) => i.name), 'no-deadlock'];

/** A loaded proof and the file it came from (absolute). */
export interface LoadedProof {
  file: string;
  proof: Proof;
}

/** Every `*.proof.ts` under `dir`, absolute, sorted by path. */
export function findProofFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name.endsWith(PROOF_SUFFIX)) out.push(resolve(p));
    }
  };
  visit(dir);
  return out.sort();
}

/** What is wrong with a proof's expectations and goals (empty: nothing). */
export function checkProof(proof: Proof): string[] {
  const problems: string[] = [];
  for (const name of JUDGED) {
    const e = proof.expect[name];
    if (e === undefined) problems.push(`expect.${name}: missing (every judged invariant needs an expected verdict)`);
    else if (e.verdict !== 'HOLDS' && e.verdict !== 'VIOLATED') problems.push(`expect.${name}.verdict: expected HOLDS or VIOLATED`);
    else if (typeof e.why !== 'string' || e.why.trim() === '') problems.push(`expect.${name}.why: missing`);
  }
  for (const k of Object.keys(proof.expect)) if (!(JUDGED as readonly string[]).includes(k)) problems.push(`expect.${k}: no such invariant (the invariants are ${JUDGED.join(', ')})`);
  for (const [k, g] of Object.entries(proof.goals)) {
    if (!(PHASES as readonly string[]).includes(k)) problems.push(`goals.${k}: no such lifecycle phase (the phases are ${PHASES.join(', ')})`);
    else if (g === undefined || (g.verdict !== 'REACHED' && g.verdict !== 'UNREACHED')) problems.push(`goals.${k}.verdict: expected REACHED or UNREACHED`);
    else if (typeof g.why !== 'string' || g.why.trim() === '') problems.push(`goals.${k}.why: missing`);
  }
  if (!Array.isArray(proof.environment.dma)) problems.push('environment.dma: expected a list of DMA steps (may be empty)');
  return problems;
}

/** Loads every file; throws ProofShapeError naming the first file that is not a valid proof, or a duplicate name. */
export async function loadProofs(files: readonly string[]): Promise<LoadedProof[]> {
  const out: LoadedProof[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const proof = await importProof(file);
    const problems = checkProof(proof);
    if (problems.length > 0) throw new ProofShapeError(file, problems.join('; '));
    const prior = seen.get(proof.name);
    if (prior !== undefined) throw new ProofShapeError(file, `name "${proof.name}" is also the name of ${prior}`);
    seen.set(proof.name, file);
    out.push({ file, proof });
  }
  return out;
}
