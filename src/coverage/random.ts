/**
 * The deep random runs as a coverage source (issue 7, "Sources"): what random runs of a statechart reached.
 *
 * The random runs (src/random) step the machine with xstate's own `transition()`. To know exactly which states,
 * transitions, guard outcomes and kernel rules each step exercised, each run's event list is replayed here through
 * the compiled model of the same machine with the explorer's StepObserver, the code path the exploration source
 * counts with (coverageModel.ts: rules reported as transition ids past the table). A step the compiled model does
 * not take, though xstate's transition() took it, is an error (the two disagree), never skipped.
 *
 * Pairs and phase paths follow the definitions of the graph pass (graph.ts): a pair is two transitions taken one
 * right after the other along a run (within a step, or the last of a step and the first of the next); a phase path
 * is reached when a run's phase sequence reaches a final phase without repeating one.
 *
 * Each covered item's witness is the shortest run prefix, over all runs, whose last step exercised it (empty: the
 * initial transition did); for lifecycle models it is written as a trace `handover replay` runs. What no run
 * reached is `uncovered`, "not reached in N random runs": random runs are never exhaustive, so never `unreachable`.
 */
import type { EventObject } from 'xstate';
import type { ModelModule, StepObserver } from '../explore/index.ts';
import { randomRuns, s4Model, s4WorldName, type S4World } from '../random/index.ts';
import { targetOfModule, type CoverageTarget } from './coverageModel.ts';
import { checkExclusionsMatch } from './exclusions.ts';
import { extendPhases } from './graph.ts';
import { universeIds, WitnessTraces, type ItemOutcome, type SourceResult } from './sources.ts';
import type { CoverageWitness } from './types.ts';
import { machineUniverse, RULE_ITEMS, type UniverseItem } from './universe.ts';

/** What a random source says about its runs. */
export interface RandomSourceInfo {
  /** What the runs were: the world, the seed, the length limit (the summary and the reasons say it). */
  readonly description: string;
  /** Where witness traces are written (lifecycle models): `<outDir>/witnesses/<source>/`. */
  readonly outDir?: string;
}

/** The first (shortest) reach of an item: run `run`'s first `length` events. */
interface Reach {
  run: number;
  length: number;
}

/** Per item id: hits and the shortest reach. */
class Table {
  readonly hits = new Map<number | string, number>();
  readonly best = new Map<number | string, Reach>();
  note(id: number | string, run: number, length: number): void {
    this.hits.set(id, (this.hits.get(id) ?? 0) + 1);
    const b = this.best.get(id);
    if (b === undefined || length < b.length) this.best.set(id, { run, length });
  }
}

/**
 * The coverage source of `runs` (event lists from the initial state, as random runs took them) of `target`'s
 * statechart: see the file header.
 */
