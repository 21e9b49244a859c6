/**
 * `handover viz`: a local web visualiser of the statecharts, their coverage, the verdicts, and any trace stepped
 * through beside the page tables (src/viz). Serves on a loopback address only; prints the URL as its first line, then
 * computes (or reads from its cache) the proofs' verdicts and coverage while the page waits. Runs until interrupted.
 *
 * Exit status: 0 after Ctrl-C; 2 on bad input (a --host that is not loopback, a port in use given with --port, a
 * missing directory or trace file, an unknown proof, a proof module of the wrong shape).
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';
import { EXIT_OK, HandoverInputError } from '../exit.ts';
import { defaultWorkers } from '../../explore/index.ts';
import { DEFAULT_PROOFS, findProofFiles, loadProofs, ProofShapeError } from '../../verify/index.ts';
import { DEFAULT_CACHE, VizData } from '../../viz/data.ts';
import { checkHost, listen, urlOf, vizHandler, type VizState } from '../../viz/server.ts';

/** The port used when none is given. */
export const DEFAULT_PORT = 7300;

const HELP = `
Serves on 127.0.0.1 (or another loopback address given with --host) only: any other address is refused,
and a request that reaches the server on an address that is not loopback is answered 403. The first line
printed is the URL. Everything the page needs is computed here: the proofs are run as \`handover verify\`
runs them, their coverage as \`handover coverage\` computes it (with --proof: of those proofs only; without:
every proof and the conformance corpus), the statecharts are laid out (elkjs), and each trace is replayed
through the kernel model (and through its proof's statechart when it came from a proof). Results are kept
in out/viz-cache/ under a hash of the sources they depend on; --no-cache recomputes.

Views (the view, trace, step and filters are in the URL: reload or share it to land on the same view):
  Statecharts  each strategy variant's lifecycle statechart; compound states collapse and expand; select a
               state or transition for its guards, actions, kernel rules and coverage.
  Coverage     the charts coloured by coverage status, every item linking to its witness trace.
  Verdicts     the proof x invariant table; a VIOLATED cell opens its counterexample at the failing step.
  Trace        one row per step; the active states at the selected step; the page tables side by side
               (preserved, restored, rebuilt IOAS and HWPT, hardware), differences marked.

Example: handover viz, then open the URL and choose Verdicts, s4-proposed-adversarial-same, recon.

Exit status: 0 after Ctrl-C; 2 on bad input.`;

interface VizFlags {
  port?: string;
  host?: string;
  proofs?: string;
  proof?: string[];
  trace?: string[];
  workers?: string;
  cache?: boolean;
}

/** Registers `handover viz`. */
export function registerViz(program: Command, ctx: CommandContext): void {
  program
    .command('viz')
    .description('serve a local web visualiser of the statecharts, coverage, verdicts and traces (loopback only)')
    .option('--port <n>', `the port (0: any free port; default ${DEFAULT_PORT}, or a free one if ${DEFAULT_PORT} is taken)`)
    .option('--host <address>', 'a loopback address to listen on (default 127.0.0.1)')
    .option('--proofs <dir>', 'the proofs directory (default: proofs/ of this repository)')
    .option('--proof <name>', 'show only this proof (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--trace <file...>', 'trace files to open in the stepper')
    .option('--workers <n>', `explorer worker threads for the coverage explorations (default ${defaultWorkers()})`)
    .option('--no-cache', 'recompute the proofs and their coverage instead of reading out/viz-cache')
    .addHelpText('after', HELP)
    .action(async (flags: VizFlags) => {
      ctx.setExitCode(await runViz(flags));
    });
}

function portOf(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v > 65535) throw new HandoverInputError({ kind: 'usage', message: `--port: expected 0..65535, got "${text}"` });
  return v;
}

async function runViz(flags: VizFlags): Promise<number> {
  const host = checkHost(flags.host ?? '127.0.0.1');
  if (!host.ok) throw new HandoverInputError({ kind: 'usage', message: host.message });
  const explicitPort = flags.port !== undefined;
  const port = explicitPort ? portOf(flags.port!) : DEFAULT_PORT;
  const workers = flags.workers === undefined ? defaultWorkers() : Number(flags.workers);
  if (!Number.isSafeInteger(workers) || workers < 1) throw new HandoverInputError({ kind: 'usage', message: `--workers: expected an integer >= 1, got "${flags.workers}"` });
  const proofsDir = resolve(flags.proofs ?? DEFAULT_PROOFS);
  if (!existsSync(proofsDir) || !statSync(proofsDir).isDirectory()) throw new HandoverInputError({ kind: 'io', file: flags.proofs ?? proofsDir, message: 'no such directory' });
  const traceFiles = flags.trace ?? [];
  for (const f of traceFiles) {
    if (!existsSync(f) || !statSync(f).isFile()) throw new HandoverInputError({ kind: 'io', file: f, message: 'no such file' });
  }
  // Proof files and names are checked before anything is served.
  try {
    const loaded = await loadProofs(findProofFiles(proofsDir));
    const known = loaded.map((l) => l.proof.name);
    const unknown = (flags.proof ?? []).filter((n) => !known.includes(n));
    if (unknown.length) throw new HandoverInputError({ kind: 'usage', message: `--proof: no proof named ${unknown.map((u) => `"${u}"`).join(', ')}; the proofs are:\n  ${known.join('\n  ')}` });
  } catch (err) {
    if (err instanceof ProofShapeError) throw new HandoverInputError({ kind: 'module', file: relative(process.cwd(), err.file) || err.file, message: err.message.slice(err.file.length + 2) });
    throw err;
  }

  const state: VizState = { state: 'computing', log: [] };
  const handler = vizHandler(state);
  let served: Awaited<ReturnType<typeof listen>>;
  try {
    served = await listen(handler, host.address, port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (explicitPort) throw new HandoverInputError({ kind: 'usage', message: `--port ${port}: the port is in use (pass another, or --port 0 for any free port)` });
    served = await listen(handler, host.address, 0);
    process.stderr.write(`viz: port ${DEFAULT_PORT} is in use: serving on port ${served.port} instead\n`);
  }
  process.stdout.write(`${urlOf(host.address, served.port)}\n`);

  const say = (line: string): void => {
    state.log.push(line);
    process.stderr.write(`${line}\n`);
  };
  const started = performance.now();
  VizData.load({
    proofsDir, ...(flags.proof ? { proofNames: flags.proof } : {}), traceFiles, workers,
    cache: flags.cache !== false, cacheDir: DEFAULT_CACHE, progress: say,
  }).then((data) => {
    state.data = data;
    state.state = 'ready';
    say(`viz: ready (${((performance.now() - started) / 1000).toFixed(1)} s${data.cached ? ', from the cache' : ''}): ${data.computed.proofs.length} proofs, ${data.machines.size} statecharts, ${data.traces.size} traces`);
  }).catch((err: unknown) => {
    state.state = 'error';
    state.error = err instanceof Error ? err.message : String(err);
    say(`viz: error: ${state.error}`);
  });

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      served.server.close(() => done());
      served.server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  state.data?.dispose();
  return EXIT_OK;
}
