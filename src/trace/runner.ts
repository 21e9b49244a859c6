/**
 * Replays a loaded trace through the kernel model: boot the world the config declares on the trace's kernel
 * profile, then for each step resolve its labels and names, make the call, run the invariant checks on the step
 * (the kernel before it, the call, the result), bind `as`, and compare the outcome with `expect` / `expect_out`.
 *
 * The kernel model comes in as a parameter (KernelApi) so that the runner can be tested with a small fake, and
 * so that a benchmark can replay with and without invariant checks. The runner itself does no I/O.
 *
 * A step stops the trace when it cannot be run honestly: the model refuses its call as not modelled
 * (NOT_MODELLED; never answered with a made-up errno), or it uses a label whose binding step failed
 * (UNRESOLVED). The steps after it are counted as not run and the trace fails. A KEXEC whose new kernel panics
 * (PANIC) also ends the trace: nothing runs after it, so any step after it counts as not run.
 *
 * A KEXEC that boots ends the old kernel's process: every label and every config file name stops resolving; the
 * kernel profile is the new one. A DMA is the hardware: it reads the kernel and changes nothing, so no invariant is
 * checked after it.
 */
import type { BootFds, DmaRequest, DmaResult, Syscall, SyscallResult, WorldConfig } from '../kernel/index.ts';
import { compareExpectations, readExpectOut, renderExpected, renderOut } from './expect.ts';
import type { ExpectedValue } from './expect.ts';
import type { TraceInputError } from './errors.ts';
import type { LoadedTrace } from './load.ts';
import { opSpec } from './ops.ts';
import { ResolvingReader, Unresolved } from './readers.ts';
import type { RuntimeEnv } from './readers.ts';
import type { DmaStep, KexecStep, ReplayExpectation, ReplayOut, ReplayStepLine, ReplaySummary, ReplayViolation, Step } from './types.ts';

/** An invariant broken by a step, as the invariant checkers report it. */
export interface StepViolation {
  invariant: string;
  message: string;
}

/**
 * What the runner needs of the kernel model (src/kernel, src/invariants). A `syscall` result with `notModelled`
 * is the model refusing a call it does not implement, not a kernel outcome.
 */
export interface KernelApi<K = unknown> {
  bootKernel(world: WorldConfig, profile?: string): { kernel: K; fds: BootFds };
  syscall(kernel: K, call: Syscall): SyscallResult<K>;
  /** One DMA by a config device (the hardware; reads only). */
  dma(kernel: K, req: DmaRequest): DmaResult;
  checkStep(before: K, call: Syscall, result: SyscallResult<K>): readonly StepViolation[];
  /** The kernel profile names a trace's `kernel` may give. */
  readonly profiles: readonly string[];
  /** What is wrong with a kernel name that is not in `profiles` (a profile with patches), or undefined if it runs. */
  checkKernel?(name: string): string | undefined;
  /** The profile a trace without `kernel` runs on. */
  readonly defaultProfile: string;
}

/** How to replay. */
export interface ReplayOptions {
  /** Run the invariant checks after every step (default true). */
  checkInvariants?: boolean;
}

/** The outcome of one trace: a line per step that ran, and the counts. */
export interface TraceReport {
  file: string;
  description?: string;
  lines: ReplayStepLine[];
  summary: ReplaySummary;
}

/**
 * Boots the trace's world without running a step, so that a config the model refuses is found before anything
 * runs. Returns the error, or undefined when the model boots it.
 */
export function checkBoot<K>(loaded: LoadedTrace, api: KernelApi<K>): TraceInputError | undefined {
  try {
    api.bootKernel(loaded.world, loaded.trace.kernel ?? api.defaultProfile);
    return undefined;
  } catch (err) {
    // The kernel model's WorldConfigError names the config field; other errors name none.
    const field = (err as { field?: unknown }).field;
    const message = (err as Error).message;
    if (typeof field === 'string') {
      return { kind: 'trace', file: loaded.file, field: `config.${field}`, message: message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message };
    }
    return { kind: 'trace', file: loaded.file, field: 'config', message: `the kernel model cannot boot this world: ${message}` };
  }
}

/** Replays one trace. Deterministic: the same trace and model give the same report. */
export function replayTrace<K>(loaded: LoadedTrace, api: KernelApi<K>, options: ReplayOptions = {}): TraceReport {
  const checkInvariants = options.checkInvariants ?? true;
  const { trace, file } = loaded;
  const profile = trace.kernel ?? api.defaultProfile;
  let running = profile;
  const boot = api.bootKernel(loaded.world, profile);
  let kernel = boot.kernel;
  const env: RuntimeEnv = { fds: boot.fds, labels: new Map(), unbound: new Map(), kexec: null, liveupdate: null };
  const lines: ReplayStepLine[] = [];
  for (let index = 0; index < trace.steps.length; index++) {
    const step = trace.steps[index];
    if (step === undefined) break;
    const r = runStep(api, { kernel, running, env }, step, index, file, checkInvariants);
    kernel = r.kernel;
    running = r.running;
    lines.push(r.line);
    if (r.stop) break;
  }
  return { file, ...(trace.description !== undefined ? { description: trace.description } : {}), lines, summary: summarise(loaded, profile, lines) };
}

