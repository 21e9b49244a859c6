/**
 * Everything `handover viz` serves, computed once on the server:
 *
 * - the proofs run as `handover verify` runs them (src/verify `runProofs`; counterexamples written and replayed),
 *   their verdict table and goals;
 * - their coverage as `handover coverage` computes it (src/coverage: one exploration per proof, the conformance
 *   corpus when every proof is shown, merged), with the witness traces written;
 * - one statechart per strategy variant the proofs use (compiled tables, actions, rules; laid out on demand per set
 *   of collapsed states, each layout kept);
 * - the traces the page can open: counterexamples, coverage witnesses, corpus traces a rule's witness names, and the
 *   files given with `--trace`; each analysed when first opened (traces.ts) and kept.
 *
 * CACHE. Running the proofs and their coverage takes about a minute on a 2-core machine; the results (the verdict
 * JSON, the coverage report, the counterexample and witness trace files) are kept under `out/viz-cache/<key>/`, the
 * key being a hash of every source file they depend on (proofs, machines, src/ of the kernel model, invariants,
 * trace format, explorer, verify and coverage) and of the options. Any change to those files is a new key; `--no-cache`
 * recomputes into a temporary directory.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  corpusSource, DEFAULT_GRAPH_CAP, explorationSource, loadCoverageTarget, machineUniverse, mergeSources,
  type CoverageItem, type CoverageReport, type SourceResult,
} from '../coverage/index.ts';
import { RULES } from '../kernel/index.ts';
import {
  DEFAULT_PROOFS, findProofFiles, JUDGED, loadProofs, proofJobs, proofResultJson, runProofs, type LoadedProof,
} from '../verify/index.ts';
import { buildChart, layoutChart, type Chart, type Layout } from './chart.ts';
import { AnalysedTrace, type ProofMachine, type TraceEntry } from './traces.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The conformance corpus (as `handover coverage` with no flags replays it). */
export const DEFAULT_CORPUS = join(DEFAULT_PROOFS, 'conformance');
export const DEFAULT_CACHE = join(ROOT, 'out', 'viz-cache');

export interface VizOptions {
  proofsDir: string;
  /** Only these proofs (names); undefined: every proof. */
  proofNames?: string[];
  /** Trace files to open (`--trace`). */
  traceFiles: string[];
  workers: number;
  /** Keep and reuse results in `cacheDir`. */
  cache: boolean;
  cacheDir: string;
  progress?: (line: string) => void;
}

/** A proof's row of the verdict table, as `handover verify --json` has it, with the trace ids of its counterexamples. */
export type ProofRow = { name: string; [k: string]: unknown } & { title?: string; counterexampleIds?: Record<string, string> };

/** Coverage status of an item as the page uses it. */
export interface ItemCoverage {
  status: CoverageItem['status'];
  reason?: string;
  hits?: number;
  witness?: { source: string; trace: string | null; step: number | null; events: number };
  detail?: string;
}

/** What the cache keeps. */
interface Computed {
  proofs: ProofRow[];
  coverage: CoverageReport;
  /** Every counterexample: proof, invariant, absolute file, failing step. */
  counterexamples: { proof: string; invariant: string; file: string; failingStep: number; steps: number }[];
  corpusDir: string | null;
}

/** A machine's chart with its coverage. */
export interface MachineInfo {
  id: string;
  title: string;
  proofs: string[];
  /** The hardening patches the strategy runs its kernels with. */
  patches: string[];
  chart: Chart;
  states: Record<string, ItemCoverage>;
  transitions: Record<string, ItemCoverage>;
  guards: Record<string, ItemCoverage>;
  paths: { id: string; coverage: ItemCoverage }[];
}

/** Files under `dir` whose content the results depend on. */
function sourceFiles(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|js|json)$/.test(name)) out.push(p);
  }
}

