/**
 * The model a coverage exploration runs: a proof's lifecycle model (src/verify/proofModel.ts) or a model module
 * (`--machine`, as `handover explore` takes), compiled, with no invariants to check (coverage only counts; a search
 * that stops when every check is violated would count less), and with the kernel rules its steps produce reported to
 * the search's observer.
 *
 * RULES THROUGH THE OBSERVER. The explorer's StepObserver counts transitions, guard outcomes and states entered, with
 * shortest witnesses, identically for any number of worker threads. A kernel rule is reported as a transition id past
 * the machine's transition table: rule r (its index in RULE_ITEMS) is `transitions.length + r`. The lifecycle model
 * exposes `observeSteps(f)` (machines/lifecycle.ts), which sees the report line of each step the statechart takes;
 * this wrapper points it at the observer of the step being taken, around `nextState`, and nowhere else. An observer
 * only sees: the states, transitions and verdicts of a search are the same with or without it.
 *
 * Worker threads cannot receive functions: each builds this model itself from the same descriptor, through the
 * ModelSource `{ module: COVERAGE_MODEL_MODULE, export: 'coverageSpec', args: [descriptor] }`.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyStateMachine, EventObject } from 'xstate';
import {
  compileModelModule,
  formatEvent,
  type CompiledMachine,
  type MachineState,
  type Model,
  type ModelModule,
  type ModelSource,
  type SearchSpec,
  type StepObserver,
} from '../explore/index.ts';
import { buildProofModel, importProof } from '../verify/proofModel.ts';
import type { Trace } from '../trace/types.ts';
import { readDeclaration, type DeclaredExclusions } from './exclusions.ts';
import { RULE_INDEX, RULE_ITEMS } from './universe.ts';

/** This module's path: the ModelSource `module` of a coverage search. */
export const COVERAGE_MODEL_MODULE = fileURLToPath(import.meta.url);

/** What to explore: a proof file, or a model module file. Plain data: it is sent to worker threads. */
export type TargetDescriptor =
  | { readonly kind: 'proof'; readonly file: string }
  /** `name`: how reports name it (the file as the user gave it); default the file. */
  | { readonly kind: 'machine'; readonly file: string; readonly name?: string };

/** A loaded coverage target. */
export interface CoverageTarget {
  /** A proof's name, or the machine file as given. */
  readonly name: string;
  readonly spec: SearchSpec<MachineState, EventObject>;
  readonly compiled: CompiledMachine;
  readonly machine: AnyStateMachine;
  /** The observer id of rule 0 (the number of transitions); undefined when the model reports no rules. */
  readonly ruleBase: number | undefined;
  /** The explorer's bounds the target asks for (a proof's `bounds`, a module's options). */
  readonly bounds: { readonly maxStates?: number; readonly maxDepth?: number; readonly seconds?: number };
  /** A path of events as a trace `handover replay` runs (lifecycle models), or undefined. */
  readonly toTrace: ((events: readonly EventObject[], description: string) => Trace) | undefined;
  /** An event as the report shows it. */
  readonly formatEvent: (e: EventObject) => string;
  readonly warnings: readonly string[];
  /** What the proof or model module excludes from its coverage (exclusions.ts), checked for shape. */
  readonly exclusions?: DeclaredExclusions;
}

/** A target file that cannot be covered; `field` names what is wrong. */
export class CoverageTargetError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CoverageTargetError';
  }
}

/** The ModelSource a coverage search of `d` uses (main thread and workers). */
export function coverageSource(d: TargetDescriptor): ModelSource {
  return { module: COVERAGE_MODEL_MODULE, export: 'coverageSpec', args: [d] };
}

/** The ModelSource factory: the coverage SearchSpec of `d`. */
export async function coverageSpec(d: TargetDescriptor): Promise<SearchSpec<MachineState, EventObject>> {
  return (await loadCoverageTarget(d)).spec;
}

/** What a lifecycle model adds to a model module (machines/lifecycle.ts). */
interface LifecycleExtras {
  observeSteps?: (f: ((line: { rule?: string }) => void) | undefined) => void;
  toTrace?: (path: readonly never[], description: string) => Trace;
}

