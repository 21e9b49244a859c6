/**
 * `handover random` (`npm run random -- ...`): random runs of S4 hitless-replace (issue 6) beyond what CI runs:
 * fast-check drives the lifecycle statechart along long random paths in a larger world and checks every invariant
 * after every step. Prints runs/s and any failure with its seed and path (`--seed S --path P` reruns exactly that
 * run) and writes the failing run as a trace (out/random/<world>-<seed>.trace.json) that `handover replay` runs.
 * Exit 0 no invariant broken, 1 one was (or its trace does not replay to it), 2 bad usage.
 */
import type { Command } from 'commander';
import {
  adversarialIds, formatFailure, randomRuns, s4Environment, s4Model, s4WorldName,
  type RandomResult, type S4World,
} from '../../random/index.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, HandoverInputError } from '../exit.ts';
import type { CommandContext } from '../main.ts';

interface RandomFlags {
  runs: string;
  seed?: string;
  path?: string;
  strategy: string;
  deviations: string;
  pages: string;
  devices: string;
  maxSteps: string;
  calls?: string;
  exclude?: string;
  shrinkSeconds: string;
  out: string;
  json?: boolean;
}

/** Registers `handover random`. */
export function registerRandom(program: Command, ctx: CommandContext): void {
  program
    .command('random')
    .description('random runs of S4 hitless-replace (fast-check over the lifecycle statechart): runs/s and any invariant broken')
    .option('--runs <n>', 'runs to make', '1000')
    .option('--seed <s>', 'fast-check seed (default: a random one, printed)')
    .option('--path <p>', 'fast-check path of a run (printed with a failure): rerun exactly that run (needs --seed)')
    .option('--strategy <variant>', 'proposed, hardened, or hardened-first-cut (hardened with only lu-replace-check and lu-hold-until-finish)', 'hardened')
    .option('--deviations <n>', 'adversarial deviations (0: the faithful VMM)', '10')
    .option('--pages <n>', 'guest memfd pages', '64')
    .option('--devices <n>', '1 or 2 devices', '2')
    .option('--max-steps <n>', 'longest run, in steps', '80')
    .option('--calls <ids>', 'comma-separated adversarial call ids the VMM may make (default: all)')
    .option('--exclude <ids>', 'comma-separated adversarial call ids to leave out')
    .option('--shrink-seconds <s>', 'at most this long shrinking a failure', '60')
    .option('--out <dir>', 'where a failing run is written as a trace', 'out/random')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
World: S4 hitless-replace (machines/strategies/s4-hitless-replace) with the wider VMM of src/random/s4Wide.ts, upgrade
linux-7.1-sk-v1 -> linux-7.1-sk-restore, KEXEC faults freeze-fails and restore-table-page-fails.

Exit status: 0 no invariant broken; 1 one was (the failing run is printed with its seed and path, written as a
trace, and replayed); 2 bad usage.

Examples:
  npm run random -- --runs 5000 --strategy hardened --deviations 12
  npm run random -- --strategy proposed --seed 42 --path 17:3:0`,
    )
    .action((flags: RandomFlags) => {
      ctx.setExitCode(runRandom(flags));
    });
}

function runRandom(flags: RandomFlags): number {
  const runs = int(flags.runs, '--runs', 1);
  const deviations = int(flags.deviations, '--deviations', 0);
  const pages = int(flags.pages, '--pages', 2);
  const devices = int(flags.devices, '--devices', 1);
  const maxSteps = int(flags.maxSteps, '--max-steps', 1);
  const shrinkSeconds = Number(flags.shrinkSeconds);
  if (!Number.isFinite(shrinkSeconds) || shrinkSeconds < 0) usage(`--shrink-seconds: "${flags.shrinkSeconds}" is not a number of seconds`);
  if (devices > 2) usage('--devices: 1 or 2');
  if (flags.strategy !== 'proposed' && flags.strategy !== 'hardened' && flags.strategy !== 'hardened-first-cut') {
    usage(`--strategy: "${flags.strategy}" is not proposed, hardened or hardened-first-cut`);
  }
  const seed = flags.seed === undefined ? undefined : int(flags.seed, '--seed', -0x80000000);
  if (flags.path !== undefined && seed === undefined) usage('--path needs the --seed it was printed with');
  if (flags.path !== undefined && !/^\d+(:\d+)*$/.test(flags.path)) usage(`--path: "${flags.path}" is not a fast-check path (numbers separated by ":")`);
  const list = (s: string | undefined): string[] | undefined => (s === undefined ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
  const calls = list(flags.calls);
  const exclude = list(flags.exclude);
  const world: S4World = {
    variant: flags.strategy, deviations, pages, secondDevice: devices === 2,
    ...(calls !== undefined ? { calls } : {}), ...(exclude !== undefined ? { exclude } : {}),
  };
  if (deviations > 0) {
    const known = adversarialIds(world.variant, s4Environment({ ...world, calls: undefined, exclude: undefined }));
    for (const id of [...(calls ?? []), ...(exclude ?? [])]) {
      if (!known.includes(id)) usage(`"${id}" is no adversarial call of this world (its calls are ${known.join(', ')})`);
    }
  }
  const name = s4WorldName(world);
  const model = s4Model(world);
  const write = (s: string) => process.stdout.write(s);
  const tty = process.stderr.isTTY === true && !flags.json;
  const started = performance.now();
  const result = randomRuns({
    name, model, runs, maxSteps, shrinkSeconds, outDir: flags.out,
    ...(seed !== undefined ? { seed } : {}), ...(flags.path !== undefined ? { path: flags.path } : {}),
    onRun: tty ? (_run, i) => {
      if (i % 10 === 9) process.stderr.write(`\r${i + 1} runs, ${((i + 1) / ((performance.now() - started) / 1000)).toFixed(1)} runs/s`);
    } : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const rerun = `npm run random -- --strategy ${world.variant} --deviations ${deviations} --pages ${pages} --devices ${devices} --max-steps ${maxSteps}` +
    (calls ? ` --calls ${calls.join(',')}` : exclude ? ` --exclude ${exclude.join(',')}` : '');
  if (flags.json) write(`${JSON.stringify(jsonOf(result))}\n`);
  else write(`${text(result, rerun).join('\n')}\n`);
  return result.failure ? EXIT_CHECK_FAILED : EXIT_OK;
}

function text(r: RandomResult, rerun: string): string[] {
  const lines = [
    `${r.name}: ${r.runs} runs, ${r.steps} steps in ${r.seconds.toFixed(1)} s: ${(r.runs / r.seconds).toFixed(1)} runs/s, ${(r.steps / r.seconds).toFixed(0)} steps/s (seed ${r.seed})`,
    `  ends: ${Object.entries(r.ends).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  last phase: ${Object.entries(r.phases).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ')}`,
  ];
  if (r.failure) lines.push(...formatFailure(r.failure, rerun));
  else lines.push('  no invariant broken');
  return lines;
}

function jsonOf(r: RandomResult): unknown {
  const f = r.failure;
  return {
    name: r.name, seed: r.seed, runs: r.runs, steps: r.steps, seconds: r.seconds,
    runsPerSecond: r.runs / r.seconds, stepsPerSecond: r.steps / r.seconds, ends: r.ends, phases: r.phases,
    ...(f ? {
      failure: {
        seed: f.seed, path: f.path, invariants: f.run.violation!.invariants, step: f.run.violation!.step, steps: f.run.events.length,
        shrinks: f.shrinks, shrinkInterrupted: f.shrinkInterrupted, traceFile: f.traceFile ?? null,
        replay: { reproduced: f.replay.reproduced, verdict: f.replay.verdict, atStep: f.replay.atStep, problems: f.replay.problems },
        events: f.run.events.map((e) => ({ op: e.type, kind: e.kind, why: e.why })),
      },
    } : {}),
  };
}

function usage(message: string): never {
  throw new HandoverInputError({ kind: 'usage', message });
}

function int(s: string, flag: string, min: number): number {
  const n = Number(s);
  if (!/^-?\d+$/.test(s.trim()) || !Number.isSafeInteger(n) || n < min) usage(`${flag}: "${s}" is not an integer >= ${min}`);
  return n;
}
