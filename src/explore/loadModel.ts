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
import { compileModelModule, ModelModuleError, UnsupportedFeatureError, type CompiledModel } from './compile.ts';
import type { Model, ModelModule, StatePredicate } from './model.ts';
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
  let compiled: CompiledModel;
  try {
    compiled = compileModelModule(mm);
  } catch (err) {
    if (err instanceof ModelModuleError) throw new ModelShapeError(file, prefixed(exportName, err.field), err.message.replace(`${err.field}: `, ''));
    if (err instanceof UnsupportedFeatureError) throw new ModelShapeError(file, prefixed(exportName, 'machine'), err.message);
    throw err;
  }
  const opts = compiled.options;
  return {
    model: compiled.model as Model<unknown, unknown>,
    invariants: compiled.invariants as Record<string, StatePredicate<unknown>>,
    checkDeadlock: opts.checkDeadlock ?? true,
    warnings: compiled.warnings,
    bounds: {
      ...(opts.maxStates !== undefined ? { maxStates: opts.maxStates } : {}),
      ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    },
  };
}

function prefixed(exportName: string, field: string): string {
  return exportName === 'default' ? field : `${exportName}.${field}`;
}

/**
 * Checks what the compiler cannot name well (a missing or non-machine `machine`, the reserved invariant name); the
 * compiler checks events, invariants and options (its ModelModuleError is reported with the file).
 */
export function validateModelModule(v: Record<string, unknown>, file: string, exportName = 'default'): ModelModule {
  const at = (f: string) => prefixed(exportName, f);
  const m = v.machine as { config?: unknown; root?: unknown } | undefined;
  if (m === undefined) throw new ModelShapeError(file, at('machine'), 'missing (an XState v5 machine from createMachine or setup().createMachine)');
  if (typeof m !== 'object' || m === null || !('root' in m) || !('config' in m)) {
    throw new ModelShapeError(file, at('machine'), `expected an XState v5 machine (createMachine(...)), got ${describe(m)}`);
  }
  if (v.events === undefined) throw new ModelShapeError(file, at('events'), 'missing (an array of events, or (state) => events)');
  validateInvariants(v.invariants, file, at('invariants'));
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
