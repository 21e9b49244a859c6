/**
 * `handover explore FILE`: exhaustively explores a model module (README "The model module": default export
 * `{ machine, events, invariants, options? }`) and prints the verdict, with a shortest counterexample per violated
 * invariant. Exit 0 HOLDS, 1 VIOLATED or INCOMPLETE, 2 bad input (or a model that throws).
 *
 * The clock lives here: the search reports progress through a callback, and this file turns it into a progress
 * line (stderr, only when it is a terminal) and into the `--max-seconds` bound.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  defaultWorkers,
  formatSearchReport,
  formatTrace,
  loadSearchSpec,
  ModelRunError,
  ModelShapeError,
  searchReportJson,
  searchSpecFrom,
  type Progress,
  type SearchOptions,
  type SearchSpec,
} from '../../explore/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, HandoverInputError } from '../exit.ts';
import type { CommandContext } from '../main.ts';

interface ExploreFlags {
  json?: boolean;
  workers?: string;
  exact?: boolean;
  maxStates?: string;
  maxDepth?: string;
  maxSeconds?: string;
  maxMemory?: string;
  symmetry?: boolean;
}

/** Registers `handover explore`. */
export function registerExplore(program: Command, ctx: CommandContext): void {
  program
    .command('explore')
    .description('Explore every reachable state of a model module (an XState machine, its events and invariants) breadth-first')
    .argument('<file>', 'model module (.ts or .js) whose default export is { machine, events, invariants, options? }')
    .option('--json', 'print one JSON object instead of the text report')
    .option('--workers <n>', `worker threads (default: the machine's cores, ${defaultWorkers()}); results are the same for any n`)
    .option('--exact', 'store full state encodings: no fingerprint collision can hide a state (more memory)')
    .option('--max-states <n>', 'stop after this many distinct states (INCOMPLETE)')
    .option('--max-depth <n>', 'explore states at most this many events deep (INCOMPLETE if deeper ones exist)')
    .option('--max-seconds <s>', 'stop after this many seconds (INCOMPLETE; the only bound whose result depends on timing)')
    .option('--max-memory <mb>', "stop rather than grow the search's tables past this many MB (INCOMPLETE)")
    .option('--no-symmetry', "ignore the module's options.canonicalize (explore every state, not one per symmetry class)")
    .addHelpText(
      'after',
      `
Verdicts: HOLDS (exit 0) every reachable state explored, every invariant true, no deadlock;
          VIOLATED (exit 1) with a shortest trace per violated invariant (a deadlock is invariant "deadlock");
          INCOMPLETE (exit 1) a bound stopped the search: it says which, and how far it got.
Bad input (a missing file, a module of the wrong shape, a model that throws) exits 2.

Example:
  handover explore test/bench/fixtures/twophase.machine.ts --workers 2 --json`,
    )
    .action(async (file: string, flags: ExploreFlags) => {
      ctx.setExitCode(await runExplore(file, flags));
    });
}

