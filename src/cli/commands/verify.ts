/**
 * `handover verify` (`npm run verify`): runs every proof under proofs/ (src/verify: each explored exhaustively, each
 * invariant's and goal's verdict compared with the proof's expectation, a replayed counterexample written for each
 * violated invariant), then replays the conformance corpus (every `*.trace.json` under proofs/conformance/).
 *
 * Exit status: 0 every verdict and goal as expected and every corpus trace PASS; 1 some verdict or goal differs from
 * its expectation, or a corpus trace FAIL; 2 unusable input (an unknown proof name, a proof or strategy module of
 * the wrong shape, an unusable corpus trace).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, formatInputError, HandoverInputError } from '../exit.ts';
import { formatCorpusTable, formatFailures, KERNEL_API, replayCorpus } from '../../trace/index.ts';
import type { CorpusResult, CorpusRow, KernelApi } from '../../trace/index.ts';
import {
  CounterexampleMismatch, DEFAULT_PROOFS, findProofFiles, formatProofResults, importStrategy, loadProofs, machineJobs,
  MACHINE_BASELINE, proofJobs, proofResultJson, ProofShapeError, runProofs, type LoadedProof, type ProofJob, type ProofResult,
} from '../../verify/index.ts';

/** proofs/conformance of this repository. */
export const DEFAULT_CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../proofs/conformance');

const HELP = `
Proofs: every *.proof.ts under the proofs directory (default: proofs/ of this repository). Each is one
strategy in one environment; its lifecycle statechart is explored exhaustively (or within the proof's
bounds) and each invariant gets HOLDS (every reachable state explored, never broken), VIOLATED (n steps: a
shortest counterexample) or INCOMPLETE (a bound cut the search; a bound never turns into HOLDS); each goal
(a lifecycle phase) REACHED, UNREACHED (exhaustive search) or not reached (INCOMPLETE). A cell that differs
from the proof's expectation is marked ✗. Each VIOLATED invariant's counterexample is written to
<out>/<proof>/<invariant>.trace.json (expectations and the failing step's expect_violations filled in, DMA
reads after it) and replayed: it must break the same invariant at the same step, or verify stops with a bug.

--machine FILE: a strategy module whose default export is a Strategy (machines/strategy.ts). It is run
through the environments of the ${MACHINE_BASELINE} proofs, with their expectations (what a
strategy must do to be as good as the hardened one), instead of the proofs; runs are named <proof>@<file>.

--json: one document {"proofs": [{name, strategy, environment, invariants: {NAME: {verdict, steps?,
bound?, expected, asExpected, counterexample?}}, goals: {PHASE: {...}}, counterexamples, states,
transitions, depth, exhaustive, seconds, ok}], "corpus": {"corpus", "traces", "totals", "ok"} or null,
"ok"}; the corpus part is that of the replay summaries.

Exit status: 0 every verdict and goal as expected and every corpus trace PASS; 1 a verdict or goal that
differs from its proof's expectation, or a corpus trace FAIL; 2 unusable input (an unknown --proof, a proof
or strategy module of the wrong shape, an unusable corpus trace).`;

/** The corpus result as one JSON document. */
export function corpusJson(result: CorpusResult, shownDir: string): unknown {
  const traces = result.entries.map((e) => ('report' in e
    ? { trace: e.name, ...(e.source !== undefined ? { source: e.source } : {}), summary: e.report.summary }
    : { trace: e.name, ...(e.source !== undefined ? { source: e.source } : {}), errors: e.errors.map(formatInputError) }));
  const ran = result.entries.flatMap((e) => ('report' in e ? [e.report.summary] : []));
  return {
    corpus: shownDir,
    traces,
    totals: {
      traces: result.entries.length,
      pass: ran.filter((s) => s.verdict === 'PASS').length,
      fail: ran.filter((s) => s.verdict === 'FAIL').length,
      invalid: result.entries.length - ran.length,
      steps: ran.reduce((n, s) => n + s.steps, 0),
      checked: ran.reduce((n, s) => n + s.checked, 0),
      met: ran.reduce((n, s) => n + s.met, 0),
      violations: ran.reduce((n, s) => n + s.violations, 0),
    },
    ok: result.ok,
  };
}

