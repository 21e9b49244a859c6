/**
 * A trace as the stepper shows it, computed once on the server when the trace is first opened: every step run
 * through the kernel model with the trace runner's own `runStep` (as `handover replay` and the statecharts do), the
 * kernel after each step kept (kernel states are immutable and share structure), a one-line summary per step (op,
 * arguments, result, outputs, what changed), and the statechart's active states at each step:
 *
 * - a trace that came from a proof (its counterexamples, its coverage witnesses) is replayed through that proof's
 *   lifecycle statechart, compiled as the explorer runs it: the active states and the transitions each step took are
 *   the machine's own, and the machine's kernel is checked against the trace's after every step;
 * - any other trace: the lifecycle phase is derived from the kernel states (phase.ts) and shown on the lifecycle
 *   chart, and the page says so.
 *
 * A step's detail (the page tables side by side, the object tree with its nested difference from the step before,
 * the DMA's frame) is computed when the page asks for that step, and kept.
 */
import { readFileSync } from 'node:fs';
import type { EventObject } from 'xstate';
import type { CompiledMachine, MachineState, StepObserver } from '../explore/index.ts';
import { ByteBuffer, encodeCanonical } from '../explore/index.ts';
import { hwTranslate, frameName, type Kernel } from '../kernel/index.ts';
import { KERNEL_API, loadTraceText, type LoadedTrace, type ReplayStepLine, type Step } from '../trace/index.ts';
import { runStep } from '../trace/runner.ts';
import type { RuntimeEnv } from '../trace/readers.ts';
import { derivePhase, TERMINAL, type Moves, type Phase } from './phase.ts';
import { changeSummary, diffTrees, objectTree, pageTables, type DiffNode, type ObjNode, type PageTables } from './tables.ts';

/** Where a trace comes from. */
export interface TraceEntry {
  /** Stable id, used in URLs: `cx/<proof>/<invariant>`, `w/<source>/<name>`, `corpus/<path>`, `file/<name>`. */
  id: string;
  label: string;
  kind: 'counterexample' | 'witness' | 'corpus' | 'file';
  /** Absolute path. */
  file: string;
  /** The proof it came from (replayed through its statechart), if any. */
  proof?: string;
  invariant?: string;
  /** The step to open it at (a counterexample's failing step). */
  focus?: number;
}

/** A proof's statechart, to replay its traces through. */
export interface ProofMachine {
  machine: string;
  compiled: CompiledMachine;
}

/** One row of the step list. */
export interface StepRow {
  i: number;
  op: string;
  args: string;
  result: string;
  out: string;
  changed: string;
  violations: string[];
  phase: string;
  adversarial: boolean;
  ran: boolean;
}

export interface TraceSummary {
  id: string;
  label: string;
  kind: TraceEntry['kind'];
  file: string;
  proof: string | null;
  invariant: string | null;
  description: string;
  source: string;
  kernel: string;
  focus: number | null;
  /** `statechart`: replayed through the proof's machine; `derived`: the phase derived from the kernel. */
  mode: 'statechart' | 'derived';
  /** The chart the active states belong to. */
  machine: string | null;
  note: string;
  steps: StepRow[];
  errors: string[];
}

export interface StepDetail {
  i: number;
  step: Record<string, unknown>;
  line: ReplayStepLine | null;
  /** Active state ids and taken transition indexes (in `machine`'s chart). */
  active: { states: string[]; transitions: number[] };
  phase: string;
  tables: PageTables;
  tree: DiffNode[];
  dma: { device: string; iova: string; result: string; frame: string | null; walk: string } | null;
}

const SKIP = new Set(['op', 'comment', 'expect', 'expect_out', 'expect_violations']);

function argsOf(step: Step): string {
  return Object.entries(step as unknown as Record<string, unknown>)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? (v.every((x) => typeof x === 'string') ? v.join('|') : JSON.stringify(v)) : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

function outOf(line: ReplayStepLine | undefined): string {
  if (!line) return '';
  const parts = Object.entries(line.out).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  if (line.bound) parts.push(`→ ${line.bound.label}`);
  return parts.join(' ');
}

function encoded(v: unknown): string {
  const b = new ByteBuffer();
  encodeCanonical(v, b);
  return Buffer.from(b.buf.subarray(0, b.length)).toString('base64');
}

/** Flattens a state value into the active node ids under `root`. */
export function activeIds(root: string, value: unknown): string[] {
  const out: string[] = [root];
  const walk = (prefix: string, v: unknown): void => {
    if (typeof v === 'string') {
      out.push(`${prefix}.${v}`);
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v as Record<string, unknown>)) {
        out.push(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, sub);
      }
    }
  };
  walk(root, value);
  return out;
}

