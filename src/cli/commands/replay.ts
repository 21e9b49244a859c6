/**
 * `handover replay FILE... [--json]`: runs ioctl traces through the kernel model and reports every step, its
 * expectation and every invariant broken. Every file is loaded and checked first; when any is unusable, the
 * errors are printed and nothing runs (exit 2).
 */
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, formatInputError } from '../exit.ts';
import {
  checkBoot, checkProfiles, formatReport, KERNEL_API, loadTraceFile, replayTrace,
} from '../../trace/index.ts';
import type { KernelApi, LoadedTrace, ReplayLine, TraceInputError } from '../../trace/index.ts';

const HELP = `
Each FILE is a trace: JSON in the trace format (README.md, "The trace format"; schema:
src/trace/schemas/trace.schema.json).

Text output: one line per step: a mark (✓ expectations met, ✗ not met, · nothing expected), the step
index, the op, the result (ok or the errno) and the fields written back; below it, the expectation that
was not met and each invariant broken. Then a PASS/FAIL summary line per file.

--json: one JSON object per line. Per step {"file", "step", "op", "result", "out", "rule", ...}, with
"expected" when the step has expect/expect_out, "violations" when an invariant broke, "bound" when "as"
bound a label; then {"file", "summary"} per file (schema: src/trace/schemas/replay.schema.json).
u64 values are strings in lower-case 0x hex; ids and u32 values are numbers.

A call the model does not implement is reported as NOT_MODELLED, never as an errno, and stops its
trace; so does a step using a label whose binding step failed (UNRESOLVED).

Exit status: 0 every expectation met and no invariant broken; 1 otherwise; 2 unusable input (unreadable
file, malformed JSON, unknown op, missing or mistyped field, out-of-range number, unknown label or kernel
profile), reported as FILE: step N: field F: message, and then nothing runs.`;

/** Loads every file and checks it against the model's profiles and boot; errors for the unusable ones. */
export function loadAll<K>(files: readonly string[], api: KernelApi<K>): { traces: LoadedTrace[]; errors: TraceInputError[] } {
  const traces: LoadedTrace[] = [];
  const errors: TraceInputError[] = [];
  for (const file of files) {
    const r = loadTraceFile(file);
    if (r.ok) traces.push(r.trace);
    else errors.push(...r.errors);
  }
  const profileErrors = checkProfiles(traces, api.profiles, api.checkKernel);
  errors.push(...profileErrors);
  for (const t of traces) {
    if (profileErrors.some((e) => e.file === t.file)) continue;
    const e = checkBoot(t, api);
    if (e) errors.push(e);
  }
  return { traces, errors };
}

/** Replays `files` and writes the report; returns the exit code. */
export function runReplay<K>(files: readonly string[], json: boolean, api: KernelApi<K>, write: (s: string) => void, writeErr: (s: string) => void): number {
  const { traces, errors } = loadAll(files, api);
  if (errors.length > 0) {
    for (const e of errors) writeErr(`handover: ${formatInputError(e)}\n`);
    return EXIT_USAGE;
  }
  let failed = false;
  for (const loaded of traces) {
    const report = replayTrace(loaded, api);
    failed ||= report.summary.verdict !== 'PASS';
    if (json) {
      const lines: ReplayLine[] = [...report.lines, { file: report.file, summary: report.summary }];
      write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    } else {
      write(`${formatReport(report).join('\n')}\n`);
    }
  }
  return failed ? EXIT_CHECK_FAILED : EXIT_OK;
}

/** Registers `handover replay`. */
export function registerReplay(program: Command, ctx: CommandContext): void {
  program
    .command('replay')
    .description('run ioctl traces through the kernel model; report each result, each expectation and every invariant')
    .argument('<file...>', 'trace files (*.trace.json)')
    .option('--json', 'one JSON object per step, then a summary object per file')
    .addHelpText('after', HELP)
    .action((files: string[], opts: { json?: boolean }) => {
      const write = (s: string): void => { process.stdout.write(s); };
      const writeErr = (s: string): void => { process.stderr.write(s); };
      ctx.setExitCode(runReplay(files, opts.json === true, KERNEL_API, write, writeErr));
    });
}
