/**
 * The sources of a coverage report, each giving a status to every item of its universe:
 * - an exploration (a proof, or a model module): the explorer's breadth-first search with `observe` (states,
 *   transitions, guard outcomes, kernel rules; on any number of worker threads, with shortest witnesses), then the
 *   graph pass (graph.ts) for transition pairs and phase paths. An item it did not reach is `unreachable` when the
 *   search covered its whole bounded world, `uncovered` (with the bound that cut it) otherwise;
 * - the conformance corpus, replayed: kernel rules only (a trace is no statechart), with the trace and step that
 *   reached each; what it did not reach is `uncovered`: a corpus is never exhaustive.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EventObject } from 'xstate';
import { searchSpecFrom, type CoverageCounts, type CoverageWitness as ExploreWitness, type MachineState, type Progress, type SearchSpec } from '../explore/index.ts';
import { KERNEL_API, replayCorpus } from '../trace/index.ts';
import { coverageSource, loadCoverageTarget, type CoverageTarget, type TargetDescriptor } from './coverageModel.ts';
import { checkExclusionsMatch, type DeclaredExclusions } from './exclusions.ts';
import { graphPass, type GraphWitness } from './graph.ts';
import type { CoverageSourceSummary, CoverageStatus, CoverageWitness, DimensionName } from './types.ts';
import { machineUniverse, RULE_ITEMS, type MachineUniverse, type UniverseItem } from './universe.ts';

/** What one source says about one item. */
export interface ItemOutcome {
  readonly status: CoverageStatus;
  /** The source that says so (merging names the sources in a short reason). */
  readonly source: string;
  readonly witness?: CoverageWitness;
  readonly reason?: string;
  readonly hits?: number;
}

/** One source's items (its universe) and what it says about each. */
export interface SourceResult {
  readonly summary: Omit<CoverageSourceSummary, 'counts'>;
  readonly items: readonly { readonly item: UniverseItem; readonly outcome: ItemOutcome }[];
  /** What the source's proof or model module excludes (applied after merging: report.ts). */
  readonly exclusions?: DeclaredExclusions;
}

/** Options of an exploration source. */
export interface ExplorationOptions {
  readonly workers: number;
  /** The graph pass's state cap (pairs and paths). */
  readonly graphCap: number;
  /** Where witness traces are written (lifecycle models): `<outDir>/witnesses/<source>/`. */
  readonly outDir?: string;
  /** Progress lines (stderr). */
  readonly progress?: (line: string) => void;
  /** Expand every level on the worker threads, however small (tests: by default small levels stay on this thread). */
  readonly onlyWorkers?: boolean;
}

/** The default state cap of the graph pass. */
export const DEFAULT_GRAPH_CAP = 200_000;

/** Explores `d` for coverage (see the file header). */
export async function explorationSource(d: TargetDescriptor, opts: ExplorationOptions): Promise<SourceResult> {
  const target = await loadCoverageTarget(d);
  return exploreTarget(target, d, opts);
}

