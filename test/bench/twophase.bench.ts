/**
 * `npm run bench -- twophase`: Lamport's TwoPhase commit (fixtures/twophase.machine.ts) explored by handover with
 * 1 and 2 workers, by SPIN on its Promela twin (fixtures/twophasePromela.ts, pan compiled with -DSAFETY
 * -DNOREDUCE), and by @xstate/graph's getAdjacencyMap, all in one run. Asserts TLC's state counts (1,568 at N=4,
 * 1,745,408 at N=8) and prints distinct states per second (per worker), bytes per stored state, the ratios against
 * the issue's targets, and the cost of counting coverage. `--json` prints the figures as one JSON object instead.
 *
 * Options: --json; --n N (the big size, default 8); --adjacency-n N (default 6); --adjacency-timeout S (default
 * 300); --repeat K (best of K timed runs, default 3). Each timed run compiles the machine afresh (no run inherits the
 * caches of another); timing excludes loading and compiling the model and starting the worker threads (reported
 * apart); SPIN's time is pan's own "elapsed time". The machine's load average is
 * printed with the figures: other processes on a 2-core machine skew every rate here.
 *
 * Needs `spin` and `gcc` (Debian: apt-get install -y spin gcc); without them the SPIN rows say so and the ratio
 * against SPIN is not reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchBfs, searchLevels } from '../../src/explore/bfs.ts';
import { loadSearchSpec } from '../../src/explore/loadModel.ts';
import type { SearchResult } from '../../src/explore/types.ts';
import { WorkerPool } from '../../src/explore/workers.ts';
import { twophasePromela } from './fixtures/twophasePromela.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const MACHINE = join(here, 'fixtures/twophase.machine.ts');
const TLC_COUNTS: Record<number, number> = { 3: 288, 4: 1568, 5: 8832, 6: 50816, 7: 296448, 8: 1745408 };

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const json = args.includes('--json');
const bigN = flag('--n', 8);
const adjN = flag('--adjacency-n', 6);
const adjTimeout = flag('--adjacency-timeout', 300);
const repeat = flag('--repeat', 3);

interface Run {
  tool: string;
  n: number;
  workers: number;
  states: number;
  transitions: number;
  seconds: number;
  statesPerSecond: number;
  statesPerSecondPerWorker: number;
  bytesPerState?: number;
  /** CPU seconds of all threads (handover only). */
  cpuSeconds?: number;
  note?: string;
}

const runs: Run[] = [];
const failures: string[] = [];
const log = (s: string) => {
  if (!json) console.log(s);
};

function check(what: string, got: number, want: number): void {
  if (got !== want) failures.push(`${what}: ${got.toLocaleString('en-US')} states, expected ${want.toLocaleString('en-US')} (TLC)`);
}

function record(
  tool: string,
  n: number,
  workers: number,
  r: { states: number; transitions: number; seconds: number; bytesPerState?: number; cpuSeconds?: number; note?: string },
): Run {
  const run: Run = {
    tool,
    n,
    workers,
    states: r.states,
    transitions: r.transitions,
    seconds: r.seconds,
    statesPerSecond: r.states / r.seconds,
    statesPerSecondPerWorker: r.states / r.seconds / workers,
    ...(r.bytesPerState !== undefined ? { bytesPerState: r.bytesPerState } : {}),
    ...(r.cpuSeconds !== undefined ? { cpuSeconds: r.cpuSeconds } : {}),
    ...(r.note ? { note: r.note } : {}),
  };
  runs.push(run);
  return run;
}

/** One timed handover search: wall seconds and CPU seconds (all threads of this process). */
interface Timed {
  result: SearchResult<unknown, unknown>;
  seconds: number;
  cpuSeconds: number;
}

async function timed(run: () => Promise<SearchResult<unknown, unknown>>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const result = await run();
  const seconds = (performance.now() - t) / 1000;
  const c = process.cpuUsage(c0);
  return { result, seconds, cpuSeconds: (c.user + c.system) / 1e6 };
}

const best = (a: Timed | undefined, b: Timed): Timed => (!a || b.seconds < a.seconds ? b : a);

