/**
 * The conformance corpus (proofs/conformance/**\/*.trace.json): find its traces, load them all, replay the
 * usable ones, and report per trace. `handover verify` calls replayCorpus; the proof runner of a later issue
 * calls it beside the proofs.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TraceInputError } from './errors.ts';
import { checkProfiles, loadTraceFile } from './load.ts';
import { checkBoot, replayTrace } from './runner.ts';
import type { KernelApi, ReplayOptions, TraceReport } from './runner.ts';

/** The suffix of a trace file's name. */
export const TRACE_SUFFIX = '.trace.json';

/** Every `*.trace.json` under `dir`, recursively, sorted by path (so the order is the same on every machine). */
export function findTraces(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(TRACE_SUFFIX)) found.push(path);
    }
  };
  walk(dir);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One corpus trace: replayed, or unusable with its errors. `name` is its path relative to the corpus. */
export type CorpusEntry =
  | { name: string; file: string; source?: string; report: TraceReport }
  | { name: string; file: string; source?: string; errors: TraceInputError[] };

/** The whole corpus. `ok` is true when every trace loaded and passed. */
export interface CorpusResult {
  dir: string;
  entries: CorpusEntry[];
  ok: boolean;
  /** True when some trace could not be loaded (an input error, exit 2). */
  invalid: boolean;
}

/**
 * Replays every trace under `dir`. An unusable trace is reported with its errors and the others still run (the
 * corpus is the project's own input, and one bad file should not hide the rest).
 */
export function replayCorpus<K>(dir: string, api: KernelApi<K>, options: ReplayOptions = {}): CorpusResult {
  const entries: CorpusEntry[] = [];
  for (const file of findTraces(dir)) {
    const name = relative(dir, file);
    const loaded = loadTraceFile(file);
    if (!loaded.ok) {
      entries.push({ name, file, errors: loaded.errors });
      continue;
    }
    const source = loaded.trace.trace.source;
    const withSource = source !== undefined ? { source } : {};
    const bootError = checkBoot(loaded.trace, api);
    const profileErrors = checkProfiles([loaded.trace], api.profiles, api.checkKernel);
    if (profileErrors.length > 0 || bootError) {
      entries.push({ name, file, ...withSource, errors: profileErrors.length > 0 ? profileErrors : bootError ? [bootError] : [] });
      continue;
    }
    entries.push({ name, file, ...withSource, report: replayTrace(loaded.trace, api, options) });
  }
  const invalid = entries.some((e) => 'errors' in e);
  const ok = !invalid && entries.every((e) => 'report' in e && e.report.summary.verdict === 'PASS');
  return { dir, entries, ok, invalid };
}