/** Where a trace is between two steps: the kernel, the profile it runs, and the names the trace has bound. */
export interface StepPosition<K> {
  kernel: K;
  running: string;
  /** Updated in place by runStep (labels bound and dropped, the kexec, /dev/liveupdate). */
  env: RuntimeEnv;
}

/** One step's outcome: the kernel and profile after it, its report line, and whether the trace ends there. */
export interface StepOutcome<K> {
  kernel: K;
  running: string;
  line: ReplayStepLine;
  /** The step could not run (NOT_MODELLED, UNRESOLVED) or the new kernel panicked: nothing runs after it. */
  stop: boolean;
}

/**
 * Runs step `index` of a trace from `at`: resolve its labels and names, make the call (or the DMA), check the
 * invariants on the step, bind `as`, compare with its expectations. Pure but for `at.env`, which it updates. The
 * replay runner and the live-update statecharts (machines/) both step through here, so that a counterexample
 * the explorer finds replays to the same outcome.
 */
export function runStep<K>(api: KernelApi<K>, at: StepPosition<K>, step: Step, index: number, file: string, checkInvariants = true): StepOutcome<K> {
  const { kernel, running, env } = at;
  const spec = opSpec(step);
  const base = { file, step: index, op: step.op };
  const as = (step as { as?: string }).as;
  const reader = new ResolvingReader(env);
  const wanted = step.expect_violations;
  const done = (line: ReplayStepLine, stop = false, k: K = kernel, r: string = running): StepOutcome<K> => ({ kernel: k, running: r, line, stop });

  let call: Syscall | undefined;
  let dmaReq: DmaRequest | undefined;
  let expectOut: Map<string, ExpectedValue>;
  try {
    if (spec.kind === 'dma') dmaReq = spec.toDma(step as DmaStep, reader);
    else if (spec.kind === 'kexec') {
      const x = spec.toKexec(step as KexecStep, reader);
      call = { op: 'KEXEC', kernel: x.kernel ?? running, faults: x.faults };
    } else call = spec.toSyscall(step, reader);
    expectOut = readExpectOut(spec, step, reader);
  } catch (err) {
    if (!(err instanceof Unresolved)) throw err;
    return done(stopped({ ...base, result: 'UNRESOLVED', out: {}, reason: err.message }, step), true);
  }

  if (dmaReq !== undefined) {
    const r = api.dma(kernel, dmaReq);
    const rawOut: Record<string, unknown> = r.ok ? { frame: r.frame } : {};
    const line: ReplayStepLine = { ...base, result: r.ok ? 'ok' : 'FAULT', out: renderOut(rawOut), rule: r.rule };
    if (!r.ok) line.reason = r.reason;
    if (step.expect !== undefined || expectOut.size > 0 || wanted !== undefined) line.expected = expectation(step.expect, expectOut, line.result, rawOut, wanted, []);
    return done(line);
  }
  if (call === undefined) throw new Error('unreachable: a step is a DMA or a call');

  const result = api.syscall(kernel, call);
  if (!result.ok && 'notModelled' in result) {
    return done(stopped({ ...base, result: 'NOT_MODELLED', out: {}, reason: `not modelled: ${result.reason}`, rule: result.rule }, step), true);
  }
  if (!result.ok && 'panic' in result) {
    const line: ReplayStepLine = { ...base, result: 'PANIC', out: {}, reason: `the new kernel panicked: ${result.reason}`, rule: result.rule };
    if (step.expect !== undefined || expectOut.size > 0 || wanted !== undefined) line.expected = expectation(step.expect, expectOut, 'PANIC', {}, wanted, []);
    return done(line, true);
  }
  const violations: ReplayViolation[] = checkInvariants
    ? api.checkStep(kernel, call, result).map((v) => ({ invariant: v.invariant, message: v.message }))
    : [];
  const after = result.ok ? result.kernel : (result.kernel ?? kernel);

  const rawOut = result.out ?? {};
  const line: ReplayStepLine = { ...base, result: result.ok ? 'ok' : result.errno, out: renderOut(rawOut), rule: result.rule };
  if (!result.ok && result.partial) line.partial = true;
  if (as !== undefined && spec.binds !== undefined) {
    const value = rawOut[spec.binds.out];
    if (result.ok && (typeof value === 'number' || typeof value === 'bigint')) {
      env.labels.set(as, { kind: spec.binds.kind, value: Number(value), step: index });
      env.unbound.delete(as);
      line.bound = { label: as, value: Number(value) };
    } else {
      env.labels.delete(as);
      env.unbound.set(as, `step ${index} (${step.op}), which binds it, ${result.ok ? `wrote back no ${spec.binds.out}` : `failed with ${result.errno}`}`);
    }
  }
  if (result.ok) track(env, call, rawOut, index);
  if (step.expect !== undefined || expectOut.size > 0 || wanted !== undefined) {
    line.expected = expectation(step.expect, expectOut, line.result, rawOut, wanted, violations.map((v) => v.invariant));
  }
  if (violations.length > 0) line.violations = violations;
  return done(line, false, after, result.ok && call.op === 'KEXEC' ? call.kernel : running);
}

