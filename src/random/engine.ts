/**
 * Random runs of a lifecycle model (issue 6): fast-check drives the statechart of machines/lifecycle.ts along long
 * random paths, beyond the bounds of the exhaustive proofs, and checks the invariants after every step.
 *
 * The machine is stepped with xstate's own pure `initialTransition()` / `transition()`, deliberately not with the
 * explorer's compiler (src/explore/compile.ts): the random runs then cross-check the statechart's semantics
 * independently of it. At each step the run picks one of `events(state)` (the procedure's next step, a KEXEC with a
 * fault, or, while deviations remain, an adversarial call), driven by one fast-check integer per step (shrinking it
 * towards 0 means "follow the procedure"); a run stops at a terminal state, when no call is possible, or at the
 * length limit. A run fails when an invariant that is judged and not expected to be violated breaks.
 *
 * A failure is shrunk by fast-check and reported with its seed and path (`fc.check(..., { seed, path })` reruns
 * exactly that run), and written as a trace (`toTrace`) with `expect` on every step and `expect_violations` on the
 * steps that break an invariant, in the format of the explorer's counterexamples; the trace is then replayed with
 * `replayTrace` to check that it reproduces the violation at the same step with every expectation met.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { LifecycleEvent, LifecycleState } from '../../machines/lifecycle.ts';
import { phaseOf } from '../../machines/lifecycle.ts';
import { KERNEL_API, loadTraceFile, loadTraceText, replayTrace } from '../trace/index.ts';
import type { Step, Trace, TraceReport } from '../trace/index.ts';

/** What the engine needs of a lifecycle model (`lifecycleModel(strategy, env)`). */
export interface RandomModel {
  machine: AnyStateMachine;
  events(state: LifecycleState): LifecycleEvent[];
  invariants: Record<string, (state: LifecycleState) => boolean>;
  toTrace(path: readonly LifecycleEvent[], description: string): Trace;
}

/** The input of one run, as fast-check generates and shrinks it. */
export interface RunInput {
  /** Percent chance, at each step where a deviation is possible, that the run deviates. */
  rate: number;
  /** One choice per step; a run longer than the array goes on with 0 (the procedure's next step). */
  choices: number[];
}

/** How a run ended. */
export type RunEnd = 'terminal' | 'stuck' | 'limit' | 'violation';

/** One run: the events it took, the state value after each, and how it ended. */
export interface Run {
  events: LifecycleEvent[];
  /** Phases after each event (index i: after events[i]). */
  phases: string[];
  end: RunEnd;
  /** The last phase. */
  phase: string;
  /** When end is `violation`: the step (index into events) that broke them and the invariants it broke. */
  violation?: { step: number; invariants: string[] };
  /** Invariants broken along the run that were expected to be violated (or not judged). */
  tolerated: string[];
}

export interface RandomOptions {
  /** A name for the world (file names of failing traces: `<name>-<seed>.trace.json`). */
  name: string;
  model: RandomModel;
  /** Runs to make (fast-check numRuns). */
  runs: number;
  /** fast-check seed (default: a random one, printed). */
  seed?: number;
  /** fast-check path of a failing (or any) run: replay exactly that run. */
  path?: string;
  /** Longest run, in steps. */
  maxSteps: number;
  /** Invariants whose violation is expected (a finding proven elsewhere), each with why; they do not fail a run. */
  expectViolated?: Record<string, string>;
  /** Judge only these invariants (default: every invariant of the model and `extraInvariants`). */
  judge?: string[];
  /** More invariants on the state, judged like the model's (a test plants a broken one here). */
  extraInvariants?: Record<string, (state: LifecycleState) => boolean>;
  /** Where failing traces are written (default `out/random`); null: not written (the trace is still built and replayed). */
  outDir?: string | null;
  /** At most this long shrinking a failure (default 20; 0: not shrunk). */
  shrinkSeconds?: number;
  /** Called after every run (not while shrinking): progress for long runs. */
  onRun?: (run: Run, index: number) => void;
}

/** The replay of a failing run's trace. */
export interface ReplayCheck {
  /** The trace replays with every expectation met and the failing invariants broken at the failing step. */
  reproduced: boolean;
  verdict: 'PASS' | 'FAIL';
  /** Invariants the replay reports at the failing step. */
  atStep: string[];
  /** What did not match, when not reproduced. */
  problems: string[];
  report: TraceReport;
}

