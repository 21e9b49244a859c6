/**
 * Errors a search raises instead of returning a verdict: the model's own code threw (an invariant, a guard, an
 * action, the encoder). They carry the trace to the state where it happened, so the model's author can replay it.
 * Bounds and violations are never errors: they are verdicts (types.ts).
 */
import type { Trace } from './types.ts';

const FOOTPRINT = Symbol.for('handover/ModelRunError');

/** The model threw while the search ran it. */
export class ModelRunError<S = unknown, A = unknown> extends Error {
  readonly [FOOTPRINT] = true;
  constructor(
    /** What was being done: `invariant NAME`, `actions`, `nextState`, `encode`, ... */
    readonly during: string,
    /** The model's own message. */
    readonly modelMessage: string,
    /** Path to the state being expanded when it threw. */
    readonly trace: Trace<S, A> | undefined,
    /** The action being taken, when the error came from a step. */
    readonly action: A | undefined,
    readonly modelStack?: string,
  ) {
    const depth = trace ? ` at depth ${trace.steps.length}` : '';
    super(`the model threw in ${during}${depth}: ${modelMessage}`);
    this.name = 'ModelRunError';
  }

  static isModelRunError(err: unknown): err is ModelRunError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[FOOTPRINT] === true;
  }
}