async function runExplore(file: string, flags: ExploreFlags): Promise<number> {
  const workers = flags.workers === undefined ? defaultWorkers() : positiveInt(flags.workers, '--workers', 1);
  const maxStates = flags.maxStates === undefined ? undefined : positiveInt(flags.maxStates, '--max-states', 1);
  const maxDepth = flags.maxDepth === undefined ? undefined : positiveInt(flags.maxDepth, '--max-depth', 0);
  const maxSeconds = flags.maxSeconds === undefined ? undefined : positiveNumber(flags.maxSeconds, '--max-seconds');
  const maxMemoryMb = flags.maxMemory === undefined ? undefined : positiveNumber(flags.maxMemory, '--max-memory');
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new HandoverInputError({ kind: 'io', file, message: 'no such file' });
  }

  const source = { module: path };
  let spec: SearchSpec<unknown, unknown>;
  try {
    spec = await loadSearchSpec(source);
  } catch (err) {
    throw moduleError(file, err, 'load');
  }

  const progress = progressReporter(maxSeconds);
  const options: SearchOptions & { workers: number } = {
    workers,
    exact: flags.exact ?? false,
    symmetry: flags.symmetry ?? true,
    ...(maxStates !== undefined ? { maxStates } : {}),
    ...(maxDepth !== undefined ? { maxDepth } : {}),
    ...(maxMemoryMb !== undefined ? { maxMemoryBytes: Math.floor(maxMemoryMb * 2 ** 20) } : {}),
    onProgress: progress.onProgress,
  };
  const started = performance.now();
  let result;
  try {
    result = await searchSpecFrom(spec, source, options);
  } catch (err) {
    progress.clear();
    if (ModelRunError.isModelRunError(err)) {
      const lines = [`the model threw in ${err.during}: ${err.modelMessage}`];
      if (err.trace) {
        lines.push(`trace to the state where it happened (${err.trace.steps.length} events):`, ...formatTrace(err.trace, spec.model));
        if (err.action !== undefined) lines.push(`  while taking: ${spec.model.formatAction(err.action)}`);
      }
      throw new HandoverInputError({ kind: 'module', file, message: lines.join('\n') });
    }
    throw moduleError(file, err, 'search');
  }
  progress.clear();
  const timing = { seconds: (performance.now() - started) / 1000 };
  if (flags.json) {
    process.stdout.write(JSON.stringify(searchReportJson(result, timing), null, 2) + '\n');
  } else {
    process.stdout.write(formatSearchReport(result, spec.model, timing, file));
  }
  return result.verdict === 'HOLDS' ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** A load or compile failure as an input error naming the file (and the field when known). */
function moduleError(file: string, err: unknown, phase: 'load' | 'search'): HandoverInputError {
  if (err instanceof ModelShapeError) return new HandoverInputError({ kind: 'module', file, message: `${err.field}: ${err.problem}` });
  if (err instanceof Error) {
    const what = err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
    let message = phase === 'load' ? `cannot load the model module: ${what}` : what;
    if (/require\(\) ES Module/.test(err.message) && /\.ts$/.test(file)) {
      message += ' (the .ts file is loaded as CommonJS because no package.json above it says "type": "module": name it .mts, or add "type": "module")';
    }
    if (/Cannot find package 'xstate'/.test(err.message)) {
      message += ' (the model module must be able to import xstate: put it in a project that has xstate installed, such as this one)';
    }
    return new HandoverInputError({ kind: 'module', file, message });
  }
  return new HandoverInputError({ kind: 'module', file, message: String(err) });
}

/** The progress line (stderr, TTY only, at most 5 times a second) and the time bound. */
function progressReporter(maxSeconds: number | undefined): { onProgress: (p: Progress) => { stop: 'time' } | void; clear(): void } {
  const tty = process.stderr.isTTY === true;
  const start = performance.now();
  let lastPrint = 0;
  let printed = false;
  return {
    onProgress(p) {
      const now = performance.now();
      const seconds = (now - start) / 1000;
      if (maxSeconds !== undefined && seconds > maxSeconds) return { stop: 'time' };
      if (tty && now - lastPrint > 200) {
        lastPrint = now;
        printed = true;
        const rate = Math.round(p.distinctStates / Math.max(seconds, 1e-3));
        process.stderr.write(
          `\r\x1b[K  ${p.distinctStates.toLocaleString('en-US')} states, queue ${p.queued.toLocaleString('en-US')}, depth ${p.depth}, ` +
            `${rate.toLocaleString('en-US')} states/s, ${Math.round(p.memoryBytes / 2 ** 20)} MB`,
        );
      }
      return undefined;
    },
    clear() {
      if (printed) process.stderr.write('\r\x1b[K');
    },
  };
}

function positiveInt(text: string, flag: string, min: number): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < min) {
    throw new HandoverInputError({ kind: 'usage', message: `${flag}: expected an integer >= ${min}, got "${text}"` });
  }
  return v;
}

function positiveNumber(text: string, flag: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new HandoverInputError({ kind: 'usage', message: `${flag}: expected a positive number, got "${text}"` });
  }
  return v;
}