export interface RandomFailure {
  seed: number;
  /** fast-check path of the shrunk counterexample: `--seed <seed> --path <path>` reruns it. */
  path: string;
  input: RunInput;
  run: Run;
  /** The run as a trace, with expectations. */
  trace: Trace;
  /** Where it was written (undefined when outDir is null). */
  traceFile?: string;
  replay: ReplayCheck;
  /** fast-check: how many shrinks led to it. */
  shrinks: number;
  /** The shrinking stopped at its time limit (the counterexample may shrink further). */
  shrinkInterrupted: boolean;
}

export interface RandomResult {
  name: string;
  seed: number;
  /** Runs made before the end (or the failure), not counting shrinking. */
  runs: number;
  steps: number;
  /** Time the runs took (shrinking a failure not included). */
  seconds: number;
  /** How the runs ended, and the last phase of each. */
  ends: Record<RunEnd, number>;
  phases: Record<string, number>;
  /** Invariants broken but tolerated (expected or not judged), with how many runs broke each. */
  tolerated: Record<string, number>;
  failure?: RandomFailure;
}

/** The fast-check arbitrary of a run's input. */
export function runInput(maxSteps: number): fc.Arbitrary<RunInput> {
  return fc.record({
    rate: fc.integer({ min: 0, max: 100 }),
    choices: fc.array(fc.nat({ max: 0xffff }), { maxLength: maxSteps, size: 'max' }),
  });
}

/** Weight of the procedure's own step against each fault variant of a KEXEC. */
const PROCEDURE_WEIGHT = 6;

/** The event a choice picks among `events` (script kinds first, as `events(state)` lists them). */
export function pick(events: readonly LifecycleEvent[], rate: number, choice: number): LifecycleEvent | undefined {
  if (events.length === 0) return undefined;
  const script = events.filter((e) => e.kind === 'script');
  const deviations = events.filter((e) => e.kind !== 'script');
  const u = choice % 100;
  const v = Math.floor(choice / 100);
  if (deviations.length > 0 && (script.length === 0 || u >= 100 - rate)) return deviations[v % deviations.length];
  if (script.length <= 1) return script[0];
  const w = v % (PROCEDURE_WEIGHT + script.length - 1);
  return w < PROCEDURE_WEIGHT ? script[0] : script[w - PROCEDURE_WEIGHT + 1];
}

/** The invariants that fail on a state, among `judged`. */
function failing(invariants: Record<string, (s: LifecycleState) => boolean>, state: LifecycleState): string[] {
  return Object.entries(invariants).filter(([, holds]) => !holds(state)).map(([name]) => name).sort();
}

const stateOf = (snap: AnyMachineSnapshot): LifecycleState => ({ value: snap.value, context: snap.context as LifecycleState['context'] });

/**
 * One run through xstate's transition(): deterministic in its input. Stops at the first step that breaks a judged
 * invariant not expected to be violated.
 */
export function walk(
  model: RandomModel,
  input: RunInput,
  maxSteps: number,
  options: Pick<RandomOptions, 'expectViolated' | 'judge' | 'extraInvariants'> = {},
): Run {
  const all = { ...model.invariants, ...(options.extraInvariants ?? {}) };
  const judged = new Set(options.judge ?? Object.keys(all));
  const expected = new Set(Object.keys(options.expectViolated ?? {}));
  const tolerated = new Set<string>();
  let [snap] = initialTransition(model.machine) as [AnyMachineSnapshot, unknown];
  let before = new Set(failing(all, stateOf(snap)));
  const events: LifecycleEvent[] = [];
  const phases: string[] = [];
  const bad = (names: Iterable<string>): string[] => [...names].filter((n) => judged.has(n) && !expected.has(n)).sort();
  const initialBad = bad(before);
  if (initialBad.length > 0) return { events, phases, end: 'violation', phase: phaseOf(snap.value), violation: { step: -1, invariants: initialBad }, tolerated: [] };
  for (const n of before) tolerated.add(n);
  let end: RunEnd = 'limit';
  for (let i = 0; i < maxSteps; i++) {
    if (snap.status === 'done') { end = 'terminal'; break; }
    const state = stateOf(snap);
    const e = pick(model.events(state), input.rate, input.choices[i] ?? 0);
    if (e === undefined) { end = 'stuck'; break; }
    const [next] = transition(model.machine, snap, e as never) as [AnyMachineSnapshot, unknown];
    if (next === snap) throw new Error(`the machine took no transition for ${e.type} (${e.why}) at step ${i}, though events() offered it`);
    snap = next;
    events.push(e);
    phases.push(phaseOf(snap.value));
    const now = failing(all, stateOf(snap));
    const fresh = now.filter((n) => !before.has(n));
    const wrong = bad(fresh);
    if (wrong.length > 0) return { events, phases, end: 'violation', phase: phaseOf(snap.value), violation: { step: i, invariants: wrong }, tolerated: [...tolerated].sort() };
    for (const n of fresh) tolerated.add(n);
    before = new Set(now);
  }
  if (end === 'limit' && snap.status === 'done') end = 'terminal';
  return { events, phases, end, phase: phaseOf(snap.value), tolerated: [...tolerated].sort() };
}