/**
 * handover on the XState machine with each worker count in `workerCounts`, best of `reps` runs. Each run compiles
 * the machine afresh and starts its own workers (start-up reported apart, not timed), so that no run profits from
 * the caches a previous search filled: every run is what `handover explore` does once. The counts take turns
 * (1, 2, 1, 2, ...) so that they meet the same background load; 1 runs on this thread.
 */
async function handover(
  n: number,
  workerCounts: readonly number[],
  opts: { observe?: boolean; style?: 'per-rm' | 'payload'; reps?: number } = {},
): Promise<{ runs: Map<number, Timed>; startup: number }> {
  const observe = opts.observe ?? false;
  const runs = new Map<number, Timed>();
  let startup = 0;
  for (let k = 0; k < (opts.reps ?? repeat); k++) {
    for (const w of workerCounts) {
      const source = { module: MACHINE, export: 'twoPhaseModel', args: [n, opts.style ?? 'per-rm'] };
      const spec = await loadSearchSpec(source);
      let t: Timed;
      if (w === 1) {
        t = await timed(() => searchBfs(spec, { observe }));
      } else {
        const t0 = performance.now();
        const pool = await WorkerPool.start(source, w, { observe }, spec);
        startup = (performance.now() - t0) / 1000;
        try {
          t = await timed(() => searchLevels(spec, { observe }, pool));
        } finally {
          await pool.close();
        }
      }
      runs.set(w, best(runs.get(w), t));
    }
  }
  return { runs, startup };
}