/** The corpus replayed: its exit code, its JSON document and its text. */
export function corpusReport<K>(dir: string, api: KernelApi<K>): { code: number; json: unknown; text: string } {
  const result = replayCorpus(dir, api);
  const rows: CorpusRow[] = result.entries.map((e) => ('report' in e
    ? { file: e.name, ...(e.source !== undefined ? { source: e.source } : {}), summary: e.report.summary }
    : { file: e.name, ...(e.source !== undefined ? { source: e.source } : {}), errors: e.errors }));
  const out = [`conformance corpus: ${dir}`, '', ...formatCorpusTable(rows)];
  for (const e of result.entries) {
    if ('errors' in e) out.push('', `INVALID ${e.name}:`, ...e.errors.map((x) => `  ${formatInputError(x)}`));
    else if (e.report.summary.verdict !== 'PASS') out.push('', `FAIL ${e.name}:`, ...formatFailures(e.report));
  }
  const code = result.invalid ? EXIT_USAGE : result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
  return { code, json: corpusJson(result, dir), text: `${out.join('\n')}\n` };
}

/** Replays the corpus in `dir` (shown as given) and writes the table (or JSON); returns the exit code. */
export function verifyCorpus<K>(dir: string, json: boolean, api: KernelApi<K>, write: (s: string) => void): number {
  const r = corpusReport(dir, api);
  write(json ? `${JSON.stringify(r.json, null, 2)}\n` : r.text);
  return r.code;
}

interface VerifyFlags {
  json?: boolean;
  corpus?: string | boolean;
  proofs?: string | boolean;
  proof?: string[];
  machine?: string;
  workers?: string;
  out?: string;
  larger?: boolean;
}

const collect = (value: string, prior: string[]): string[] => [...prior, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];

/** Registers `handover verify`. */
export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('run every proof (proofs/**/*.proof.ts) and replay the conformance corpus; print the verdict tables')
    .option('--json', 'the results as one JSON document')
    .option('--proof <name>', 'run only this proof (repeatable, or a comma list)', collect, [])
    .option('--machine <file>', `a strategy module (default export: a Strategy), run through the ${MACHINE_BASELINE} proofs' environments`)
    .option('--proofs <dir>', 'the proofs directory (default: proofs/ of this repository)')
    .option('--no-proofs', 'do not run the proofs')
    .option('--larger', "run each proof in its larger world (the proof's `larger`: a bigger guest, more deviations and faults), with the same expectations")
    .option('--corpus <dir>', 'the corpus directory (default: proofs/conformance of this repository)')
    .option('--no-corpus', 'do not replay the conformance corpus')
    .option('--workers <n>', 'explorer worker threads per proof (default 1: the proofs are small; results are the same for any n)')
    .option('--out <dir>', 'where counterexamples are written (default: out/counterexamples)')
    .addHelpText('after', HELP)
    .action(async (opts: VerifyFlags) => {
      ctx.setExitCode(await runVerify(opts));
    });
}

function positiveInt(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < 1) {
    throw new HandoverInputError({ kind: 'usage', message: `${flag}: expected an integer >= 1, got "${text}"` });
  }
  return v;
}

/** A directory as the user would type it (relative to where they are), checked to exist. */
function directory(given: string): string {
  const dir = relative(process.cwd(), resolve(given)) || '.';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new HandoverInputError({ kind: 'io', file: given, message: 'no such directory' });
  return dir;
}