export function randomSource(target: CoverageTarget, runs: readonly (readonly EventObject[])[], info: RandomSourceInfo): SourceResult {
  const name = target.name;
  const mu = machineUniverse(target.compiled, target.machine);
  if (target.exclusions) checkExclusionsMatch(target.exclusions, (dim) => universeIds(mu, target.ruleBase !== undefined, dim));
  const model = target.spec.model;
  const T = target.compiled.transitions.length;
  const ph = mu.phases;

  const states = new Table();
  const transitions = new Table(); // transition ids, and rules as ruleBase + r (as the exploration source counts)
  const guards = new Table(); // 2·guard + outcome
  const pairs = new Table(); // t1·T + t2
  const paths = new Table(); // phase node indexes joined with ','
  let entered: number[] = [];
  let taken: number[] = []; // every transition id the observer saw in this step (rules included)
  let guarded: number[] = [];
  const observer: StepObserver = {
    transition: (id) => void taken.push(id),
    guard: (id, outcome) => void guarded.push(2 * id + (outcome ? 1 : 0)),
    enter: (id) => void entered.push(id),
  };
  let steps = 0;
  runs.forEach((events, r) => {
    entered = [];
    taken = [];
    guarded = [];
    const inits = model.initStates(observer);
    if (inits.length !== 1) throw new Error(`${name}: the compiled model has ${inits.length} initial states; a random run starts from one`);
    let s = inits[0]!;
    let last: number | undefined;
    let seq: number[] | null = ph ? [ph.initial] : null;
    const account = (length: number): void => {
      for (const id of entered) states.note(id, r, length);
      for (const id of taken) transitions.note(id, r, length);
      for (const id of guarded) guards.note(id, r, length);
      const chart = taken.filter((id) => id < T);
      if (chart.length > 0) {
        if (last !== undefined) pairs.note(last * T + chart[0]!, r, length);
        for (let i = 1; i < chart.length; i++) pairs.note(chart[i - 1]! * T + chart[i]!, r, length);
      }
      // As the graph pass: a step that takes no transition leaves no transition for the next to follow.
      last = chart[chart.length - 1];
      if (ph && seq !== null) {
        seq = extendPhases(ph, seq, chart);
        if (seq !== null && ph.finals.has(seq[seq.length - 1]!)) {
          paths.note(seq.join(','), r, length);
          seq = null;
        }
      }
      entered = [];
      taken = [];
      guarded = [];
    };
    account(0);
    events.forEach((e, i) => {
      const next = model.nextState(s, e, observer);
      if (next === undefined) {
        throw new Error(`${name}: random run ${r + 1}, step ${i + 1} (${target.formatEvent(e)}): the compiled model takes no transition where xstate's transition() took one`);
      }
      s = next;
      steps++;
      account(i + 1);
    });
  });

  const reason = `not reached in ${runs.length} random runs (${info.description}; random runs are not exhaustive)`;
  const notReached: ItemOutcome = { status: 'uncovered', source: name, reason };
  const traces = new WitnessTraces(target, info.outDir);
  const items: { item: UniverseItem; outcome: ItemOutcome }[] = [];
  const witness = (b: Reach, what: string): CoverageWitness =>
    traces.witness(runs[b.run]!.slice(0, b.length), what, `the shortest prefix of ${runs.length} random runs (${info.description}) that reaches`);
  const fromTable = (item: UniverseItem, table: Table, id: number | string, withHits = true): void => {
    if (item.excluded !== undefined) {
      items.push({ item, outcome: { status: 'excluded', source: name, reason: item.excluded } });
      return;
    }
    const b = table.best.get(id);
    items.push({
      item,
      outcome: b ? { status: 'covered', source: name, ...(withHits ? { hits: table.hits.get(id)! } : {}), witness: witness(b, `${item.kind} ${item.id}`) } : notReached,
    });
  };
  mu.stateItems.forEach((item, i) => item && fromTable(item, states, i));
  mu.transitionItems.forEach((item, i) => fromTable(item, transitions, i));
  mu.guardItems.forEach(([f, t], g) => {
    fromTable(t, guards, 2 * g + 1);
    fromTable(f, guards, 2 * g);
  });
  const warnings = [...target.warnings, ...mu.warnings];
  if (target.ruleBase !== undefined) {
    RULE_ITEMS.forEach((item, r) => fromTable(item, transitions, target.ruleBase! + r));
    const unknown = transitions.hits.get(target.ruleBase + RULE_ITEMS.length) ?? 0;
    if (unknown > 0) warnings.push(`${unknown} steps produced a rule that src/kernel/rules.ts RULES does not list (not counted)`);
  }
  for (const [key, item] of mu.pairItems) fromTable(item, pairs, key);
  for (const key of pairs.hits.keys()) {
    if (!mu.pairItems.has(key as number)) warnings.push(`pair analysis: transition ${(key as number) % T} followed transition ${Math.floor((key as number) / T)}, which the pair universe does not allow (a bug)`);
  }
  for (const [key, item] of mu.pathItems) fromTable(item, paths, key, false);
  const description = `${runs.length} random runs (${info.description}): ${steps} steps, replayed through the compiled model` +
    (traces.written > 0 ? `; ${traces.written} witness traces in ${traces.dirShown}` : '');
  return {
    summary: { name, kind: 'random', exhaustive: false, description, warnings },
    items,
    ...(target.exclusions ? { exclusions: target.exclusions } : {}),
  };
}

/** The worlds of `handover coverage --random`: S4 hardened and proposed, adversarial (src/random/worlds.ts). */
export const S4_RANDOM_WORLDS: readonly S4World[] = [
  { variant: 'hardened', deviations: 10 },
  { variant: 'proposed', deviations: 10 },
];

/** The longest random run of `--random`, in steps (as `handover random`'s default). */
export const RANDOM_MAX_STEPS = 80;

/** Options of an S4 random source. */
export interface S4RandomOptions {
  readonly runs: number;
  readonly seed: number;
  readonly maxSteps?: number;
  readonly outDir?: string;
}

/**
 * `runs` random runs of an S4 world (src/random: fast-check over xstate's transition(), invariants not judged: this
 * counts what the runs reach), as a coverage source named `random:<world>`.
 */
export function s4RandomSource(world: S4World, opts: S4RandomOptions): SourceResult {
  const maxSteps = opts.maxSteps ?? RANDOM_MAX_STEPS;
  const worldName = s4WorldName(world);
  const model = s4Model(world);
  const events: EventObject[][] = [];
  const result = randomRuns({
    name: worldName, model, runs: opts.runs, seed: opts.seed, maxSteps, judge: [], outDir: null, shrinkSeconds: 0,
    onRun: (run) => void events.push(run.events as unknown as EventObject[]),
  });
  if (result.failure) throw new Error(`${worldName}: a random run failed though no invariant is judged`);
  const target = targetOfModule(`random:${worldName}`, model as unknown as ModelModule);
  return randomSource(target, events, {
    description: `${worldName}, fast-check seed ${opts.seed}, at most ${maxSteps} steps each`,
    ...(opts.outDir !== undefined ? { outDir: opts.outDir } : {}),
  });
}
