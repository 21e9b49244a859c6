/**
 * Loading what a search runs on from a module file, in the main thread and in every worker thread alike: each
 * thread imports the module itself (by absolute path) and builds its own model, since functions cannot be sent
 * between threads. The module's export is one of
 * - a model module `{ machine, events, invariants, options? }` (README "The model module"), compiled by compile.ts;
 * - a SearchSpec `{ model, invariants, checkDeadlock }` whose model is written by hand;
 * - a function returning either, called with `source.args` (JSON values, the same in every thread).
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { ExploreModelOptions, Model, ModelModule, StatePredicate } from './model.ts';
import type { SearchSpec } from './types.ts';

/** Where a thread finds the model: a module file and, optionally, the export and a factory's arguments. */
export interface ModelSource {
  /** Absolute path (or file: URL) of an ES module (.ts through tsx, or .js). */
  readonly module: string;
  /** The export to use; default `default`. */
  readonly export?: string;
  /** Arguments for an export that is a factory function (structured-clonable, e.g. JSON). */
  readonly args?: readonly unknown[];
}

/** A module that does not export what a search needs; `field` names the missing or mistyped part. */
export class ModelShapeError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ModelShapeError';
  }
}

/** The compiler's entry (compile.ts), loaded lazily so that hand-written models need no xstate. */
interface Compiler {
  compileModelModule(mod: ModelModule): {
    model: Model<unknown, unknown>;
    invariants: Record<string, StatePredicate<unknown>>;
    options?: ExploreModelOptions<unknown>;
    warnings: string[];
  };
}

/** Imports `source` and builds its SearchSpec. Throws ModelShapeError for a module of the wrong shape. */
export async function loadSearchSpec(source: ModelSource): Promise<SearchSpec<unknown, unknown>> {
  const url = source.module.startsWith('file:') ? source.module : pathToFileURL(source.module).href;
  if (!source.module.startsWith('file:') && !isAbsolute(source.module)) {
    throw new ModelShapeError(source.module, 'module', 'the module path must be absolute');
  }
  const mod = (await import(url)) as Record<string, unknown>;
  const name = source.export ?? 'default';
  let value = mod[name];
  if (value === undefined) {
    throw new ModelShapeError(source.module, `export ${name}`, name === 'default'
      ? 'no default export (export default { machine, events, invariants } or defineModel({...}))'
      : 'no such export');
  }
  if (typeof value === 'function' && !isModelModuleLike(value)) value = await (value as (...a: unknown[]) => unknown)(...(source.args ?? []));
  return specFromExport(value, source.module, name);
}

function isModelModuleLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'machine' in v;
}

/** A SearchSpec from a module's export value (see the file header). */
export async function specFromExport(value: unknown, file: string, exportName = 'default'): Promise<SearchSpec<unknown, unknown>> {
  if (typeof value !== 'object' || value === null) {
    throw new ModelShapeError(file, `export ${exportName}`, `expected an object { machine, events, invariants }, got ${describe(value)}`);
  }
  const v = value as Record<string, unknown>;
  if ('model' in v && !('machine' in v)) return validateSpec(v, file, exportName);
  const mm = validateModelModule(v, file, exportName);
  const compilePath = './compile.ts';
  const { compileModelModule } = (await import(compilePath)) as Compiler;
  const compiled = compileModelModule(mm);
  const opts = compiled.options ?? mm.options ?? {};
  const model = compiled.model;
  if (opts.canonicalize && !model.representative) {
    const canon = opts.canonicalize;
    model.representative = (s) => canon(s);
  }
  return {
    model,
    invariants: compiled.invariants,
    checkDeadlock: opts.checkDeadlock ?? true,
    warnings: compiled.warnings,
    bounds: {
      ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
      ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    },
  };
}