/** Runs `options.runs` random runs (or replays one: `seed` and `path`); a failure is shrunk, written and replayed. */
export function randomRuns(options: RandomOptions): RandomResult {
  const { model, maxSteps } = options;
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const ends: Record<RunEnd, number> = { terminal: 0, stuck: 0, limit: 0, violation: 0 };
  const phases: Record<string, number> = {};
  const tolerated: Record<string, number> = {};
  let runs = 0;
  let steps = 0;
  let failed = false;
  const started = performance.now();
  const property = fc.property(runInput(maxSteps), (input) => {
    const run = walk(model, input, maxSteps, options);
    if (!failed) {
      // Statistics of the runs themselves, not of fast-check's shrinking after the first failure.
      runs++;
      steps += run.events.length;
      ends[run.end]++;
      phases[run.phase] = (phases[run.phase] ?? 0) + 1;
      for (const t of run.tolerated) tolerated[t] = (tolerated[t] ?? 0) + 1;
      options.onRun?.(run, runs - 1);
      failed = run.end === 'violation';
    }
    return run.end !== 'violation';
  });
  // First the runs, stopping at the first failure without shrinking; then fast-check shrinks that failure from its
  // path, for at most shrinkSeconds (a shrunk-so-far counterexample has a path that replays too).
  const replaying = options.path !== undefined;
  const first = fc.check(property, {
    // A path names one run: replay that run only.
    numRuns: replaying ? 1 : options.runs,
    seed,
    endOnFailure: true,
    ...(replaying ? { path: options.path } : {}),
  });
  // Runs per second count the runs, not the shrinking after them.
  const seconds = (performance.now() - started) / 1000;
  let details = first;
  if (first.failed && !replaying && first.counterexamplePath !== null && (options.shrinkSeconds ?? 20) > 0) {
    const shrunk = fc.check(property, { seed, path: first.counterexamplePath, interruptAfterTimeLimit: (options.shrinkSeconds ?? 20) * 1000 });
    if (shrunk.failed && shrunk.counterexample !== null) details = shrunk;
  }
  const result: RandomResult = { name: options.name, seed, runs, steps, seconds, ends, phases, tolerated };
  if (details.failed) {
    if (details.counterexample === null || details.counterexamplePath === null) {
      throw details.errorInstance ?? new Error(`fast-check failed without a counterexample (seed ${seed})`);
    }
    const [input] = details.counterexample;
    const run = walk(model, input, maxSteps, options);
    if (run.end !== 'violation' || !run.violation) {
      // The property threw rather than returned false: the model itself failed.
      throw details.errorInstance ?? new Error(`seed ${seed} path ${details.counterexamplePath}: the counterexample does not fail again`);
    }
    result.failure = failureOf(options, seed, details.counterexamplePath, input, run, details.numShrinks, details.interrupted);
  }
  return result;
}

