/**
 * Errors in trace files, as values that say where they are: the file, the step index, the field. The shapes
 * are the `io`, `json` and `trace` kinds of the CLI's InputError (src/cli/exit.ts), which prints them as
 * `file: step 3: field iova: message` and exits 2.
 */

/** One error in one trace file. */
export type TraceInputError =
  | { kind: 'io'; file: string; message: string }
  | { kind: 'json'; file: string; message: string }
  | { kind: 'trace'; file: string; step?: number; field?: string; message: string };

/** Where in a trace a JSON pointer points: the step index (under /steps/N) and the field path. */
export interface TraceLocation {
  step?: number;
  /** Dotted path with [n] for array items, e.g. `allowed_iovas[1].start` or `config.memfds[0].pages`. */
  field?: string;
}

/** Turns a JSON pointer (`/steps/3/allowed_iovas/1/start`) into a step index and a field path. */
export function locate(pointer: string): TraceLocation {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let step: number | undefined;
  if (parts[0] === 'steps' && parts[1] !== undefined && /^\d+$/.test(parts[1])) {
    step = Number(parts[1]);
    parts.splice(0, 2);
  }
  const field = fieldPath(parts);
  return { ...(step !== undefined ? { step } : {}), ...(field !== '' ? { field } : {}) };
}

/** `['allowed_iovas', '1', 'start']` → `allowed_iovas[1].start`. */
export function fieldPath(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** A `trace` error at a JSON pointer. */
export function errorAt(file: string, pointer: string, message: string): TraceInputError {
  return { kind: 'trace', file, ...locate(pointer), message };
}