/** Checks a model module's shape, naming the first field that is wrong. */
export function validateModelModule(v: Record<string, unknown>, file: string, exportName = 'default'): ModelModule {
  const at = (f: string) => (exportName === 'default' ? f : `${exportName}.${f}`);
  const m = v.machine as { config?: unknown; root?: unknown } | undefined;
  if (m === undefined) throw new ModelShapeError(file, at('machine'), 'missing (an XState v5 machine from createMachine or setup().createMachine)');
  if (typeof m !== 'object' || m === null || !('root' in m) || !('config' in m)) {
    throw new ModelShapeError(file, at('machine'), `expected an XState v5 machine (createMachine(...)), got ${describe(m)}`);
  }
  const ev = v.events;
  if (ev === undefined) throw new ModelShapeError(file, at('events'), 'missing (an array of events, or (state) => events)');
  if (typeof ev !== 'function') {
    if (!Array.isArray(ev)) throw new ModelShapeError(file, at('events'), `expected an array of events or a function, got ${describe(ev)}`);
    ev.forEach((e, i) => {
      if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') {
        throw new ModelShapeError(file, `${at('events')}[${i}]`, `expected an event object with a string "type", got ${describe(e)}`);
      }
    });
  }
  validateInvariants(v.invariants, file, at('invariants'));
  const o = v.options;
  if (o !== undefined) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ModelShapeError(file, at('options'), `expected an object, got ${describe(o)}`);
    const opts = o as Record<string, unknown>;
    const known = ['checkDeadlock', 'maxStates', 'maxDepth', 'canonicalize'];
    for (const k of Object.keys(opts)) {
      if (!known.includes(k)) throw new ModelShapeError(file, `${at('options')}.${k}`, `unknown option (known: ${known.join(', ')})`);
    }
    if (opts.checkDeadlock !== undefined && typeof opts.checkDeadlock !== 'boolean') {
      throw new ModelShapeError(file, `${at('options')}.checkDeadlock`, `expected a boolean, got ${describe(opts.checkDeadlock)}`);
    }
    for (const k of ['maxStates', 'maxDepth'] as const) {
      const x = opts[k];
      if (x !== undefined && !(typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
        throw new ModelShapeError(file, `${at('options')}.${k}`, `expected a non-negative integer, got ${describe(x)}`);
      }
    }
    if (opts.canonicalize !== undefined && typeof opts.canonicalize !== 'function') {
      throw new ModelShapeError(file, `${at('options')}.canonicalize`, `expected a function (state) => state, got ${describe(opts.canonicalize)}`);
    }
  }
  return v as unknown as ModelModule;
}

function validateSpec(v: Record<string, unknown>, file: string, exportName: string): SearchSpec<unknown, unknown> {
  const m = v.model as Record<string, unknown> | undefined;
  for (const f of ['initStates', 'actions', 'nextState', 'isFinal', 'encode', 'decode', 'formatAction']) {
    if (typeof m?.[f] !== 'function') throw new ModelShapeError(file, `${exportName}.model.${f}`, 'missing or not a function');
  }
  validateInvariants(v.invariants, file, `${exportName}.invariants`);
  if (typeof v.checkDeadlock !== 'boolean') throw new ModelShapeError(file, `${exportName}.checkDeadlock`, 'expected a boolean');
  return v as unknown as SearchSpec<unknown, unknown>;
}

function validateInvariants(inv: unknown, file: string, field: string): void {
  if (inv === undefined) throw new ModelShapeError(file, field, 'missing (an object of named predicates (state) => boolean; {} for none)');
  if (typeof inv !== 'object' || inv === null || Array.isArray(inv)) throw new ModelShapeError(file, field, `expected an object of named predicates, got ${describe(inv)}`);
  for (const [k, f] of Object.entries(inv)) {
    if (typeof f !== 'function') throw new ModelShapeError(file, `${field}.${k}`, `expected a predicate (state) => boolean, got ${describe(f)}`);
    if (k === 'deadlock') throw new ModelShapeError(file, `${field}.${k}`, 'the name "deadlock" is reserved for deadlock detection (options.checkDeadlock)');
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v)}`;
  return `${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`;
}
