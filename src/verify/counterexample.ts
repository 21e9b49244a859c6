/**
 * A violated invariant's shortest path as a trace file a reader can replay (`handover replay FILE`): the path's steps
 * with the result the model gave on each (`expect`), the invariants each step broke (`expect_violations`, on the
 * failing step and on any step that broke some), and after the failing step the proof's DMA reads with what the
 * device reaches (`expect`, `expect_out.frame`). The file is then replayed through `replayTrace` here, and it must
 * reproduce the violation at the same step with every expectation met; otherwise the explorer and the replay
 * disagree, which is a bug, and `CounterexampleMismatch` says where.
 *
 * The expectations come from stepping the path with the same `runStep` the statechart runs, and each kernel the
 * steps reach is compared with the state the explorer reached (canonical encodings): the trace is the explorer's path.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LifecycleEvent } from '../../machines/lifecycle.ts';
import {
  domainTranslations, frameName, hwLeaves, hwTranslate, iommufdContexts, mappedTranslations, mergeRuns,
  mergeTranslations, type Kernel,
} from '../kernel/index.ts';
import { ByteBuffer, encodeCanonical, type Violation } from '../explore/index.ts';
import { KERNEL_API, loadTraceText, replayTrace, type LoadedTrace } from '../trace/index.ts';
import { runStep } from '../trace/runner.ts';
import type { RuntimeEnv } from '../trace/readers.ts';
import type { ReplayStepLine, Step, Trace } from '../trace/types.ts';
import type { Environment } from '../../machines/strategy.ts';

/** The explorer's path and replay disagree (a bug in the model, the runner or the explorer). */
export class CounterexampleMismatch extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: the counterexample does not replay as explored: ${message}`);
    this.name = 'CounterexampleMismatch';
  }
}

/** A written counterexample. */
export interface Counterexample {
  invariant: string;
  /** The trace file written. */
  file: string;
  /** Steps of the explored path (the failing one is the last, index steps - 1). */
  steps: number;
  /** Index of the step that breaks the invariant (-1: the initial state, or a deadlock with no failing step). */
  failingStep: number;
  /** The trace as written. */
  trace: Trace;
  /** The step lines of its replay. */
  lines: ReplayStepLine[];
  /** The kernel after the failing step (after the last step for a deadlock). */
  kernel: Kernel;
}

/** What a counterexample needs from its proof. */
export interface CounterexampleInput {
  proofName: string;
  environment: Environment;
  toTrace(path: readonly LifecycleEvent[], description: string): Trace;
  /** The explorer's violation: invariant and shortest trace. */
  violation: Violation<unknown, unknown>;
  /** Where to write it. */
  file: string;
}

interface Walked {
  lines: ReplayStepLine[];
  kernels: Kernel[];
}

/** Steps `trace` with runStep (as the statechart does), returning each line and the kernel after each step. */
function walk(loaded: LoadedTrace): Walked {
  const profile = loaded.trace.kernel ?? KERNEL_API.defaultProfile;
  const boot = KERNEL_API.bootKernel(loaded.world, profile);
  const env: RuntimeEnv = { fds: boot.fds, labels: new Map(), unbound: new Map(), kexec: null, liveupdate: null };
  let kernel = boot.kernel;
  let running = profile;
  const lines: ReplayStepLine[] = [];
  const kernels: Kernel[] = [];
  loaded.trace.steps.forEach((step, i) => {
    const r = runStep(KERNEL_API, { kernel, running, env }, step, i, loaded.file);
    kernel = r.kernel;
    running = r.running;
    lines.push(r.line);
    kernels.push(kernel);
  });
  return { lines, kernels };
}

function encoded(v: unknown): string {
  const b = new ByteBuffer();
  encodeCanonical(v, b);
  return Buffer.from(b.buf.subarray(0, b.length)).toString('base64');
}

/** Loads a trace as `handover replay` does. */
function load(file: string, text: string): LoadedTrace {
  const r = loadTraceText(file, text);
  if (!r.ok) throw new CounterexampleMismatch(file, `the trace does not load: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.trace;
}