const ADV_INSTEAD = 'adversarial, instead of the procedure: ';
const ADV_EXTRA = 'adversarial, extra: ';

/** A trace step as the lifecycle event the statechart took for it. */
function eventOf(step: Step): EventObject {
  const comment = typeof step.comment === 'string' ? step.comment : '';
  const kind = comment.startsWith(ADV_INSTEAD) ? 'instead' : comment.startsWith(ADV_EXTRA) ? 'extra' : 'script';
  const why = kind === 'instead' ? comment.slice(ADV_INSTEAD.length) : kind === 'extra' ? comment.slice(ADV_EXTRA.length) : comment;
  const bare = Object.fromEntries(Object.entries(step as unknown as Record<string, unknown>).filter(([k]) => !SKIP.has(k) || k === 'op')) as unknown as Step;
  return { type: step.op, step: bare, kind, why } as EventObject;
}

/** A trace, analysed (see the file header). */
export class AnalysedTrace {
  readonly summary: TraceSummary;
  private readonly kernels: Kernel[] = [];
  private readonly boot: Kernel | undefined;
  private readonly lines: ReplayStepLine[] = [];
  private trees: ObjNode[][] = [];
  private readonly bootTree: ObjNode[] | undefined;
  private actives: { states: string[]; transitions: number[] }[] = [];
  private readonly phases: string[] = [];
  private readonly details = new Map<number, StepDetail>();
  private readonly loaded: LoadedTrace | undefined;

  constructor(readonly entry: TraceEntry, proofMachine: ProofMachine | undefined, fallbackMachine: string | null, moves: Moves) {
    const errors: string[] = [];
    let loaded: LoadedTrace | undefined;
    try {
      const r = loadTraceText(entry.file, readFileSync(entry.file, 'utf8'));
      if (r.ok) loaded = r.trace;
      else errors.push(...r.errors.map((e) => e.message));
    } catch (err) {
      errors.push((err as Error).message);
    }
    this.loaded = loaded;
    let mode: 'statechart' | 'derived' = 'derived';
    let note = '';
    let machine = fallbackMachine;
    const rows: StepRow[] = [];
    if (loaded) {
      const profile = loaded.trace.kernel ?? KERNEL_API.defaultProfile;
      const boot = KERNEL_API.bootKernel(loaded.world, profile);
      this.boot = boot.kernel;
      this.bootTree = objectTree(boot.kernel);
      const env: RuntimeEnv = { fds: boot.fds, labels: new Map(), unbound: new Map(), kexec: null, liveupdate: null };
      let kernel = boot.kernel;
      let running = profile;
      for (const [i, step] of loaded.trace.steps.entries()) {
        const r = runStep(KERNEL_API, { kernel, running, env }, step, i, entry.file);
        kernel = r.kernel;
        running = r.running;
        this.lines.push(r.line);
        this.kernels.push(kernel);
        if (r.stop) break;
      }
      this.trees = this.kernels.map((k) => objectTree(k));

      // Active states: the proof's statechart, or the phase derived from the kernel.
      let replayed: { states: string[]; transitions: number[] }[] | undefined;
      if (proofMachine) {
        const r = replayStatechart(proofMachine, loaded.trace.steps, this.kernels);
        if (r.ok) {
          replayed = r.actives;
          mode = 'statechart';
          machine = proofMachine.machine;
          note = `replayed through the statechart of ${entry.proof} (${proofMachine.machine}): the highlighted states are the machine's own at each step, and the transition each step took is marked`;
        } else {
          note = `the statechart of ${entry.proof} does not replay this trace (${r.why}): the phase is derived from the kernel state instead`;
        }
      }
      let phase: Phase = 'running';
      let before = boot.kernel;
      this.kernels.forEach((k, i) => {
        const line = this.lines[i]!;
        phase = derivePhase(phase, line.op, line.result, line.rule, before, k, moves);
        before = k;
        this.phases.push(phase);
      });
      if (replayed) this.actives = replayed;
      else {
        if (!note) note = 'this trace did not come from a proof, so no statechart ran it: the lifecycle phase shown is derived from the kernel state after each step (what a preserve, a kexec, a retrieve, a replace or FINISH did), on the lifecycle chart';
        const root = machine ?? 'lifecycle';
        this.actives = this.phases.map((p) => ({
          states: activeIds(root, { lifecycle: p, dma: TERMINAL.includes(p as Phase) ? 'done' : 'running' }),
          transitions: [],
        }));
      }
      loaded.trace.steps.forEach((step, i) => {
        const line = this.lines[i];
        const diff = line ? diffTrees(this.trees[i]!, i === 0 ? this.bootTree : this.trees[i - 1]) : [];
        const phaseHere = replayed ? (replayed[i]?.states.find((s) => s.startsWith(`${machine}.lifecycle.`))?.slice(`${machine}.lifecycle.`.length) ?? '') : (this.phases[i] ?? '');
        rows.push({
          i,
          op: step.op,
          args: argsOf(step),
          result: line ? line.result : '(not run)',
          out: outOf(line),
          changed: line ? changeSummary(diff) : '',
          violations: [...new Set((line?.violations ?? []).map((v) => v.invariant))],
          phase: phaseHere,
          adversarial: typeof step.comment === 'string' && step.comment.startsWith('adversarial'),
          ran: line !== undefined,
        });
      });
    }
    this.summary = {
      id: entry.id,
      label: entry.label,
      kind: entry.kind,
      file: entry.file,
      proof: entry.proof ?? null,
      invariant: entry.invariant ?? null,
      description: loaded?.trace.description ?? '',
      source: loaded?.trace.source ?? '',
      kernel: loaded?.trace.kernel ?? KERNEL_API.defaultProfile,
      focus: entry.focus ?? null,
      mode,
      machine,
      note,
      steps: rows,
      errors,
    };
  }