/** As explorationSource, for a loaded target. */
export async function exploreTarget(target: CoverageTarget, d: TargetDescriptor, opts: ExplorationOptions): Promise<SourceResult> {
  const name = target.name;
  const mu = machineUniverse(target.compiled, target.machine);
  // Declared exclusions are checked against the static universe before anything runs.
  if (target.exclusions) checkExclusionsMatch(target.exclusions, (dim) => universeIds(mu, target.ruleBase !== undefined, dim));
  const started = performance.now();
  const seconds = target.bounds.seconds;
  const say = opts.progress ?? (() => {});
  let lastSaid = 0;
  const onProgress = (p: Progress): { stop: 'time' } | void => {
    const now = performance.now();
    if (seconds !== undefined && (now - started) / 1000 > seconds) return { stop: 'time' };
    if (now - lastSaid > 1000) {
      lastSaid = now;
      say(`${name}: exploring: ${p.distinctStates} states, depth ${p.depth}`);
    }
    return undefined;
  };
  const result = await searchSpecFrom(target.spec as SearchSpec<unknown, unknown>, coverageSource(d), {
    workers: opts.workers,
    ...(opts.onlyWorkers ? { onlyWorkers: true } : {}),
    observe: true,
    onProgress,
    ...(target.bounds.maxStates !== undefined ? { maxStates: target.bounds.maxStates } : {}),
    ...(target.bounds.maxDepth !== undefined ? { maxDepth: target.bounds.maxDepth } : {}),
  });
  const cov = result.coverage as CoverageCounts<MachineState, EventObject> | undefined;
  if (!cov) throw new Error('coverage: the search returned no coverage counts');
  say(`${name}: ${result.distinctStates} states explored; building the graph for pairs and paths`);
  const graph = graphPass(target, mu, {
    cap: opts.graphCap,
    ...(target.bounds.maxStates !== undefined ? { maxStates: target.bounds.maxStates } : {}),
    ...(target.bounds.maxDepth !== undefined ? { maxDepth: target.bounds.maxDepth } : {}),
    onProgress: (n) => say(`${name}: graph pass: ${n} states`),
  });

  const world = `${result.distinctStates} states, depth ${result.maxDepth}`;
  const notReached: ItemOutcome = result.exhaustive
    ? { status: 'unreachable', source: name, reason: `unreachable within the bounds of ${name}: its whole reachable state space (${world}) was explored without reaching it` }
    : { status: 'uncovered', source: name, reason: `not reached by ${name}, whose search was cut: ${'bound' in result && result.bound ? result.bound.detail : 'it stopped early'}` };
  const graphNotReached = (cut: string | undefined): ItemOutcome => (cut === undefined && result.exhaustive
    ? { status: 'unreachable', source: name, reason: `unreachable within the bounds of ${name}: its whole reachable graph (${graph.states} states) was built without reaching it` }
    : { status: 'uncovered', source: name, reason: `not reached by ${name}: ${cut ?? notReached.reason}` });

  const traces = new WitnessTraces(target, opts.outDir);
  const fromSearch = (w: ExploreWitness<MachineState, EventObject>, what: string): CoverageWitness => {
    const events = [...w.trace.steps.map((s) => s.action), ...(w.action !== undefined ? [w.action] : [])];
    return traces.witness(events, what);
  };
  const fromGraph = (w: GraphWitness, what: string): CoverageWitness => traces.witness(graph.eventsTo(w), what);
  const items: { item: UniverseItem; outcome: ItemOutcome }[] = [];
  const fromTable = (item: UniverseItem, table: CoverageCounts<MachineState, EventObject>['states'], id: number): void => {
    if (item.excluded !== undefined) {
      items.push({ item, outcome: { status: 'excluded', source: name, reason: item.excluded } });
      return;
    }
    const hits = table.hits[id] ?? 0;
    const w = table.witnesses[id];
    items.push({ item, outcome: w ? { status: 'covered', source: name, hits, witness: fromSearch(w, `${item.kind} ${item.id}`) } : notReached });
  };
  mu.stateItems.forEach((item, i) => item && fromTable(item, cov.states, i));
  mu.transitionItems.forEach((item, i) => fromTable(item, cov.transitions, i));
  mu.guardItems.forEach(([f, t], g) => {
    fromTable(t, cov.guards, 2 * g + 1);
    fromTable(f, cov.guards, 2 * g);
  });
  const warnings = [...target.warnings, ...mu.warnings];
  if (target.ruleBase !== undefined) {
    RULE_ITEMS.forEach((item, r) => fromTable(item, cov.transitions, target.ruleBase! + r));
    const unknown = cov.transitions.hits[target.ruleBase + RULE_ITEMS.length] ?? 0;
    if (unknown > 0) warnings.push(`${unknown} steps produced a rule that src/kernel/rules.ts RULES does not list (not counted)`);
  }
  for (const [key, item] of mu.pairItems) {
    const hit = graph.pairs.get(key);
    items.push({ item, outcome: hit ? { status: 'covered', source: name, hits: hit.hits, witness: fromGraph(hit.witness, `pair ${item.id}`) } : graphNotReached(graph.cut) });
  }
  const T = target.compiled.transitions.length;
  for (const key of graph.pairs.keys()) {
    if (!mu.pairItems.has(key)) warnings.push(`pair analysis: transition ${key % T} followed transition ${Math.floor(key / T)}, which the pair universe does not allow (a bug)`);
  }
  for (const [key, item] of mu.pathItems) {
    const hit = graph.paths.get(key);
    items.push({ item, outcome: hit ? { status: 'covered', source: name, witness: fromGraph(hit.witness, `path ${item.id}`) } : graphNotReached(graph.cut ?? graph.pathsCut) });
  }
  const description =
    `exploration of ${target.compiled.stateNodes.find((n) => n.root)?.id ?? name}: ${world}, ${result.transitions} transitions, ` +
    (result.exhaustive ? 'exhaustive' : `cut (${'bound' in result && result.bound ? result.bound.detail : 'stopped early'})`) +
    `; graph pass ${graph.states} states${graph.complete ? '' : ` (${graph.cut})`}` +
    (traces.written > 0 ? `; ${traces.written} witness traces in ${traces.dirShown}` : '');
  say(`${name}: done (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return { summary: { name, kind: 'exploration', exhaustive: result.exhaustive, description, warnings }, items, ...(target.exclusions ? { exclusions: target.exclusions } : {}) };
}

/** The ids of one dimension of a statechart's universe (`rules`: whether the model reports kernel rules). */
export function universeIds(mu: MachineUniverse, rules: boolean, dim: DimensionName): string[] {
  switch (dim) {
    case 'states': return mu.stateItems.flatMap((i) => (i ? [i.id] : []));
    case 'transitions': return mu.transitionItems.map((i) => i.id);
    case 'guards': return mu.guardItems.flatMap(([f, t]) => [f.id, t.id]);
    case 'rules': return rules ? RULE_ITEMS.map((i) => i.id) : [];
    case 'pairs': return [...mu.pairItems.values()].map((i) => i.id);
    case 'paths': return [...mu.pathItems.values()].map((i) => i.id);
  }
}

/** Witnesses as event lists and, for lifecycle models with an output directory, as trace files (one per path). */
export class WitnessTraces {
  private readonly byKey = new Map<string, string>();
  private readonly dir: string | undefined;
  readonly dirShown: string;
  written = 0;

  constructor(private readonly target: CoverageTarget, outDir: string | undefined) {
    this.dir = outDir !== undefined && target.toTrace ? join(outDir, 'witnesses', slug(target.name)) : undefined;
    this.dirShown = this.dir ? relative(process.cwd(), this.dir) || '.' : '';
  }

  witness(events: readonly EventObject[], what: string, how = 'a shortest path that reaches'): CoverageWitness {
    const shown = events.map(this.target.formatEvent);
    const w: CoverageWitness = { source: this.target.name, events: shown };
    if (!this.dir) return w;
    const key = JSON.stringify(shown);
    let file = this.byKey.get(key);
    if (file === undefined) {
      if (this.written === 0) mkdirSync(this.dir, { recursive: true });
      file = join(this.dir, `w${String(this.written + 1).padStart(5, '0')}.trace.json`);
      const trace = this.target.toTrace!(events, `coverage witness (${this.target.name}): ${how} ${what}`);
      writeFileSync(file, `${JSON.stringify(trace, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2)}\n`);
      this.written++;
      file = relative(process.cwd(), file);
      this.byKey.set(key, file);
    }
    return { ...w, trace: file };
  }
}

/** A file-name-safe form of a source name. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'source';
}

/** Replays the conformance corpus in `dir` (shown as `shown`): which kernel rules it reaches, where first. */
export function corpusSource(dir: string, shown: string): SourceResult {
  const result = replayCorpus(dir, KERNEL_API, { checkInvariants: false });
  const first = new Map<string, CoverageWitness>();
  const hits = new Map<string, number>();
  let traces = 0;
  let steps = 0;
  const warnings: string[] = [];
  for (const e of result.entries) {
    if (!('report' in e)) {
      warnings.push(`${e.name}: unusable, not replayed (${e.errors.map((x) => x.message).join('; ')})`);
      continue;
    }
    traces++;
    for (const line of e.report.lines) {
      steps++;
      if (line.rule === undefined) continue;
      hits.set(line.rule, (hits.get(line.rule) ?? 0) + 1);
      if (!first.has(line.rule)) first.set(line.rule, { source: 'corpus', trace: join(shown, e.name), step: line.step });
    }
  }
  const known = new Set(RULE_ITEMS.map((r) => r.id));
  const unknown = [...hits.keys()].filter((r) => !known.has(r));
  if (unknown.length) warnings.push(`rules that src/kernel/rules.ts RULES does not list (not counted): ${unknown.join(', ')}`);
  const reason = `not reached by the conformance corpus (${traces} traces, ${steps} steps replayed; a corpus is not exhaustive)`;
  const items = RULE_ITEMS.map((item) => {
    if (item.excluded !== undefined) return { item, outcome: { status: 'excluded', source: 'corpus', reason: item.excluded } as ItemOutcome };
    const w = first.get(item.id);
    return { item, outcome: (w ? { status: 'covered', source: 'corpus', hits: hits.get(item.id)!, witness: w } : { status: 'uncovered', source: 'corpus', reason }) as ItemOutcome };
  });
  return {
    summary: { name: 'corpus', kind: 'corpus', exhaustive: false, description: `conformance corpus ${shown}: ${traces} traces, ${steps} steps replayed`, warnings },
    items,
  };
}