/** Builds, writes and replays the counterexample of one violation. */
export function writeCounterexample(input: CounterexampleInput): Counterexample {
  const { violation, file } = input;
  const path = violation.trace.steps.map((s) => s.action as LifecycleEvent);
  const deadlock = violation.invariant === 'deadlock';
  const invariant = deadlock ? 'no-deadlock' : violation.invariant;
  const failingStep = deadlock ? -1 : path.length - 1;
  const bare = input.toTrace(path, '');
  const walked = walk(load(file, JSON.stringify(bare)));

  // The replayed kernels are the explorer's.
  violation.trace.steps.forEach((s, i) => {
    const state = s.state as { context?: { kernel?: unknown } };
    if (state.context?.kernel === undefined) throw new CounterexampleMismatch(file, `the explorer's state ${i + 1} has no kernel`);
    if (encoded(state.context.kernel) !== encoded(walked.kernels[i])) {
      throw new CounterexampleMismatch(file, `after step ${i} (${path[i]?.type}) the kernel differs from the explorer's state`);
    }
  });
  const failLine = failingStep >= 0 ? walked.lines[failingStep] : undefined;
  if (failLine && !(failLine.violations ?? []).some((v) => v.invariant === invariant)) {
    throw new CounterexampleMismatch(file, `step ${failingStep} (${failLine.op}) does not break ${invariant} when stepped`);
  }

  const steps: Step[] = bare.steps.map((s, i) => {
    const line = walked.lines[i]!;
    const broken = [...new Set((line.violations ?? []).map((v) => v.invariant))].sort();
    return { ...s, expect: line.result, ...(broken.length > 0 ? { expect_violations: broken } : {}) } as Step;
  });
  // What the device reaches after the failing step (unless the new kernel panicked: nothing runs after a PANIC).
  const last = walked.kernels[walked.kernels.length - 1];
  const lastLine = walked.lines[walked.lines.length - 1];
  if (last && lastLine?.result !== 'PANIC') {
    for (const d of input.environment.dma) {
      const r = KERNEL_API.dma(last, { device: d.device, iova: BigInt(d.iova), access: d.access } as never);
      steps.push({
        ...d,
        comment: 'what the device reaches now',
        expect: r.ok ? 'ok' : 'FAULT',
        ...(r.ok ? { expect_out: { frame: r.frame } } : {}),
      } as Step);
    }
  }
  const message = failLine?.violations?.find((v) => v.invariant === invariant)?.message;
  const description = deadlock
    ? `${input.proofName}: a deadlock: after these ${path.length} steps no call can be made and the lifecycle is in no final phase. Shortest such path found by the explorer.`
    : `${input.proofName}: ${invariant} is broken at step ${failingStep} (${failLine?.op}), shortest path found by the explorer${message ? `: ${message}` : ''}. The DMA steps after it show what the device reaches then.`;
  const trace: Trace = { ...bare, description, steps };

  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(trace, null, 2)}\n`);

  // Replay the written file, as `handover replay` would.
  const loaded = load(file, readFileSync(file, 'utf8'));
  const report = replayTrace(loaded, KERNEL_API);
  if (report.summary.verdict !== 'PASS') {
    const bad = report.lines.filter((l) => l.expected && !l.expected.met).map((l) => `step ${l.step} ${l.op}: ${JSON.stringify(l.expected?.mismatches)}`);
    throw new CounterexampleMismatch(file, `replay verdict ${report.summary.verdict}${bad.length ? `: ${bad.join('; ')}` : ''}`);
  }
  if (failingStep >= 0) {
    const first = report.lines.findIndex((l) => (l.violations ?? []).some((v) => v.invariant === invariant));
    if (first !== failingStep) throw new CounterexampleMismatch(file, `replay breaks ${invariant} first at step ${first}, the explorer at step ${failingStep}`);
  }
  const kernel = failingStep >= 0 ? walked.kernels[failingStep]! : last!;
  return { invariant, file, steps: path.length, failingStep, trace, lines: report.lines, kernel };
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Fields of a step worth showing (not op, comment, expectations). */
function keyFields(step: Step): string {
  const skip = new Set(['op', 'comment', 'expect', 'expect_out', 'expect_violations']);
  return Object.entries(step)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? (v.every((x) => typeof x === 'string') ? v.join('|') : JSON.stringify(v)) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

type Run = { iova: bigint; size: bigint; phys: bigint | null; prot: number };

function showRuns(k: Kernel, runs: readonly Run[]): string {
  if (runs.length === 0) return 'nothing';
  const pfn = (p: bigint) => frameName(k.frames, Number(p / k.pageSize));
  return runs.map((r) => {
    const pages = r.size / k.pageSize;
    const to = r.phys === null ? 'unpinned' : pages > 1n ? `${pfn(r.phys)}..${pfn(r.phys + r.size - k.pageSize)}` : pfn(r.phys);
    return `[${hex(r.iova)} +${pages}p] -> ${to} prot ${r.prot}`;
  }).join(', ');
}

/** ` (leaves 1p, 512p)`: the leaf sizes a table uses, in pages. */
function leafSizes(k: Kernel, leaves: readonly { size: bigint }[]): string {
  const sizes = [...new Set(leaves.map((l) => l.size / k.pageSize))].sort((a, b) => (a < b ? -1 : 1));
  return sizes.length === 0 ? '' : ` (leaves ${sizes.map((x) => `${x}p`).join(', ')})`;
}

/** The translation views at a kernel: preserved (history), each rebuilt HWPT and IOAS a preserved device is on, the hardware. */
export function translationViews(k: Kernel, dmaIovas: readonly bigint[]): string[] {
  const out: string[] = [];
  for (const r of k.history.devices) {
    out.push(`    preserved (${r.device}, at preserve time): ${showRuns(k, r.translations)}`);
    for (const { file, ctx } of iommufdContexts(k)) {
      for (const dev of ctx.objects) {
        if (dev.type !== 'DEVICE' || dev.device !== r.device || dev.hwpt === null) continue;
        const hwpt = ctx.objects.find((o) => o.id === dev.hwpt);
        if (!hwpt || hwpt.type !== 'HWPT_PAGING') continue;
        const leaves = domainTranslations(k, hwpt.domain);
        out.push(`    iommufd ${file} HWPT ${hwpt.id}${hwpt.luRestored ? ' (restored)' : ''}, the device's: ${showRuns(k, mergeRuns(leaves))}${leafSizes(k, leaves)}`);
        const ioas = hwpt.ioas === null ? undefined : ctx.objects.find((o) => o.id === hwpt.ioas);
        if (ioas?.type === 'IOAS') out.push(`    iommufd ${file} IOAS ${ioas.id} areas: ${showRuns(k, mergeTranslations(mappedTranslations(k, ctx, ioas)))}`);
      }
      // The restored HWPTs the device is no longer on (the preserved tables, as IOMMU_HWPT_LU_RESTORE took them back).
      for (const o of ctx.objects) {
        if (o.type !== 'HWPT_PAGING' || !o.luRestored) continue;
        if (ctx.objects.some((d) => d.type === 'DEVICE' && d.device === r.device && d.hwpt === o.id)) continue;
        const leaves = domainTranslations(k, o.domain);
        out.push(`    iommufd ${file} HWPT ${o.id} (restored): ${showRuns(k, mergeRuns(leaves))}${leafSizes(k, leaves)}`);
      }
    }
  }
  for (const h of k.hw) {
    const on = typeof h.domain === 'number' ? `domain ${h.domain}` : h.domain;
    if (h.pt === null) {
      out.push(`    hardware ${h.device} (${on}): no translation`);
      continue;
    }
    const walkAll = hwLeaves(k.frames, h.pt);
    out.push(`    hardware ${h.device} (${on}): ${showRuns(k, mergeRuns(walkAll.leaves))}${leafSizes(k, walkAll.leaves)}${walkAll.garbage.length ? `; walks ${walkAll.garbage.length} non-table frame(s)` : ''}`);
    const reads = dmaIovas.map((iova) => {
      const w = hwTranslate(k.frames, h.pt!, iova);
      return `${hex(iova)} -> ${w.kind === 'leaf' ? frameName(k.frames, Number(w.phys / k.pageSize)) : w.kind === 'garbage' ? `garbage (frame ${w.pfn})` : 'FAULT'}`;
    });
    if (reads.length > 0) out.push(`      hwTranslate: ${reads.join(', ')}`);
  }
  return out;
}