/** What a successful call changes in the names a trace can use: a KEXEC ends them, /dev/liveupdate comes and goes. */
function track(env: RuntimeEnv, call: Syscall, out: Record<string, unknown>, index: number): void {
  if (call.op === 'KEXEC') {
    env.labels.clear();
    env.unbound.clear();
    env.kexec = index;
    env.liveupdate = null;
  } else if (call.op === 'LIVEUPDATE_OPEN' && typeof out['fd'] === 'number') {
    env.liveupdate = out['fd'];
  } else if (call.op === 'CLOSE' && call.fd === env.liveupdate) {
    env.liveupdate = null;
  }
}

/** A step's expectations, as the trace wrote them, compared with what the call returned. */
function expectation(
  expect: string | undefined,
  expectOut: ReadonlyMap<string, ExpectedValue>,
  result: string,
  rawOut: Record<string, unknown>,
  wantedViolations: readonly string[] | undefined,
  violations: readonly string[],
): ReplayExpectation {
  const mismatches = compareExpectations(expect, expectOut, result, rawOut);
  if (wantedViolations !== undefined) {
    const want = [...new Set(wantedViolations)].sort();
    const got = [...new Set(violations)].sort();
    if (want.join(',') !== got.join(',')) mismatches.push({ field: 'violations', expected: want, actual: got });
  }
  const expected = {} as ReplayExpectation;
  if (expect !== undefined) expected.result = expect;
  if (expectOut.size > 0) {
    const out: ReplayOut = {};
    for (const [field, value] of expectOut) out[field] = renderExpected(value);
    expected.out = out;
  }
  if (wantedViolations !== undefined) expected.violations = [...wantedViolations];
  expected.met = mismatches.length === 0;
  expected.mismatches = mismatches;
  return expected;
}

/** The line of a step that could not run: whatever it expected is not met. */
function stopped(line: ReplayStepLine, step: Step): ReplayStepLine {
  const expectOut = (step as { expect_out?: ReplayOut }).expect_out;
  if (step.expect === undefined && expectOut === undefined && step.expect_violations === undefined) return line;
  line.expected = {
    ...(step.expect !== undefined ? { result: step.expect } : {}),
    ...(expectOut !== undefined ? { out: expectOut } : {}),
    met: false,
    mismatches: [{ field: 'result', expected: step.expect ?? 'a result', actual: line.result }],
  };
  return line;
}

/** The counts and the verdict of a trace from its step lines. */
function summarise(loaded: LoadedTrace, profile: string, lines: readonly ReplayStepLine[]): ReplaySummary {
  const { trace } = loaded;
  const byInvariant = new Map<string, number>();
  let violations = 0;
  let expectedViolations = 0;
  let ran = 0;
  let checked = 0;
  let met = 0;
  for (const l of lines) {
    if (l.result !== 'NOT_MODELLED' && l.result !== 'UNRESOLVED') ran++;
    if (l.expected !== undefined) {
      checked++;
      if (l.expected.met) met++;
    }
    const wanted = new Set(l.expected?.violations ?? []);
    for (const v of l.violations ?? []) {
      byInvariant.set(v.invariant, (byInvariant.get(v.invariant) ?? 0) + 1);
      violations++;
      if (wanted.has(v.invariant)) expectedViolations++;
    }
  }
  // Expectations of steps after a stop were never checked: they count as checked and not met.
  for (let i = lines.length; i < trace.steps.length; i++) {
    const s = trace.steps[i] as { expect?: string; expect_out?: object; expect_violations?: string[] };
    if (s.expect !== undefined || s.expect_out !== undefined || s.expect_violations !== undefined) checked++;
  }
  const sorted = Object.fromEntries([...byInvariant].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    kernel: profile,
    ...(trace.source !== undefined ? { source: trace.source } : {}),
    steps: trace.steps.length,
    ran,
    checked,
    met,
    violations,
    expectedViolations,
    violationsByInvariant: sorted,
    verdict: ran === trace.steps.length && met === checked && violations === expectedViolations ? 'PASS' : 'FAIL',
  };
}