  /** The detail of step `i` (computed once). */
  detail(i: number): StepDetail | undefined {
    if (!this.loaded || i < 0 || i >= this.loaded.trace.steps.length) return undefined;
    const known = this.details.get(i);
    if (known) return known;
    const step = this.loaded.trace.steps[i]!;
    const line = this.lines[i] ?? null;
    const k = this.kernels[Math.min(i, this.kernels.length - 1)] ?? this.boot!;
    const tree = line ? diffTrees(this.trees[i]!, i === 0 ? this.bootTree : this.trees[i - 1]) : diffTrees(objectTree(k), objectTree(k));
    let dma: StepDetail['dma'] = null;
    if (step.op === 'DMA' && line) {
      const s = step as Extract<Step, { op: 'DMA' }>;
      const h = k.hw.find((x) => x.device === s.device);
      let walk = 'no translation (blocked or default domain)';
      if (h?.pt) {
        const w = hwTranslate(k.frames, h.pt, BigInt(s.iova));
        walk = w.kind === 'leaf'
          ? `leaf ${w.size / k.pageSize}p -> ${frameName(k.frames, Number(w.phys / k.pageSize))}`
          : w.kind === 'garbage' ? `walks frame ${w.pfn}, which is no page table` : 'no entry: FAULT';
      }
      dma = { device: s.device, iova: String(s.iova), result: line.result, frame: typeof line.out['frame'] === 'string' ? line.out['frame'] : null, walk };
    }
    const d: StepDetail = {
      i,
      step: step as unknown as Record<string, unknown>,
      line,
      active: this.actives[i] ?? { states: [], transitions: [] },
      phase: this.summary.steps[i]?.phase ?? '',
      tables: pageTables(k),
      tree,
      dma,
    };
    this.details.set(i, d);
    return d;
  }

  /** Phases derived from the kernel, per step (tests compare them with the statechart's). */
  derivedPhases(): readonly string[] {
    return this.phases;
  }
}

/** Replays `steps` through a proof's compiled statechart; the machine's kernel must be the trace's after each step. */
function replayStatechart(pm: ProofMachine, steps: readonly Step[], kernels: readonly Kernel[]):
  { ok: true; actives: { states: string[]; transitions: number[] }[] } | { ok: false; why: string } {
  const taken: number[] = [];
  const observer: StepObserver = { transition: (id) => taken.push(id), guard: () => {}, enter: () => {} };
  let s: MachineState;
  try {
    s = pm.compiled.initStates()[0]!;
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
  const actives: { states: string[]; transitions: number[] }[] = [];
  for (let i = 0; i < kernels.length; i++) {
    const step = steps[i]!;
    taken.length = 0;
    let next: MachineState | undefined;
    try {
      next = s.done ? undefined : pm.compiled.nextState(s, eventOf(step), observer);
    } catch (err) {
      return { ok: false, why: `step ${i} (${step.op}): ${(err as Error).message}` };
    }
    if (next) s = next;
    const ctx = s.context as { kernel?: Kernel };
    if (step.op !== 'DMA' && (ctx.kernel === undefined || encoded(ctx.kernel) !== encoded(kernels[i]))) {
      return { ok: false, why: `after step ${i} (${step.op}) the machine's kernel is not the trace's` };
    }
    actives.push({ states: activeIds(pm.machine, s.value), transitions: next ? [...new Set(taken)] : [] });
  }
  return { ok: true, actives };
}