/** A counterexample as a few readable lines: the steps (the procedure's uneventful ones folded), and the translations at the failing step. */
export function formatCounterexample(c: Counterexample, environment: Environment): string[] {
  const out = [`  ${c.invariant}: ${c.steps} steps, ${c.file}`];
  const adversarial = (s: Step) => typeof s.comment === 'string' && s.comment.startsWith('adversarial');
  const notable = (s: Step, i: number) =>
    i >= c.steps || i >= c.failingStep - 2 || adversarial(s) || s.op === 'KEXEC' || (c.lines[i]?.result ?? 'ok') !== 'ok' || (c.lines[i]?.violations?.length ?? 0) > 0;
  let folded: number[] = [];
  const flush = () => {
    if (folded.length === 0) return;
    const [a, b] = [folded[0]!, folded[folded.length - 1]!];
    out.push(`    ${`${a}-${b}`.padStart(5)} ${folded.length} steps of the procedure, each ok (${c.trace.steps[a]!.op} ... ${c.trace.steps[b]!.op})`);
    folded = [];
  };
  c.trace.steps.forEach((s, i) => {
    if (!notable(s, i)) {
      folded.push(i);
      return;
    }
    flush();
    const line = c.lines[i];
    const mark = i === c.failingStep ? '✗' : i >= c.steps ? '→' : ' ';
    const res = line ? `${line.result}${line.out['frame'] !== undefined ? ` ${String(line.out['frame'])}` : ''}` : '(not run)';
    const broke = line?.violations?.length ? `  breaks ${line.violations.map((v) => v.invariant).join(', ')}` : '';
    out.push(`   ${mark}${String(i).padStart(5)} ${s.op} ${keyFields(s)}  => ${res}${adversarial(s) ? ' [adversarial]' : ''}${broke}`);
    if (i === c.failingStep) {
      const msg = line?.violations?.find((v) => v.invariant === c.invariant)?.message;
      if (msg) out.push(`          ${msg}`);
      out.push(...translationViews(c.kernel, environment.dma.map((d) => BigInt(d.iova))).map((l) => `    ${l}`));
    }
  });
  flush();
  return out;
}