/** The failing run as a trace with expectations, written and replayed. */
function failureOf(options: RandomOptions, seed: number, path: string, input: RunInput, run: Run, shrinks: number, shrinkInterrupted: boolean): RandomFailure {
  const { violation } = run;
  if (!violation) throw new Error('unreachable: a failure has a violation');
  const fileName = `${options.name}-${seed}.trace.json`;
  const at = violation.step;
  const event = run.events[at];
  const description =
    `Random run of ${options.name} (fast-check seed ${seed}, path ${path}; rerun: handover random --seed ${seed} --path ${path}), ` +
    `shrunk to ${run.events.length} steps: ${violation.invariants.join(', ')} broken at step ${at}` +
    (event ? ` (${event.type}: ${event.why})` : '') + '.';
  const bare = options.model.toTrace(run.events, description);
  // Expectations are what the kernel model answers on this path: replay the bare trace once and record them.
  const first = replayTrace(loaded(bare, fileName), KERNEL_API);
  const steps = bare.steps.map((s, i) => {
    const line = first.lines[i];
    if (!line) return s;
    const out: Record<string, unknown> = { ...s, expect: line.result };
    if (line.violations && line.violations.length > 0) out['expect_violations'] = [...new Set(line.violations.map((v) => v.invariant))].sort();
    return out as unknown as Step;
  });
  const trace: Trace = { ...bare, steps };
  let traceFile: string | undefined;
  let report: TraceReport;
  if (options.outDir !== null) {
    const dir = options.outDir ?? join('out', 'random');
    mkdirSync(dir, { recursive: true });
    traceFile = join(dir, fileName);
    writeFileSync(traceFile, `${JSON.stringify(trace, null, 1)}\n`);
    // Read back from disk, through the loader and its schema, as `handover replay` would.
    const r = loadTraceFile(traceFile);
    if (!r.ok) throw new Error(`${traceFile}: the written trace does not load: ${r.errors.map((e) => e.message).join('; ')}`);
    report = replayTrace(r.trace, KERNEL_API);
  } else {
    report = replayTrace(loaded(trace, fileName), KERNEL_API);
  }
  return { seed, path, input, run, trace, ...(traceFile !== undefined ? { traceFile } : {}), replay: checkReplay(report, run, Object.keys(options.model.invariants)), shrinks, shrinkInterrupted };
}

function loaded(trace: Trace, file: string) {
  const r = loadTraceText(file, JSON.stringify(trace));
  if (!r.ok) throw new Error(`${file}: the run's trace does not load: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.trace;
}

/**
 * Does the replay reproduce the run: every step ran with every expectation met (PASS), and the failing step breaks
 * the failing invariants that the kernel model judges (a planted invariant on the statechart's state is not one
 * the replay can see).
 */
function checkReplay(report: TraceReport, run: Run, modelInvariants: readonly string[]): ReplayCheck {
  const v = run.violation!;
  const problems: string[] = [];
  const line = report.lines[v.step];
  const atStep = [...new Set((line?.violations ?? []).map((x) => x.invariant))].sort();
  if (report.summary.verdict !== 'PASS') problems.push(`the replay's verdict is ${report.summary.verdict} (${report.summary.met}/${report.summary.checked} expectations met, ${report.summary.ran}/${report.summary.steps} steps ran)`);
  if (report.lines.length !== run.events.length) problems.push(`the replay ran ${report.lines.length} steps, the run ${run.events.length}`);
  for (const name of v.invariants) {
    if (modelInvariants.includes(name) && !atStep.includes(name)) problems.push(`${name} is not broken at step ${v.step} in the replay (it reports ${atStep.join(', ') || 'none'})`);
  }
  return { reproduced: problems.length === 0, verdict: report.summary.verdict, atStep, problems, report };
}

/** The lines that report a failure: what broke where, the seed and path to rerun it, the trace. */
export function formatFailure(f: RandomFailure, rerun: string): string[] {
  const v = f.run.violation!;
  const lines = [
    `VIOLATED: ${v.invariants.join(', ')} at step ${v.step} of ${f.run.events.length} (shrunk ${f.shrinks} times${f.shrinkInterrupted ? ', stopped at the shrink time limit' : ''})`,
    `  seed ${f.seed}, path ${f.path}`,
    `  rerun: ${rerun} --seed ${f.seed} --path ${f.path}`,
  ];
  f.run.events.forEach((e, i) => {
    const line = f.replay.report.lines[i];
    const mark = i === v.step ? '✗' : ' ';
    const tag = e.kind === 'script' ? '' : e.kind === 'instead' ? ' [instead]' : ' [extra]';
    lines.push(`  ${mark} ${String(i).padStart(2)} ${e.type.padEnd(34)} ${(line?.result ?? '?').padEnd(8)} ${e.why}${tag}`);
    if (line?.violations) for (const x of line.violations) lines.push(`        ${x.invariant}: ${x.message}`);
  });
  if (f.traceFile) lines.push(`  trace: ${f.traceFile}`);
  lines.push(f.replay.reproduced
    ? `  replay: reproduced (${f.replay.atStep.join(', ')} at step ${v.step}, every expectation met)`
    : `  replay: NOT reproduced: ${f.replay.problems.join('; ')}`);
  return lines;
}
