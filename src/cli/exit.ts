/**
 * Typed errors that say where they happened, and the one place that maps them to exit codes.
 *
 * Exit codes: 0 everything as expected; 1 a check failed (an expectation not met, an invariant broken, a verdict
 * that differs from its proof's expectation); 2 unusable input or usage (nothing was run, nothing was written).
 */

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;

/** An error in user input, located as precisely as we can: file, step index, field or JSON pointer. */
export type InputError =
  | { kind: 'usage'; message: string }
  | { kind: 'io'; file: string; message: string }
  | { kind: 'json'; file: string; message: string }
  | { kind: 'schema'; file: string; pointer: string; message: string }
  | { kind: 'trace'; file: string; step?: number; field?: string; message: string }
  | { kind: 'module'; file: string; message: string };

const FOOTPRINT = Symbol.for('handover/InputError');

/** Thrown inside the CLI only; the kernel model and the explorer return values instead. */
export class HandoverInputError extends Error {
  readonly [FOOTPRINT] = true;
  constructor(readonly detail: InputError) {
    super(formatInputError(detail));
  }
  static isInputError(err: unknown): err is HandoverInputError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[FOOTPRINT] === true;
  }
}

/** `file: step 3: field iova: message`, the form every command prints. */
export function formatInputError(e: InputError): string {
  switch (e.kind) {
    case 'usage':
      return e.message;
    case 'io':
    case 'json':
    case 'module':
      return `${e.file}: ${e.message}`;
    case 'schema':
      return `${e.file}: ${e.pointer || '/'}: ${e.message}`;
    case 'trace': {
      const parts = [e.file];
      if (e.step !== undefined) parts.push(`step ${e.step}`);
      if (e.field !== undefined) parts.push(`field ${e.field}`);
      parts.push(e.message);
      return parts.join(': ');
    }
  }
}

/** Exit code for an error thrown out of a command: input errors are 2, anything else is a bug and rethrown. */
export function exitCodeFor(err: unknown): number {
  if (HandoverInputError.isInputError(err)) return EXIT_USAGE;
  throw err;
}