/** SPIN on the Promela twin: pan's own count and elapsed time. */
function spin(n: number): { states: number; transitions: number; seconds: number; note: string } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), `twophase-spin-${n}-`));
  writeFileSync(join(dir, 'twophase.pml'), twophasePromela(n));
  const gen = spawnSync('spin', ['-a', 'twophase.pml'], { cwd: dir, encoding: 'utf8' });
  if (gen.error || gen.status !== 0) return { error: `spin -a failed: ${gen.error?.message ?? gen.stderr}` };
  // -DMEMLIM: MB pan may use; -w: log2 of hash table slots (2^22 = 4M slots for 1.7M states); -m: max DFS depth.
  const cc = spawnSync('gcc', ['-O2', '-DSAFETY', '-DNOREDUCE', '-DMEMLIM=8192', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
  if (cc.error || cc.status !== 0) return { error: `gcc failed: ${cc.error?.message ?? cc.stderr}` };
  const w = Math.max(10, Math.ceil(Math.log2((TLC_COUNTS[n] ?? 1e6) * 2)));
  let best: { states: number; transitions: number; seconds: number; note: string } | undefined;
  for (let k = 0; k < repeat; k++) {
    const run = spawnSync('./pan', [`-w${w}`, '-m10000'], { cwd: dir, encoding: 'utf8' });
    const out = run.stdout ?? '';
    const states = Number(/(\d+) states, stored/.exec(out)?.[1]);
    const transitions = Number(/(\d+) transitions \(= stored\+matched\)/.exec(out)?.[1]);
    const seconds = Number(/pan: elapsed time ([\d.e+-]+) seconds/.exec(out)?.[1]);
    const errors = Number(/errors: (\d+)/.exec(out)?.[1]);
    if (!Number.isFinite(states) || !Number.isFinite(seconds) || errors !== 0) return { error: `pan output not understood:\n${out}${run.stderr}` };
    const vec = /State-vector (\d+) byte/.exec(out)?.[1];
    const r = { states, transitions, seconds: Math.max(seconds, 0.01), note: `DFS, state vector ${vec} bytes, -w${w}` };
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best!;
}

/** getAdjacencyMap in a child process, time-boxed. */
function adjacency(n: number, timeoutSeconds: number): { states: number; seconds: number } | { timedOut: number } | { error: string } {
  const r = spawnSync(process.execPath, [join(root, 'src/cli/run-ts.js'), join(here, 'fixtures/adjacencyRun.ts'), String(n)], {
    encoding: 'utf8',
    timeout: timeoutSeconds * 1000,
    killSignal: 'SIGKILL',
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { timedOut: timeoutSeconds };
  if (r.signal === 'SIGKILL') return { timedOut: timeoutSeconds };
  if (r.status !== 0) return { error: r.stderr };
  return JSON.parse(r.stdout) as { states: number; seconds: number };
}

const load0 = loadavg();
log(`TwoPhase benchmark: N = 4, ${adjN} and ${bigN}; load average ${load0.map((x) => x.toFixed(2)).join(' ')} on this machine`);

/** A handover row of the table. */
function recordHandover(n: number, workers: number, t: Timed, note?: string): Run {
  check(`handover N=${n}, ${workers} worker${workers > 1 ? 's' : ''}${note ? ` (${note})` : ''}`, t.result.distinctStates, TLC_COUNTS[n]!);
  return record('handover', n, workers, {
    states: t.result.distinctStates,
    transitions: t.result.transitions,
    seconds: t.seconds,
    bytesPerState: t.result.bytesPerState,
    cpuSeconds: t.cpuSeconds,
    ...(note ? { note } : {}),
  });
}

// N = 4: counts only (all three tools agree with TLC).
recordHandover(4, 1, (await handover(4, [1])).runs.get(1)!);
const spinSmall = spin(4);
if ('states' in spinSmall) {
  check('SPIN N=4', spinSmall.states, TLC_COUNTS[4]!);
  record('SPIN', 4, 1, spinSmall);
}

// N = adjN: handover against getAdjacencyMap.
const midRun = recordHandover(adjN, 1, (await handover(adjN, [1])).runs.get(1)!);
log(`  getAdjacencyMap N=${adjN} (time-boxed at ${adjTimeout} s) ...`);
const adj = adjacency(adjN, adjTimeout);
let adjRatio: { value: number; lowerBound: boolean } | undefined;
if ('states' in adj) {
  check(`getAdjacencyMap N=${adjN}`, adj.states, TLC_COUNTS[adjN]!);
  const a = record('getAdjacencyMap', adjN, 1, { states: adj.states, transitions: NaN, seconds: adj.seconds });
  adjRatio = { value: midRun.statesPerSecond / a.statesPerSecond, lowerBound: false };
} else if ('timedOut' in adj) {
  // It did not finish: its rate is at most (all states) / (time given), so our ratio is at least this.
  record('getAdjacencyMap', adjN, 1, { states: NaN, transitions: NaN, seconds: adj.timedOut, note: `not finished in ${adj.timedOut} s (killed)` });
  adjRatio = { value: midRun.statesPerSecond / (TLC_COUNTS[adjN]! / adj.timedOut), lowerBound: true };
} else {
  failures.push(`getAdjacencyMap failed: ${adj.error}`);
}

// N = bigN: handover with 1 and 2 workers against SPIN.
const big = await handover(bigN, [1, 2]);
const oneRun = recordHandover(bigN, 1, big.runs.get(1)!);
const twoRun = recordHandover(bigN, 2, big.runs.get(2)!, `+${big.startup.toFixed(2)} s to start the workers (not timed)`);
// The same machine written with payload events ({ type: 'RMPrepare', rm }): every region checks every rm event.
recordHandover(bigN, 1, (await handover(bigN, [1], { style: 'payload', reps: 1 })).runs.get(1)!, "payload events ({ type: 'RMPrepare', rm }), one run");
const spinBig = spin(bigN);
let spinRun: Run | undefined;
if ('states' in spinBig) {
  check(`SPIN N=${bigN}`, spinBig.states, TLC_COUNTS[bigN]!);
  spinRun = record('SPIN', bigN, 1, spinBig);
} else {
  log(`  SPIN not run: ${spinBig.error}`);
}

// Coverage counting cost (issue 7): the same search with the StepObserver on.
// Runs with and without the observer take turns, like the worker counts above, each on a fresh compile.
const covN = Math.min(bigN, 7);
const covSource = { module: MACHINE, export: 'twoPhaseModel', args: [covN, 'per-rm'] };
let plainCov: Timed | undefined;
let observedCov: Timed | undefined;
for (let k = 0; k < repeat; k++) {
  const a = await loadSearchSpec(covSource);
  plainCov = best(plainCov, await timed(() => searchBfs(a, {})));
  const b = await loadSearchSpec(covSource);
  observedCov = best(observedCov, await timed(() => searchBfs(b, { observe: true })));
}
const coverageSlowdown = observedCov!.seconds / plainCov!.seconds - 1;

const load1 = loadavg();
const targets = {
  oneWorkerVsSpin: spinRun ? { value: oneRun.statesPerSecond / spinRun.statesPerSecond, target: 0.2 } : undefined,
  twoWorkersVsOne: { value: twoRun.statesPerSecond / oneRun.statesPerSecond, target: 1.6 },
  /** CPU seconds of 1 thread / CPU seconds of 2 workers: 1 means no parallel overhead (2 / this = best possible wall ratio). */
  parallelCpuEfficiency: oneRun.cpuSeconds! / twoRun.cpuSeconds!,
  bytesPerState: { value: oneRun.bytesPerState!, target: 100 },
  vsGetAdjacencyMap: adjRatio ? { value: adjRatio.value, lowerBound: adjRatio.lowerBound, target: 100 } : undefined,
  coverageSlowdown: { value: coverageSlowdown, target: 0.2 },
};

if (json) {
  console.log(JSON.stringify({ loadAverage: { before: load0, after: load1 }, runs, targets, failures }, null, 2));
} else {
  const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
  console.log('');
  console.log('tool             N  workers      states   transitions   seconds  cpu s    states/s  states/s/worker  bytes/state  note');
  for (const r of runs) {
    console.log(
      `${r.tool.padEnd(15)} ${String(r.n).padStart(2)} ${String(r.workers).padStart(8)} ${fmt(r.states).padStart(11)} ${fmt(r.transitions).padStart(13)} ` +
        `${fmt(r.seconds, 2).padStart(9)} ${(r.cpuSeconds !== undefined ? fmt(r.cpuSeconds, 2) : '-').padStart(6)} ${fmt(r.statesPerSecond).padStart(11)} ` +
        `${fmt(r.statesPerSecondPerWorker).padStart(16)} ${(r.bytesPerState !== undefined ? fmt(r.bytesPerState, 1) : '-').padStart(12)}  ${r.note ?? ''}`,
    );
  }
  console.log('');
  const line = (name: string, t: { value: number; target: number; lowerBound?: boolean } | undefined, better: 'higher' | 'lower', unit = 'x') => {
    if (!t) return console.log(`  ${name.padEnd(44)} not measured`);
    const met = better === 'higher' ? t.value >= t.target : t.value <= t.target;
    const v = unit === '%' ? `${(t.value * 100).toFixed(1)}%` : `${t.lowerBound ? '>= ' : ''}${t.value.toFixed(unit === 'B' ? 1 : 2)}${unit === 'B' ? ' B' : 'x'}`;
    const tgt = unit === '%' ? `${(t.target * 100).toFixed(0)}%` : `${t.target}${unit === 'B' ? ' B' : 'x'}`;
    console.log(`  ${name.padEnd(44)} ${v.padStart(12)}   target ${better === 'higher' ? '>=' : '<='} ${tgt}   ${met ? 'met' : 'NOT MET'}`);
  };
  line(`1 worker / SPIN (states/s, N=${bigN})`, targets.oneWorkerVsSpin, 'higher');
  line(`2 workers / 1 worker (states/s, N=${bigN})`, targets.twoWorkersVsOne, 'higher');
  line(`bytes per stored state (N=${bigN})`, targets.bytesPerState, 'lower', 'B');
  line(`handover / getAdjacencyMap (states/s, N=${adjN})`, targets.vsGetAdjacencyMap, 'higher');
  line(`coverage counting slowdown (N=${covN}, 1 worker)`, targets.coverageSlowdown, 'lower', '%');
  console.log(
    `  2-worker CPU efficiency (N=${bigN}): ${targets.parallelCpuEfficiency.toFixed(2)} ` +
      `(1-thread CPU s / 2-worker CPU s: the wall ratio two idle cores would allow is ${(2 * targets.parallelCpuEfficiency).toFixed(2)}x)`,
  );
  console.log(`\n  load average after: ${load1.map((x) => x.toFixed(2)).join(' ')}`);
  for (const f of failures) console.log(`FAILED: ${f}`);
}
process.exit(failures.length ? 1 : 0);