async function runVerify(opts: VerifyFlags): Promise<number> {
  const json = opts.json === true;
  const workers = opts.workers === undefined ? 1 : positiveInt(opts.workers, '--workers');
  const runProofsToo = opts.proofs !== false;
  const corpusDir = opts.corpus === false ? undefined : directory(typeof opts.corpus === 'string' ? opts.corpus : DEFAULT_CORPUS);
  const outDir = opts.out ?? 'out/counterexamples';
  const wanted = opts.proof ?? [];
  if (!runProofsToo && (wanted.length > 0 || opts.machine !== undefined)) {
    throw new HandoverInputError({ kind: 'usage', message: '--no-proofs cannot be combined with --proof or --machine' });
  }

  let results: ProofResult[] | undefined;
  let loaded: LoadedProof[] = [];
  if (runProofsToo) {
    const proofsDir = directory(typeof opts.proofs === 'string' ? opts.proofs : DEFAULT_PROOFS);
    try {
      loaded = await loadProofs(findProofFiles(proofsDir));
    } catch (err) {
      throw asInputError(err);
    }
    if (wanted.length > 0) {
      const known = loaded.map((l) => l.proof.name);
      const unknown = wanted.filter((w) => !known.includes(w));
      if (unknown.length > 0) {
        throw new HandoverInputError({ kind: 'usage', message: `--proof: no proof named ${unknown.map((u) => `"${u}"`).join(', ')}; the proofs are:\n  ${known.join('\n  ')}` });
      }
      loaded = loaded.filter((l) => wanted.includes(l.proof.name));
    }
    let jobs: ProofJob[];
    if (opts.machine !== undefined) {
      const file = resolve(opts.machine);
      if (!existsSync(file) || !statSync(file).isFile()) throw new HandoverInputError({ kind: 'io', file: opts.machine, message: 'no such file' });
      let strategy;
      try {
        strategy = await importStrategy(file);
      } catch (err) {
        throw asInputError(err, opts.machine);
      }
      jobs = machineJobs(loaded, strategy, file, opts.larger === true);
      if (jobs.length === 0) throw new HandoverInputError({ kind: 'usage', message: `--machine: no ${MACHINE_BASELINE} proof selected to run it through` });
    } else {
      jobs = proofJobs(loaded, opts.larger === true);
    }
    const progress = progressLine(jobs.length);
    try {
      results = await runProofs(jobs, { workers, outDir, onStart: progress.start, onProgress: progress.update });
    } catch (err) {
      progress.clear();
      if (err instanceof CounterexampleMismatch) {
        process.stderr.write(`handover: verify: BUG: ${err.message}\n`);
        return EXIT_CHECK_FAILED;
      }
      if (err instanceof ProofShapeError || (err instanceof Error && err.message.startsWith('strategy '))) throw asInputError(err, opts.machine);
      throw err;
    }
    progress.clear();
  }

  const corpus = corpusDir === undefined ? undefined : corpusReport(corpusDir, KERNEL_API);
  const proofsOk = results === undefined || results.every((r) => r.ok);
  if (json) {
    const doc = {
      proofs: (results ?? []).map(proofResultJson),
      corpus: corpus?.json ?? null,
      ok: proofsOk && (corpus === undefined || corpus.code === EXIT_OK),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const parts: string[] = [];
    if (results !== undefined) {
      const byName = new Map([...loaded.map((l) => [l.proof.name, l.proof] as const), ...results.map((r) => [r.name, loaded.find((l) => l.file === r.file)!.proof] as const)]);
      parts.push(`${formatProofResults(results, byName).join('\n')}\n`);
    }
    if (corpus !== undefined) parts.push(corpus.text);
    process.stdout.write(parts.join('\n'));
  }
  return Math.max(proofsOk ? EXIT_OK : EXIT_CHECK_FAILED, corpus?.code ?? EXIT_OK);
}

/** A proof or strategy module that cannot be used, as an input error (exit 2). */
function asInputError(err: unknown, machine?: string): HandoverInputError {
  if (err instanceof ProofShapeError) return new HandoverInputError({ kind: 'module', file: relative(process.cwd(), err.file) || err.file, message: err.message.slice(err.file.length + 2) });
  if (err instanceof Error) return new HandoverInputError({ kind: 'module', file: machine ?? 'proof', message: err.message });
  return new HandoverInputError({ kind: 'module', file: machine ?? 'proof', message: String(err) });
}

/** `verify [3/11] s4-...: 105 states, depth 12` on stderr, rewritten in place; only when stderr is a terminal. */
function progressLine(total: number): { start(job: ProofJob, i: number): void; update(p: { distinctStates: number; depth: number }): void; clear(): void } {
  const tty = process.stderr.isTTY === true;
  let current = '';
  let printed = false;
  let last = 0;
  const show = (s: string) => {
    if (!tty) return;
    printed = true;
    process.stderr.write(`\r\x1b[K${s}`);
  };
  return {
    start(job, i) {
      current = `verify [${i + 1}/${total}] ${job.name}`;
      show(current);
    },
    update(p) {
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      show(`${current}: ${p.distinctStates.toLocaleString('en-US')} states, depth ${p.depth}`);
    },
    clear() {
      if (printed) process.stderr.write('\r\x1b[K');
    },
  };
}
