/**
 * `handover coverage`: what the proofs' explorations and the conformance corpus reached of everything the statecharts
 * and the kernel model could do (issue 7; src/coverage). Prints a summary per dimension (covered / unreachable /
 * uncovered / excluded of the total), or one JSON document (`--json`), and writes an HTML report (`--html DIR`).
 * Exit 0, or 2 on bad input (an unknown proof, a missing file, a module of the wrong shape).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  corpusSource,
  CoverageExclusionError,
  CoverageTargetError,
  RANDOM_MAX_STEPS,
  s4RandomSource,
  S4_RANDOM_WORLDS,
  DEFAULT_GRAPH_CAP,
  explorationSource,
  formatSummary,
  mergeSources,
  writeHtmlReport,
  type SourceResult,
  type TargetDescriptor,
} from '../../coverage/index.ts';
import { defaultWorkers, ModelShapeError, ModelModuleError } from '../../explore/index.ts';
import { DEFAULT_PROOFS, findProofFiles, loadProofs, ProofShapeError } from '../../verify/index.ts';
import { EXIT_OK, HandoverInputError } from '../exit.ts';
import type { CommandContext } from '../main.ts';
import { DEFAULT_CORPUS } from './verify.ts';

interface CoverageFlags {
  proof?: string[];
  machine?: string;
  corpus?: string;
  json?: boolean;
  html?: string;
  out?: string;
  workers?: string;
  graphCap?: string;
  random?: string;
  randomSeed?: string;
}

const HELP = `
Sources: with no --proof, --machine or --corpus, every shipped proof (proofs/**/*.proof.ts) and the
conformance corpus (proofs/conformance), merged; otherwise the sources named (they may be combined).