/** Loads and compiles `d` (deterministic: every thread gets the same model). */
export async function loadCoverageTarget(d: TargetDescriptor): Promise<CoverageTarget> {
  if (d.kind === 'proof') {
    const proof = await importProof(d.file);
    const built = buildProofModel(proof);
    const exclusions = readDeclaration(proof.name, d.file, proof.coverage);
    return build(proof.name, built.module as unknown as ModelModule, built.life as unknown as LifecycleExtras, proof.bounds ?? {}, lifecycleEvent, exclusions);
  } else {
    const m = (await import(pathToFileURL(d.file).href)) as { default?: unknown; coverage?: unknown };
    let value = m.default;
    if (typeof value === 'function') value = await (value as () => unknown)();
    if (typeof value !== 'object' || value === null || !('machine' in value)) {
      throw new CoverageTargetError(d.file, 'the default export must be a model module { machine, events, invariants, options? } (a statechart: coverage needs its state nodes and transitions)');
    }
    const name = d.name ?? d.file;
    const fromOptions = (value as { options?: { coverage?: unknown } }).options?.coverage;
    if (m.coverage !== undefined && fromOptions !== undefined) {
      throw new CoverageTargetError(d.file, 'coverage is declared twice: as the export `coverage` and as `options.coverage` (keep one)');
    }
    return targetOfModule(name, value as ModelModule, readDeclaration(name, d.file, m.coverage ?? fromOptions));
  }
}

/** The coverage target of a model module (`--machine`; tests build them in memory), with what it excludes. */
export function targetOfModule(name: string, mod: ModelModule, exclusions?: DeclaredExclusions): CoverageTarget {
  const extras = mod as LifecycleExtras;
  // `options.coverage` is coverage's own: the compiler does not know it.
  const { coverage: _c, ...o } = (mod.options ?? {}) as NonNullable<ModelModule['options']> & { coverage?: unknown };
  void _c;
  const bounds = { ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}) };
  const lifecycle = typeof extras.observeSteps === 'function' && typeof extras.toTrace === 'function';
  const plain = mod.options !== undefined && 'coverage' in mod.options ? ({ ...mod, options: o } as ModelModule) : mod;
  return build(name, plain, extras, bounds, lifecycle ? lifecycleEvent : undefined, exclusions);
}

function build(
  name: string,
  mod: ModelModule,
  extras: LifecycleExtras,
  bounds: CoverageTarget['bounds'],
  describeEvent: ((e: EventObject) => string) | undefined,
  exclusions?: DeclaredExclusions,
): CoverageTarget {
  const compiled = compileModelModule({ machine: mod.machine, events: mod.events, invariants: {}, ...(mod.options ? { options: mod.options } : {}) });
  const ruleBase = typeof extras.observeSteps === 'function' ? compiled.machine.transitions.length : undefined;
  const model = ruleBase === undefined ? compiled.model : withRules(compiled.model, extras.observeSteps!, ruleBase);
  const toTrace = typeof extras.toTrace === 'function' ? (extras.toTrace as (p: readonly EventObject[], description: string) => Trace).bind(extras) : undefined;
  const spec: SearchSpec<MachineState, EventObject> = {
    model,
    invariants: {},
    checkDeadlock: false,
    warnings: compiled.warnings,
    bounds: { ...(bounds.maxStates !== undefined ? { maxStates: bounds.maxStates } : {}), ...(bounds.maxDepth !== undefined ? { maxDepth: bounds.maxDepth } : {}) },
  };
  return {
    name,
    spec,
    compiled: compiled.machine,
    machine: mod.machine as AnyStateMachine,
    ruleBase,
    bounds,
    toTrace,
    formatEvent: describeEvent ?? formatEvent,
    warnings: compiled.warnings,
    ...(exclusions ? { exclusions } : {}),
  };
}

/** A lifecycle event: its op, what kind of call, and why the VMM makes it. */
function lifecycleEvent(e: EventObject): string {
  const x = e as EventObject & { kind?: string; why?: string };
  if (typeof x.why !== 'string') return formatEvent(e);
  return `${x.type}${x.kind && x.kind !== 'script' ? ` (${x.kind})` : ''}: ${x.why}`;
}

/** The model with the rules of each observed step reported to its observer as transition ids `base + rule`. */
function withRules<S, A>(model: Model<S, A>, observeSteps: NonNullable<LifecycleExtras['observeSteps']>, base: number): Model<S, A> {
  let current: StepObserver | undefined;
  observeSteps((line) => {
    if (current === undefined || line.rule === undefined) return;
    // A rule RULES does not list is counted apart (id base + RULE_ITEMS.length): the report warns about it.
    current.transition(base + (RULE_INDEX.get(line.rule) ?? RULE_ITEMS.length));
  });
  return {
    ...model,
    initStates(observer) {
      current = observer;
      try {
        return model.initStates(observer);
      } finally {
        current = undefined;
      }
    },
    nextState(s, a, observer) {
      if (observer === undefined) return model.nextState(s, a);
      current = observer;
      try {
        return model.nextState(s, a, observer);
      } finally {
        current = undefined;
      }
    },
  };
}
