/**
 * Validates a parsed trace document against the generated trace schema (schemas/trace.schema.json, from
 * types.ts) with ajv, and turns ajv's errors into located messages a user can act on:
 * `step 3: field flags[1]: "READ" is not one of FIXED_IOVA, READABLE, WRITEABLE; did you mean READABLE?`.
 *
 * The schema checks shape only; what it cannot say (a u64 string above 0xffffffffffffffff, a label never bound,
 * an unknown file name) is checked by load.ts afterwards, still before anything runs.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import traceSchema from './schemas/trace.schema.json' with { type: 'json' };
import { didYouMean } from './closeMatches.ts';
import { errorAt, locate } from './errors.ts';
import type { TraceInputError } from './errors.ts';
import { isNumeric, parseUnsigned, parseU64, U32_MAX } from './numbers.ts';

type SchemaNode = { [k: string]: unknown };

const definitions = (traceSchema as unknown as { definitions: Record<string, SchemaNode> }).definitions;

let compiled: ValidateFunction | undefined;

/** The compiled validator (compiled once per process). */
function validator(): ValidateFunction {
  compiled ??= new Ajv({
    allErrors: true, verbose: true, discriminator: true, strict: true, allowUnionTypes: true,
    // `minimum` beside an `anyOf` of a name list and a number (flags, enums) applies to the number only, by design.
    strictTypes: false,
  }).compile(traceSchema);
  return compiled;
}

/** The most errors reported for one file; the rest are counted. */
export const MAX_ERRORS_PER_FILE = 20;

/** Validates `doc` (the result of JSON.parse) as a trace. Returns no errors when it conforms. */
export function validateTraceDocument(file: string, doc: unknown): TraceInputError[] {
  const validate = validator();
  if (validate(doc)) return [];
  const errors = simplify(validate.errors ?? []);
  const out: TraceInputError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const located = describe(file, e);
    const key = JSON.stringify(located);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(located);
  }
  return out;
}

/**
 * Drops ajv's noise: for an `anyOf` whose data fits exactly one branch by JSON type, keep that branch's errors
 * only; otherwise one error for the whole `anyOf`. A failed discriminator tag duplicates a `required`/`type`
 * error on `op`, so it is dropped unless it is the unknown-op error.
 */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  let out = [...errors];
  for (const any of errors.filter((e) => e.keyword === 'anyOf')) {
    const branches = (any.schema ?? []) as SchemaNode[];
    const inside = (e: ErrorObject): boolean => e !== any && e.schemaPath.startsWith(`${any.schemaPath}/`)
      && (e.instancePath === any.instancePath || e.instancePath.startsWith(`${any.instancePath}/`));
    const fitting = branches.map((b, i) => (acceptsType(b, any.data) ? i : -1)).filter((i) => i >= 0);
    const only = fitting.length === 1 ? fitting[0] : undefined;
    out = out.filter((e) => {
      if (!inside(e)) return e !== any || only === undefined;
      return only !== undefined && e.schemaPath.startsWith(`${any.schemaPath}/${only}/`);
    });
  }
  return out.filter((e) => !(e.keyword === 'discriminator' && (e.params as { error?: string }).error !== 'mapping'));
}

/** The JSON type of a value, as JSON Schema names it. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The schema node a `$ref` points to (local definitions only). */
function deref(node: SchemaNode): SchemaNode {
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    return definitions[ref.slice('#/definitions/'.length)] ?? node;
  }
  return node;
}

/** Whether a branch's `type` admits the value's JSON type (a branch without `type` admits everything). */
function acceptsType(branch: SchemaNode, v: unknown): boolean {
  const t = deref(branch)['type'];
  if (t === undefined) return true;
  const types = Array.isArray(t) ? t : [t];
  const jt = jsonType(v);
  return types.includes(jt) || (jt === 'integer' && types.includes('number'));
}

/** The definition a schema path goes through last (`#/definitions/U64Value/pattern` → `U64Value`). */
function definitionOf(schemaPath: string): string | undefined {
  const m = /#\/definitions\/([^/]+)\/[^/]+$/.exec(schemaPath);
  return m?.[1];
}

/** A short rendering of a value for messages. */
function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** What a schema node accepts, in words (for an `anyOf` none of whose branches fits). */
function accepts(node: SchemaNode): string {
  const ref = node['$ref'];
  if (ref === '#/definitions/U64Value') return 'a u64 (a number, or a decimal or 0x hex string)';
  if (ref === '#/definitions/U32Value') return 'a u32 (a number, or a decimal or 0x hex string)';
  if (ref === '#/definitions/IdRef') return 'an object id (a number) or a label';
  const d = deref(node);
  if (Array.isArray(d['enum'])) return `one of ${(d['enum'] as unknown[]).join(', ')}`;
  if (d['type'] === 'array' && d['items'] && !Array.isArray(d['items'])) {
    const items = deref(d['items'] as SchemaNode);
    if (Array.isArray(items['enum'])) return `a list of names among ${(items['enum'] as unknown[]).join(', ')}`;
    return 'a list';
  }
  if (d['type'] === 'number' || d['type'] === 'integer') return 'a number';
  if (typeof d['type'] === 'string') return `a${/^[aeiou]/.test(d['type']) ? 'n' : ''} ${d['type']}`;
  return 'a value of another form';
}