Dimensions: states (every state node but the root and history nodes), transitions (every transition
definition, eventless ones included), guards (each guard taken true and taken false), rules (every outcome
of the kernel model: each errno path and each success), pairs (transition t2 right after t1) and paths
(simple paths through the lifecycle's top-level phases to a final one).

Statuses: covered (with a shortest witness: the events from the initial state, and for lifecycle models
a trace file under --out that \`handover replay\` runs; for the corpus, the trace and step), unreachable
(an exploration of the whole bounded world did not reach it: unreachable within those bounds), uncovered
(not reached, and the search was cut or the source is not exhaustive: the reason says which), excluded
(declared by a proof's coverage.exclude or a model module's coverage export, with the reason; an excluded
item some source covered keeps its witness, and the reason says so; an exclusion that matches nothing is an
error, exit 2). Merged: covered by any source wins; unreachable only when an exhaustive source says so.

--random N: also N random runs of each S4 random world (src/random: S4 hardened and S4 proposed with the
wider VMM, adversarial with 10 deviations, a 64-page guest, two devices, both KEXEC faults; at most
${RANDOM_MAX_STEPS} steps each), each world its own source "random:<world>". What they do not reach is uncovered,
"not reached in N random runs", never unreachable. Default 0: off (the default invocation stays fast).
--random-seed S: the fast-check seed of the random runs (default: a random one, printed in the summary).

--json: one document {"handover-coverage": 1, "sources": [...], "dimensions": {"states": {"total",
"covered", "unreachable", "uncovered", "excluded", "items": [{"kind", "id", "status", "witness" |
"reason", ...}]}, ...}}. Schema: src/coverage/schemas/coverage.schema.json.
--html DIR: a static report (open DIR/index.html from disk; no network): totals, drill-down machine ->
state -> transition -> witness, a filter by status, keys n / p for the next / previous gap.
--out DIR: where coverage.json and the witness traces are written (default: the --html directory).

Exit status: 0; 2 on bad input.`;

/** Registers `handover coverage`. */
export function registerCoverage(program: Command, ctx: CommandContext): void {
  program
    .command('coverage')
    .description('Report what the proofs and the conformance corpus reach of the statecharts and the kernel model')
    .option('--proof <name>', 'a shipped proof, by name (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--machine <file>', 'a model module, as `handover explore` takes')
    .option('--corpus <dir>', 'a directory of *.trace.json (the conformance corpus: proofs/conformance)')
    .option('--json', 'print the report as one JSON document')
    .option('--html <dir>', 'write a static HTML report to this directory')
    .option('--out <dir>', 'write coverage.json and the witness traces here (default: the --html directory)')
    .option('--workers <n>', `explorer worker threads (default: the machine's cores, ${defaultWorkers()}); the report is the same for any n`)
    .option('--graph-cap <n>', `state cap of the pair and path analysis (default ${DEFAULT_GRAPH_CAP})`)
    .option('--random <n>', 'random runs per S4 random world, as sources of their own (default 0: none)')
    .option('--random-seed <s>', 'fast-check seed of the random runs (default: a random one, printed)')
    .addHelpText('after', HELP)
    .action(async (flags: CoverageFlags) => {
      ctx.setExitCode(await runCoverage(flags));
    });
}

async function runCoverage(flags: CoverageFlags): Promise<number> {
  const workers = flags.workers === undefined ? defaultWorkers() : positiveInt(flags.workers, '--workers');
  const graphCap = flags.graphCap === undefined ? DEFAULT_GRAPH_CAP : positiveInt(flags.graphCap, '--graph-cap');
  const outDir = flags.out ?? flags.html;
  const randomRunCount = flags.random === undefined ? 0 : nonNegativeInt(flags.random, '--random');
  if (flags.randomSeed !== undefined && randomRunCount === 0) throw new HandoverInputError({ kind: 'usage', message: '--random-seed needs --random N (N >= 1)' });
  const randomSeed = flags.randomSeed === undefined ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : seedOf(flags.randomSeed);
  const none = flags.proof === undefined && flags.machine === undefined && flags.corpus === undefined;

  // Every input is checked before anything runs.
  const targets: TargetDescriptor[] = [];
  if (none || flags.proof !== undefined) {
    let loaded;
    try {
      loaded = await loadProofs(findProofFiles(DEFAULT_PROOFS));
    } catch (err) {
      if (err instanceof ProofShapeError) throw new HandoverInputError({ kind: 'module', file: err.file, message: err.message.replace(`${err.file}: `, '') });
      throw err;
    }
    const wanted = flags.proof ?? loaded.map((p) => p.proof.name);
    for (const name of wanted) {
      const p = loaded.find((x) => x.proof.name === name);
      if (!p) {
        throw new HandoverInputError({ kind: 'usage', message: `--proof: no proof named "${name}" (the proofs are ${loaded.map((x) => x.proof.name).join(', ')})` });
      }
      targets.push({ kind: 'proof', file: p.file });
    }
  }
  if (flags.machine !== undefined) {
    const path = resolve(flags.machine);
    if (!existsSync(path) || !statSync(path).isFile()) throw new HandoverInputError({ kind: 'io', file: flags.machine, message: 'no such file' });
    targets.push({ kind: 'machine', file: path, name: flags.machine });
  }
  let corpus: { dir: string; shown: string } | undefined;
  if (none) corpus = { dir: DEFAULT_CORPUS, shown: relative(process.cwd(), DEFAULT_CORPUS) || '.' };
  else if (flags.corpus !== undefined) {
    const dir = resolve(flags.corpus);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new HandoverInputError({ kind: 'io', file: flags.corpus, message: 'no such directory' });
    corpus = { dir, shown: flags.corpus };
  }

  const tty = process.stderr.isTTY === true;
  const progress = (line: string): void => {
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
  };
  const note = (line: string): void => {
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
  };
  const sources: SourceResult[] = [];
  for (const [i, d] of targets.entries()) {
    const started = performance.now();
    note(`coverage: [${i + 1}/${targets.length}] exploring ${d.kind === 'machine' ? flags.machine! : relative(process.cwd(), d.file)}`);
    try {
      sources.push(await explorationSource(d, { workers, graphCap, progress, ...(outDir !== undefined ? { outDir } : {}) }));
    } catch (err) {
      throw targetError(d.kind === 'machine' ? flags.machine! : d.file, err);
    }
    progress('');
    note(`coverage: [${i + 1}/${targets.length}] ${sources[sources.length - 1]!.summary.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const [i, world] of (randomRunCount > 0 ? S4_RANDOM_WORLDS : []).entries()) {
    const started = performance.now();
    note(`coverage: [random ${i + 1}/${S4_RANDOM_WORLDS.length}] ${randomRunCount} random runs of S4 ${world.variant} (seed ${randomSeed})`);
    const s = s4RandomSource(world, { runs: randomRunCount, seed: randomSeed, ...(outDir !== undefined ? { outDir } : {}) });
    sources.push(s);
    note(`coverage: [random ${i + 1}/${S4_RANDOM_WORLDS.length}] ${s.summary.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (corpus) {
    note(`coverage: replaying the corpus ${corpus.shown}`);
    sources.push(corpusSource(corpus.dir, corpus.shown));
  }
  let report;
  try {
    report = mergeSources(sources);
  } catch (err) {
    if (err instanceof CoverageExclusionError) throw new HandoverInputError({ kind: 'module', file: err.file, message: err.message });
    throw err;
  }
  const json = `${JSON.stringify(report)}\n`;
  if (outDir !== undefined) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'coverage.json'), json);
  }
  if (flags.html !== undefined) {
    writeHtmlReport(report, flags.html);
    note(`coverage: HTML report ${join(flags.html, 'index.html')}`);
  }
  process.stdout.write(flags.json ? json : formatSummary(report));
  return EXIT_OK;
}

/** A target that cannot be loaded or run, as an input error naming the file. */
function targetError(file: string, err: unknown): unknown {
  if (err instanceof CoverageExclusionError) return new HandoverInputError({ kind: 'module', file: err.file, message: err.message });
  if (err instanceof ModelShapeError) return new HandoverInputError({ kind: 'module', file, message: `${err.field}: ${err.problem}` });
  if (err instanceof ModelModuleError || err instanceof CoverageTargetError || err instanceof ProofShapeError) {
    return new HandoverInputError({ kind: 'module', file, message: err.message.replace(`${file}: `, '') });
  }
  if (err instanceof Error && /Cannot find module|ERR_MODULE_NOT_FOUND|SyntaxError/.test(`${err.name} ${err.message}`)) {
    return new HandoverInputError({ kind: 'module', file, message: `cannot load the module: ${err.message}` });
  }
  return err;
}

function nonNegativeInt(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) {
    throw new HandoverInputError({ kind: 'usage', message: `${flag}: expected an integer >= 0, got "${text}"` });
  }
  return v;
}

function seedOf(text: string): number {
  const v = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new HandoverInputError({ kind: 'usage', message: `--random-seed: expected a 32-bit integer, got "${text}"` });
  }
  return v;
}

function positiveInt(text: string, flag: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || v < 1) {
    throw new HandoverInputError({ kind: 'usage', message: `${flag}: expected an integer >= 1, got "${text}"` });
  }
  return v;
}