/** Keeps the newest few cache entries (each source change makes a new one): removes the others. */
function pruneCache(dir: string, keep: string): void {
  const entries = readdirSync(dir).filter((e) => e !== keep && statSync(join(dir, e)).isDirectory())
    .map((e) => ({ e, t: statSync(join(dir, e)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { e } of entries.slice(3)) rmSync(join(dir, e), { recursive: true, force: true });
}

/** The cache key of a run (see the file header). */
export function cacheKey(opts: VizOptions): string {
  const files: string[] = [];
  for (const d of [opts.proofsDir, DEFAULT_CORPUS, join(ROOT, 'machines'), ...['kernel', 'invariants', 'trace', 'explore', 'verify', 'coverage'].map((x) => join(ROOT, 'src', x))]) sourceFiles(d, files);
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, proofsDir: resolve(opts.proofsDir), proofs: opts.proofNames ?? null }));
  for (const f of [...new Set(files)].sort()) {
    h.update(f);
    h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

/** The data the server serves. */
export class VizData {
  readonly machines = new Map<string, MachineInfo>();
  readonly traces = new Map<string, TraceEntry>();
  readonly rules: Record<string, ItemCoverage & { op: string; result: string; kernelFunction: string; description: string }> = {};
  private readonly layouts = new Map<string, Promise<Layout>>();
  private readonly analysed = new Map<string, AnalysedTrace>();
  private readonly proofMachines = new Map<string, Promise<ProofMachine>>();
  private readonly witnessIds = new Map<string, string>();

  private constructor(
    readonly computed: Computed,
    readonly proofFiles: Map<string, string>,
    readonly workDir: string,
    readonly temporary: boolean,
    readonly cached: boolean,
  ) {}

  /** Runs (or reads back) everything; see the file header. */
  static async load(opts: VizOptions): Promise<VizData> {
    const say = opts.progress ?? (() => {});
    let loaded: LoadedProof[] = await loadProofs(findProofFiles(opts.proofsDir));
    if (opts.proofNames !== undefined) {
      const known = loaded.map((l) => l.proof.name);
      const unknown = opts.proofNames.filter((n) => !known.includes(n));
      if (unknown.length) throw new Error(`--proof: no proof named ${unknown.map((u) => `"${u}"`).join(', ')} (the proofs are ${known.join(', ')})`);
      loaded = loaded.filter((l) => opts.proofNames!.includes(l.proof.name));
    }
    const key = opts.cache ? cacheKey(opts) : '';
    const workDir = opts.cache ? join(opts.cacheDir, key) : mkdtempSync(join(tmpdir(), 'handover-viz-'));
    const dataFile = join(workDir, 'data.json');
    let computed: Computed;
    let cached = false;
    if (opts.cache && existsSync(dataFile)) {
      say(`viz: reading cached results ${relative(process.cwd(), workDir) || workDir}`);
      computed = JSON.parse(readFileSync(dataFile, 'utf8')) as Computed;
      cached = true;
    } else {
      computed = await compute(loaded, workDir, opts, say);
      if (opts.cache) {
        writeFileSync(dataFile, JSON.stringify(computed));
        pruneCache(opts.cacheDir, key);
      }
    }
    const data = new VizData(computed, new Map(loaded.map((l) => [l.proof.name, l.file])), workDir, !opts.cache, cached);
    await data.index(loaded, opts);
    return data;
  }

  /** Removes a temporary work directory. */
  dispose(): void {
    if (this.temporary) rmSync(this.workDir, { recursive: true, force: true });
  }

  private async index(loaded: readonly LoadedProof[], opts: VizOptions): Promise<void> {
    const { coverage } = this.computed;
    // Traces: counterexamples first, then witnesses and corpus traces as coverage names them, then --trace files.
    for (const c of this.computed.counterexamples) {
      const id = `cx/${c.proof}/${c.invariant}`;
      this.traces.set(id, { id, label: `${c.proof}: ${c.invariant} (${c.steps} steps)`, kind: 'counterexample', file: c.file, proof: c.proof, invariant: c.invariant, focus: c.failingStep >= 0 ? c.failingStep : Math.max(0, c.steps - 1) });
      const row = this.computed.proofs.find((p) => p.name === c.proof);
      if (row) (row.counterexampleIds ??= {})[c.invariant] = id;
    }
    const witnessOf = (i: CoverageItem): ItemCoverage => {
      const base: ItemCoverage = { status: i.status, ...(i.reason !== undefined ? { reason: i.reason } : {}), ...(i.hits !== undefined ? { hits: i.hits } : {}), ...(i.detail !== undefined ? { detail: i.detail } : {}) };
      const w = i.witness;
      if (!w) return base;
      let trace: string | null = null;
      let step: number | null = null;
      if (w.trace !== undefined) {
        trace = this.traceIdFor(resolve(w.trace), w.source);
        step = w.step ?? (w.events && w.events.length > 0 ? w.events.length - 1 : null);
      }
      return { ...base, witness: { source: w.source, trace, step, events: w.events?.length ?? 0 } };
    };
    for (const r of coverage.dimensions.rules.items) {
      const rule = RULES.find((x) => x.id === r.id);
      this.rules[r.id] = { ...witnessOf(r), op: rule?.op ?? '', result: rule?.result ?? '', kernelFunction: rule?.kernelFunction ?? '', description: rule?.description ?? '' };
    }
    const byStrategy = new Map<string, LoadedProof[]>();
    for (const l of loaded) {
      const list = byStrategy.get(l.proof.strategy.name) ?? [];
      list.push(l);
      byStrategy.set(l.proof.strategy.name, list);
    }
    for (const [id, proofs] of byStrategy) {
      const target = await loadCoverageTarget({ kind: 'proof', file: proofs[0]!.file });
      const universe = machineUniverse(target.compiled, target.machine);
      const chart = buildChart(target.compiled, target.machine, universe);
      const mine = (d: 'states' | 'transitions' | 'guards' | 'paths') => coverage.dimensions[d].items.filter((i) => i.machine === id);
      this.machines.set(id, {
        id,
        title: proofs[0]!.proof.strategy.title,
        proofs: proofs.map((p) => p.proof.name),
        patches: [...proofs[0]!.proof.strategy.patches].sort(),
        chart,
        states: Object.fromEntries(mine('states').map((i) => [i.id, witnessOf(i)])),
        transitions: Object.fromEntries(mine('transitions').map((i) => [i.id, witnessOf(i)])),
        guards: Object.fromEntries(mine('guards').map((i) => [i.id, witnessOf(i)])),
        paths: mine('paths').map((i) => ({ id: i.id, coverage: witnessOf(i) })),
      });
    }
    const used = new Set<string>();
    for (const f of opts.traceFiles) {
      const abs = resolve(f);
      let id = `file/${basename(abs).replace(/\.trace\.json$|\.json$/, '')}`;
      for (let n = 2; used.has(id) || this.traces.has(id); n++) id = `file/${basename(abs).replace(/\.trace\.json$|\.json$/, '')}-${n}`;
      used.add(id);
      // A counterexample of a shown proof, given as a file, is replayed through that proof's statechart.
      let proof: string | undefined;
      try {
        const desc = (JSON.parse(readFileSync(abs, 'utf8')) as { description?: unknown }).description;
        if (typeof desc === 'string') proof = [...this.proofFiles.keys()].find((p) => desc.startsWith(`${p}: `));
      } catch {
        // unreadable: the trace's summary says why when it is opened
      }
      this.traces.set(id, { id, label: relative(process.cwd(), abs) || abs, kind: 'file', file: abs, ...(proof !== undefined ? { proof } : {}) });
    }
  }

  /** The trace id of a witness or corpus trace file (registered on first sight). */
  private traceIdFor(file: string, source: string): string {
    const known = this.witnessIds.get(file);
    if (known) return known;
    let id: string;
    let entry: TraceEntry;
    const corpus = this.computed.corpusDir;
    if (source === 'corpus' && corpus && file.startsWith(corpus + sep)) {
      id = `corpus/${relative(corpus, file).split(sep).join('/')}`;
      entry = { id, label: `corpus: ${relative(corpus, file)}`, kind: 'corpus', file };
    } else {
      id = `w/${source}/${basename(file).replace(/\.trace\.json$/, '')}`;
      entry = { id, label: `coverage witness ${basename(file)} (${source})`, kind: 'witness', file, ...(this.proofFiles.has(source) ? { proof: source } : {}) };
    }
    this.witnessIds.set(file, id);
    this.traces.set(id, entry);
    return id;
  }

  /** The layout of `machine` with `collapsed` states drawn as leaves (computed once per set). */
  layout(machine: string, collapsed: readonly string[]): Promise<Layout> | undefined {
    const m = this.machines.get(machine);
    if (!m) return undefined;
    const key = `${machine}\u0000${[...collapsed].sort().join('\u0000')}`;
    let p = this.layouts.get(key);
    if (!p) {
      p = layoutChart(m.chart, collapsed);
      this.layouts.set(key, p);
      p.catch(() => this.layouts.delete(key));
    }
    return p;
  }

  /** The trace `id`, analysed (once). */
  async trace(id: string): Promise<AnalysedTrace | undefined> {
    const known = this.analysed.get(id);
    if (known) return known;
    const entry = this.traces.get(id);
    if (!entry) return undefined;
    const pm = entry.proof !== undefined ? await this.proofMachine(entry.proof) : undefined;
    const fallback = this.fallbackMachine(entry.file);
    const a = new AnalysedTrace(entry, pm, fallback?.id ?? null, fallback ? phaseMoves(fallback.chart) : () => false);
    this.analysed.set(id, a);
    return a;
  }

  /** The chart a trace that came from no proof is shown on: the strategy whose patches its kernel runs, or the first. */
  private fallbackMachine(file: string): MachineInfo | undefined {
    let patches: string[] = [];
    try {
      const kernel = (JSON.parse(readFileSync(file, 'utf8')) as { kernel?: unknown }).kernel;
      if (typeof kernel === 'string') patches = kernel.split('+').slice(1).sort();
    } catch {
      // unreadable: the trace's summary says why
    }
    const all = [...this.machines.values()];
    return all.find((m) => m.patches.join('+') === patches.join('+')) ?? all[0];
  }

  private proofMachine(proof: string): Promise<ProofMachine> | undefined {
    const file = this.proofFiles.get(proof);
    if (file === undefined) return undefined;
    let p = this.proofMachines.get(proof);
    if (!p) {
      p = loadCoverageTarget({ kind: 'proof', file }).then((t) => ({ machine: t.compiled.stateNodes.find((n) => n.root)!.id, compiled: t.compiled }));
      this.proofMachines.set(proof, p);
    }
    return p;
  }

  /** The overview the page starts from. */
  overview(): unknown {
    const c = this.computed.coverage;
    return {
      invariants: JUDGED,
      proofs: this.computed.proofs,
      machines: [...this.machines.values()].map((m) => ({ id: m.id, title: m.title, proofs: m.proofs })),
      traces: [...this.traces.values()].filter((t) => t.kind === 'counterexample' || t.kind === 'file').map((t) => ({ id: t.id, label: t.label, kind: t.kind, proof: t.proof ?? null, focus: t.focus ?? null })),
      coverage: {
        sources: c.sources.map((s) => ({ name: s.name, kind: s.kind, exhaustive: s.exhaustive, description: s.description })),
        counts: Object.fromEntries(Object.entries(c.dimensions).map(([d, v]) => [d, { total: v.total, covered: v.covered, unreachable: v.unreachable, uncovered: v.uncovered, excluded: v.excluded }])),
      },
      rules: this.rules,
      cached: this.cached,
    };
  }
}

/** Which lifecycle phase may follow which, from a chart's transitions between the children of its `lifecycle` region. */
export function phaseMoves(chart: Chart): (from: string, to: string) => boolean {
  const region = `${chart.machine}.lifecycle.`;
  const moves = new Set<string>();
  for (const t of chart.transitions) {
    if (!t.source.startsWith(region)) continue;
    for (const target of t.targets) if (target.startsWith(region)) moves.add(`${t.source.slice(region.length)}>${target.slice(region.length)}`);
  }
  return (from, to) => moves.has(`${from}>${to}`);
}

/** Runs the proofs and their coverage into `workDir`. */
async function compute(loaded: readonly LoadedProof[], workDir: string, opts: VizOptions, say: (l: string) => void): Promise<Computed> {
  mkdirSync(workDir, { recursive: true });
  const jobs = proofJobs(loaded);
  const results = await runProofs(jobs, {
    workers: 1,
    outDir: join(workDir, 'counterexamples'),
    onStart: (job, i) => say(`viz: proof [${i + 1}/${jobs.length}] ${job.name}`),
  });
  const proofs: ProofRow[] = results.map((r) => ({ ...proofResultJson(r) as ProofRow, title: loaded.find((l) => l.proof.name === r.name)?.proof.title ?? '' }));
  const counterexamples = results.flatMap((r) => r.counterexamples.map((c) => ({ proof: r.name, invariant: c.invariant, file: resolve(c.file), failingStep: c.failingStep, steps: c.steps })));
  const sources: SourceResult[] = [];
  for (const [i, l] of loaded.entries()) {
    say(`viz: coverage [${i + 1}/${loaded.length}] ${l.proof.name}`);
    sources.push(await explorationSource({ kind: 'proof', file: l.file }, { workers: opts.workers, graphCap: DEFAULT_GRAPH_CAP, outDir: join(workDir, 'coverage') }));
  }
  // As `handover coverage` with no flags: every proof and the corpus; with --proof, the proofs named only.
  const corpusDir = opts.proofNames === undefined ? DEFAULT_CORPUS : null;
  if (corpusDir) {
    say('viz: coverage: replaying the conformance corpus');
    sources.push(corpusSource(corpusDir, relative(process.cwd(), corpusDir) || '.'));
  }
  const full = mergeSources(sources);
  // Witness trace paths absolute (the cache outlives the working directory); pairs kept as counts only (tens of thousands).
  const abs = (i: CoverageItem): CoverageItem => (i.witness?.trace !== undefined ? { ...i, witness: { ...i.witness, trace: resolve(i.witness.trace) } } : i);
  const coverage: CoverageReport = {
    ...full,
    dimensions: Object.fromEntries(Object.entries(full.dimensions).map(([d, v]) => [d, { ...v, items: d === 'pairs' ? [] : v.items.map(abs) }])) as CoverageReport['dimensions'],
  };
  return { proofs, coverage, counterexamples, corpusDir };
}