/** Diagnoses a number-like value against its definition: the message of the precise problem. */
function numberProblem(definition: string | undefined, v: unknown, max: unknown): string | undefined {
  if (typeof v !== 'number' && typeof v !== 'string') return undefined;
  if (definition === 'U64Value') {
    const r = parseU64(v);
    return r.ok ? undefined : r.message;
  }
  if (definition === 'U32Value' || (definition === 'IdRef' && isNumeric(v))) {
    const r = parseUnsigned(v, BigInt(U32_MAX), 'a u32');
    return r.ok ? undefined : r.message;
  }
  if (typeof max === 'number' && typeof v === 'number') {
    const what = max === 0xffff ? 'a u16' : max === 0x7fff_ffff ? 'an int' : max === U32_MAX ? 'a u32' : `a number up to ${max}`;
    const r = parseUnsigned(v, BigInt(max), what);
    return r.ok ? undefined : r.message;
  }
  return undefined;
}

/** One ajv error → one located message. */
function describe(file: string, e: ErrorObject): TraceInputError {
  const params = e.params as Record<string, unknown>;
  const definition = definitionOf(e.schemaPath);
  switch (e.keyword) {
    case 'discriminator': {
      const ops = (((deref({ $ref: '#/definitions/Step' })['oneOf'] ?? []) as SchemaNode[])
        .map((b) => ((deref(b)['properties'] as Record<string, SchemaNode>)['op'] ?? {})['const'])
        .filter((c): c is string => typeof c === 'string'));
      const op = String(params['tagValue']);
      const hint = didYouMean(op, ops) || ` (the ops are ${ops.join(', ')})`;
      return { kind: 'trace', file, ...locate(e.instancePath), field: fieldIn(e.instancePath, 'op'), message: `unknown op ${show(op)}${hint}` };
    }
    case 'required':
      return { kind: 'trace', file, ...locate(e.instancePath), field: fieldIn(e.instancePath, String(params['missingProperty'])), message: 'missing required field' };
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known = Object.keys((e.parentSchema?.['properties'] ?? {}) as object);
      return {
        kind: 'trace', file, ...locate(e.instancePath), field: fieldIn(e.instancePath, name),
        message: `unknown field${didYouMean(name, known) || (known.length ? ` (the fields here are ${known.join(', ')})` : '')}`,
      };
    }
    case 'const':
      if (e.instancePath === '/handover-trace') {
        return errorAt(file, e.instancePath, `unsupported trace format version ${show(e.data)}: this handover reads version 1`);
      }
      return errorAt(file, e.instancePath, `must be ${show(params['allowedValue'])}, not ${show(e.data)}`);
    case 'enum': {
      const allowed = (params['allowedValues'] ?? []) as string[];
      if (definition === 'ExpectedResult') {
        return errorAt(file, e.instancePath, `${show(e.data)} is not "ok" or an errno name the model knows${didYouMean(String(e.data), allowed)}`);
      }
      return errorAt(file, e.instancePath, `${show(e.data)} is not one of ${allowed.join(', ')}${didYouMean(String(e.data), allowed)}`);
    }
    case 'anyOf':
      return errorAt(file, e.instancePath, `${show(e.data)} is not ${((e.schema ?? []) as SchemaNode[]).map(accepts).join(', or ')}`);
    case 'pattern': {
      const problem = numberProblem(definition, e.data, undefined);
      if (problem) return errorAt(file, e.instancePath, problem);
      if (definition === 'IdRef') return errorAt(file, e.instancePath, `${show(e.data)} is neither an object id (decimal or 0x hex) nor a label (a letter or _, then letters, digits, _ . -)`);
      if (definition === 'Name' || definition === 'FdRef') return errorAt(file, e.instancePath, `${show(e.data)} is not a name: a letter or _, then letters, digits, _ . -`);
      if (definition === 'KernelName') return errorAt(file, e.instancePath, `${show(e.data)} is not a kernel name: a profile, then any patches each after +`);
      return errorAt(file, e.instancePath, `${show(e.data)} does not match ${String(params['pattern'])}`);
    }
    case 'minimum':
    case 'maximum':
    case 'multipleOf': {
      const problem = numberProblem(definition, e.data, e.parentSchema?.['maximum']);
      return errorAt(file, e.instancePath, problem ?? `${show(e.data)} ${e.message ?? 'is out of range'}`);
    }
    case 'type':
      return errorAt(file, e.instancePath, `${show(e.data)} is not ${typeWords(params['type'])}`);
    case 'minItems':
    case 'maxItems': {
      const min = e.parentSchema?.['minItems'];
      const max = e.parentSchema?.['maxItems'];
      const n = min === max ? `exactly ${String(min)}` : e.keyword === 'minItems' ? `at least ${String(min)}` : `at most ${String(max)}`;
      return errorAt(file, e.instancePath, `has ${Array.isArray(e.data) ? e.data.length : '?'} items, must have ${n}`);
    }
    default:
      return errorAt(file, e.instancePath, e.message ?? `fails ${e.keyword}`);
  }
}

/** The field path of `name` inside the object at `pointer`. */
function fieldIn(pointer: string, name: string): string {
  const { field } = locate(pointer);
  return field === undefined ? name : `${field}.${name}`;
}

/** `["integer","string"]` → `an integer or a string`. */
function typeWords(t: unknown): string {
  const list = (Array.isArray(t) ? t : String(t).split(',')).map(String);
  const word = (x: string): string => (x === 'object' ? 'object ({...})' : x === 'array' ? 'list ([...])' : x);
  return list.map((x) => `a${/^[aeiou]/.test(word(x)) ? 'n' : ''} ${word(x)}`).join(' or ');
}
