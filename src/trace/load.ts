/**
 * Loads a trace: read the file, parse the JSON, validate it against the schema, then check what the schema
 * cannot (config consistency, u64 ranges, labels and file names resolve, expect_out fields), all before
 * anything runs. Every error is located (`file: step N: field F: message`); a trace with any error is unusable.
 */
import { readFileSync } from 'node:fs';
import type { WorldConfig } from '../kernel/index.ts';
import { didYouMean } from './closeMatches.ts';
import { readConfig } from './config.ts';
import { findJsonSyntaxError } from './jsonSyntax.ts';
import type { TraceInputError } from './errors.ts';
import { readExpectOut } from './expect.ts';
import { opSpec, readStep } from './ops.ts';
import { CheckingReader, configKind } from './readers.ts';
import type { ConfigNames, StaticLabel, StaticWorld } from './readers.ts';
import type { Trace } from './types.ts';
import { validateTraceDocument, MAX_ERRORS_PER_FILE } from './validate.ts';

/** A trace that passed every check: ready to replay. */
export interface LoadedTrace {
  /** The file, as the user named it. */
  file: string;
  /** The document, schema-valid. */
  trace: Trace;
  /** Its config in kernel units. */
  world: WorldConfig;
  /** Its config names (for resolving `fd` and `device` fields). */
  names: ConfigNames;
}

/** A loaded trace, or every error that makes it unusable. */
export type LoadResult = { ok: true; trace: LoadedTrace } | { ok: false; errors: TraceInputError[] };

/** Reads and loads a trace file. */
export function loadTraceFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a trace file' : `cannot read: ${(err as Error).message}`;
    return { ok: false, errors: [{ kind: 'io', file, message }] };
  }
  return loadTraceText(file, text);
}

/** Loads a trace from its text (`file` names it in messages). */
export function loadTraceText(file: string, text: string): LoadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    return { ok: false, errors: [{ kind: 'json', file, message: jsonErrorMessage(text, (err as Error).message) }] };
  }
  const schemaErrors = validateTraceDocument(file, doc);
  if (schemaErrors.length > 0) return { ok: false, errors: capped(file, schemaErrors) };
  const trace = doc as Trace;
  const errors: TraceInputError[] = [];
  const { world, names } = readConfig(file, trace.config, errors);
  checkSteps(file, trace, names, errors);
  if (errors.length > 0) return { ok: false, errors: capped(file, errors) };
  return { ok: true, trace: { file, trace, world, names } };
}

/** `invalid JSON at line L, column C: expected ..., found ...` (JSON.parse's own message when the scanner agrees it is valid). */
function jsonErrorMessage(text: string, parseMessage: string): string {
  const e = findJsonSyntaxError(text);
  return e ? `invalid JSON at line ${e.line}, column ${e.column}: ${e.message}` : `invalid JSON: ${parseMessage}`;
}

/** At most MAX_ERRORS_PER_FILE errors, then one saying how many more there were. */
function capped(file: string, errors: TraceInputError[]): TraceInputError[] {
  if (errors.length <= MAX_ERRORS_PER_FILE) return errors;
  return [...errors.slice(0, MAX_ERRORS_PER_FILE), { kind: 'trace', file, message: `... and ${errors.length - MAX_ERRORS_PER_FILE} more errors` }];
}

/**
 * Reads every step as the replay will (numbers, labels, files, expect_out), in order, so labels bind in order. A KEXEC
 * expected to boot (`ok`, or no expectation) ends the old kernel's labels and file names; one expected to PANIC
 * ends the trace; one expected to fail leaves everything as it was.
 */
function checkSteps(file: string, trace: Trace, names: ConfigNames, errors: TraceInputError[]): void {
  const labels = new Map<string, StaticLabel>();
  const world: StaticWorld = { kexec: null, liveupdate: false };
  let panicAt: number | null = null;
  trace.steps.forEach((step, index) => {
    if (panicAt !== null) {
      if (index === panicAt + 1) errors.push({ kind: 'trace', file, step: index, field: 'op', message: `step ${panicAt} expects PANIC: nothing after it runs` });
      return;
    }
    const spec = opSpec(step);
    const reader = new CheckingReader(file, index, names, labels, errors, world);
    readStep(step, reader);
    readExpectOut(spec, step, reader);
    if (step.op === 'KEXEC') {
      if (step.expect === 'PANIC') panicAt = index;
      else if (step.expect === undefined || step.expect === 'ok') {
        labels.clear();
        world.kexec = index;
        world.liveupdate = false;
      }
      return;
    }
    if (step.op === 'LIVEUPDATE_OPEN' && (step.expect === undefined || step.expect === 'ok')) world.liveupdate = true;
    const as = (step as { as?: string }).as;
    if (as === undefined) return;
    if (spec.binds === undefined) throw new Error(`the schema allows "as" on ${step.op} but ops.ts binds nothing`);
    const taken = configKind(names, as);
    if (taken !== undefined) {
      errors.push({ kind: 'trace', file, step: index, field: 'as', message: `"${as}" is ${taken}; a label must not shadow a config name` });
      return;
    }
    labels.set(as, { kind: spec.binds.kind, step: index });
  });
}

/**
 * Errors for traces whose `kernel`, or a KEXEC step's `kernel`, names no kernel of the model. `check` says what is
 * wrong with a name that is not a profile as written (a profile with patches, `base+patch`), or undefined when the
 * model runs it; without it only the profile names are accepted.
 */
export function checkProfiles(traces: readonly LoadedTrace[], profiles: readonly string[], check?: (name: string) => string | undefined): TraceInputError[] {
  const problem = (name: string): string | undefined => {
    if (profiles.includes(name)) return undefined;
    if (check && name.includes('+')) return check(name);
    return `unknown kernel profile "${name}"${didYouMean(name, profiles) || ''} (the profiles are ${profiles.join(', ')})`;
  };
  const out: TraceInputError[] = [];
  for (const t of traces) {
    const top = t.trace.kernel === undefined ? undefined : problem(t.trace.kernel);
    if (top !== undefined) out.push({ kind: 'trace', file: t.file, field: 'kernel', message: top });
    t.trace.steps.forEach((s, step) => {
      const m = s.op === 'KEXEC' && s.kernel !== undefined ? problem(s.kernel) : undefined;
      if (m !== undefined) out.push({ kind: 'trace', file: t.file, step, field: 'kernel', message: m });
    });
  }
  return out;
}
