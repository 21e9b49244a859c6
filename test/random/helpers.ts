/**
 * What the random-run tests share: a world's runs, and a failure printed with its seed, path and trace so that a
 * red CI run says how to rerun it (`npm run random -- ... --seed S --path P`).
 */
import { expect } from 'vitest';
import { formatFailure, randomRuns, s4Model, s4WorldName, type RandomResult, type S4World } from '../../src/random/index.ts';

/** A fixed seed per world: CI runs are reproducible; `npm run random` explores other seeds. */
export const SEED = 20260601;

export interface WorldRuns {
  world: S4World;
  runs: number;
  maxSteps: number;
  seed?: number;
}

/** The command line that reruns a world (the CLI's flags). */
export function rerunCommand(w: S4World, maxSteps: number): string {
  const calls = w.calls ? ` --calls ${w.calls.join(',')}` : w.exclude ? ` --exclude ${w.exclude.join(',')}` : '';
  return `npm run random -- --strategy ${w.variant} --deviations ${w.deviations} --pages ${w.pages ?? 64} --devices ${(w.secondDevice ?? true) ? 2 : 1} --max-steps ${maxSteps}${calls}`;
}

/** Runs a world; on a failure, the test fails with the failure's report (seed, path, steps, trace). */
export function runWorld(r: WorldRuns, outDir: string | null = 'out/random'): RandomResult {
  const result = randomRuns({
    name: s4WorldName(r.world), model: s4Model(r.world), runs: r.runs, seed: r.seed ?? SEED, maxSteps: r.maxSteps, outDir, shrinkSeconds: 10,
  });
  if (result.failure) {
    expect.fail(formatFailure(result.failure, rerunCommand(r.world, r.maxSteps)).join('\n'));
  }
  return result;
}
