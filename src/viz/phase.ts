/**
 * The lifecycle phase of a trace that did not come from a proof, DERIVED from the kernel states the trace goes
 * through (the statechart is not run: a user's trace has no strategy, no VMM procedure, no environment), with
 * machines/lifecycle.ts's own phaseAfter() applied to the kernel before and after each step; which phase may follow
 * which is read off the chart's own transitions, so a phase the chart lacks is never entered. test/viz checks that on
 * the proofs' counterexamples this derivation gives the phase the statechart is in, at every step.
 */
import type { Kernel } from '../kernel/index.ts';
import { PHASES, TERMINAL, phaseAfter, type Phase } from '../../machines/lifecycle.ts';

export { PHASES, TERMINAL, type Phase };

/** Which phase may follow which: read off the lifecycle chart the phase is shown on (its transitions between phases). */
export type Moves = (from: string, to: string) => boolean;

/** The phase after a step (`result` its result, `rule` its kernel rule), from `phase`: the statechart's own rule. */
export function derivePhase(phase: Phase, op: string, result: string, rule: string | undefined, before: Kernel, after: Kernel, moves: Moves): Phase {
  if (TERMINAL.includes(phase) || op === 'DMA') return phase;
  return phaseAfter(phase, op, result, rule, before, after, moves) ?? phase;
}
