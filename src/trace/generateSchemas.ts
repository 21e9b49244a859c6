/**
 * `npm run schemas`: generates the JSON Schemas of the trace format and of `replay --json` lines from the
 * TypeScript types in types.ts (typescript-json-schema), and writes them to src/trace/schemas/. The schemas are
 * committed; test/trace/schemas.test.ts regenerates them in memory and fails when the committed ones are stale.
 *
 * Two rewrites after generation, both mechanical:
 * - typescript-json-schema emits a second copy of an alias reached through a tuple (`U64Value_1`); copies that
 *   equal their original are folded back into it.
 * - `Step` becomes a `oneOf` with a `discriminator` on `op` (the branches are disjoint by their `op` constant,
 *   so `oneOf` and `anyOf` accept the same documents): ajv then validates each step against its own op's
 *   schema only, and an unknown op is one clear error instead of one error per step type.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as TJS from 'typescript-json-schema';
import { SCHEMA_FILES } from './schemaFiles.ts';
import { COVERAGE_SCHEMA_FILE, COVERAGE_TYPES_FILE } from '../coverage/schemaFile.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type SchemaObject = { [k: string]: Json };

const TYPES_FILE = join(dirname(fileURLToPath(import.meta.url)), 'types.ts');

/** The generated schemas, by name (see SCHEMA_FILES), as the text written to disk. */
export type GeneratedSchemas = Record<keyof typeof SCHEMA_FILES, string>;

const ROOTS: Record<keyof typeof SCHEMA_FILES, { type: string; id: string; title: string }> = {
  trace: { type: 'Trace', id: 'https://handover.invalid/schemas/trace.schema.json', title: 'handover trace (version 1)' },
  replay: {
    type: 'ReplayLine',
    id: 'https://handover.invalid/schemas/replay.schema.json',
    title: 'one line of `handover replay --json` output',
  },
};

/** Generates both schemas from types.ts. Deterministic: the same types give the same text. */
export function generateSchemas(): GeneratedSchemas {
  const program = TJS.getProgramFromFiles([TYPES_FILE], {
    strict: true,
    // Bundler resolution, not NodeNext: under NodeNext the type names of an ES module carry an
    // `import("...", {with: ...})` qualifier that typescript-json-schema would put into definition names.
    module: 'ES2022',
    moduleResolution: 'Bundler',
    target: 'ES2022',
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  // Only types.ts itself must be free of errors: the kernel files it reaches through src/kernel/index.ts may be
  // mid-change, and the types this file takes from them come from uapi.ts alone.
  const typesFile = program.getSourceFile(TYPES_FILE);
  const diagnostics = typesFile ? program.getSemanticDiagnostics(typesFile) : [];
  if (!typesFile || diagnostics.length > 0) {
    const text = diagnostics.map((d) => TJS.ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    throw new Error(`generateSchemas: ${TYPES_FILE} has type errors:\n${text}`);
  }
  const settings: TJS.PartialArgs = {
    ref: true,
    aliasRef: true,
    topRef: false,
    required: true,
    noExtraProps: true,
    strictNullChecks: true,
    titles: false,
    ignoreErrors: true,
  };
  const generator = TJS.buildGenerator(program, settings, [TYPES_FILE]);
  if (!generator) throw new Error(`generateSchemas: typescript-json-schema could not read ${TYPES_FILE}`);
  const out = {} as GeneratedSchemas;
  for (const name of Object.keys(ROOTS) as (keyof typeof SCHEMA_FILES)[]) {
    const root = ROOTS[name];
    const schema = generator.getSchemaForSymbol(root.type) as unknown as SchemaObject;
    const definitions = (schema['definitions'] ?? {}) as SchemaObject;
    foldDuplicateDefinitions(schema, definitions);
    discriminateSteps(definitions);
    const { $schema, ...rest } = schema;
    const final: SchemaObject = { $schema: $schema ?? 'http://json-schema.org/draft-07/schema#', $id: root.id, title: root.title, ...rest };
    out[name] = `${JSON.stringify(final, null, 2)}\n`;
  }
  return out;
}

/**
 * Folds the copies typescript-json-schema makes of a definition (`X_1`, `X_2`, ...) back into `X`: a copy equal
 * to X, or one that only refers to X, is dropped and its references point at X; an X that only refers to its
 * copy takes the copy's body.
 */
function foldDuplicateDefinitions(schema: SchemaObject, definitions: SchemaObject): void {
  const alias = new Map<string, string>();
  for (const name of Object.keys(definitions)) {
    const m = /^(.*)_\d+$/.exec(name);
    const base = m?.[1];
    if (base === undefined || definitions[base] === undefined) continue;
    const original = definitions[base] as SchemaObject;
    const copy = definitions[name] as SchemaObject;
    const onlyRefAndDescription = (d: SchemaObject): boolean =>
      Object.keys(d).every((k) => k === '$ref' || k === 'description');
    if (JSON.stringify(original) === JSON.stringify(copy)
      || (copy['$ref'] === `#/definitions/${base}` && onlyRefAndDescription(copy))) {
      alias.set(`#/definitions/${name}`, `#/definitions/${base}`);
    } else if (original['$ref'] === `#/definitions/${name}` && onlyRefAndDescription(original)) {
      // `X: {$ref: X_1}` (an interface whose fields are all optional): X takes X_1's body.
      definitions[base] = { ...copy, ...(original['description'] !== undefined ? { description: original['description'] } : {}) };
      alias.set(`#/definitions/${name}`, `#/definitions/${base}`);
    }
  }
  const rewrite = (node: Json): void => {
    if (Array.isArray(node)) { node.forEach(rewrite); return; }
    if (node === null || typeof node !== 'object') return;
    const ref = node['$ref'];
    if (typeof ref === 'string' && alias.has(ref)) node['$ref'] = alias.get(ref) as string;
    Object.values(node).forEach(rewrite);
  };
  rewrite(schema);
  for (const ref of alias.keys()) delete definitions[ref.slice('#/definitions/'.length)];
}

/** `Step: {anyOf: [...]}` → an object with a `discriminator` on `op` and the branches in `oneOf`. */
function discriminateSteps(definitions: SchemaObject): void {
  const step = definitions['Step'] as SchemaObject | undefined;
  if (!step || !Array.isArray(step['anyOf'])) return;
  const { anyOf, ...rest } = step;
  definitions['Step'] = {
    ...rest,
    type: 'object',
    required: ['op'],
    properties: { op: { type: 'string', description: "The step's call: an ioctl or file syscall, by its kernel name." } },
    discriminator: { propertyName: 'op' },
    oneOf: anyOf,
  };
}

/**
 * The JSON Schema of `handover coverage --json` (src/coverage/types.ts `CoverageReport`), as the text written to
 * COVERAGE_SCHEMA_FILE. Deterministic: the same types give the same text.
 */
export function generateCoverageSchema(): string {
  const program = TJS.getProgramFromFiles([COVERAGE_TYPES_FILE], {
    strict: true, module: 'ES2022', moduleResolution: 'Bundler', target: 'ES2022', allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true,
  });
  const file = program.getSourceFile(COVERAGE_TYPES_FILE);
  const diagnostics = file ? program.getSemanticDiagnostics(file) : [];
  if (!file || diagnostics.length > 0) {
    throw new Error(`generateSchemas: ${COVERAGE_TYPES_FILE} has type errors:\n${diagnostics.map((d) => TJS.ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')}`);
  }
  const generator = TJS.buildGenerator(program, {
    ref: true, aliasRef: true, topRef: false, required: true, noExtraProps: true, strictNullChecks: true, titles: false, ignoreErrors: true,
  }, [COVERAGE_TYPES_FILE]);
  if (!generator) throw new Error(`generateSchemas: typescript-json-schema could not read ${COVERAGE_TYPES_FILE}`);
  const schema = generator.getSchemaForSymbol('CoverageReport') as unknown as SchemaObject;
  foldDuplicateDefinitions(schema, (schema['definitions'] ?? {}) as SchemaObject);
  const { $schema, ...rest } = schema;
  const final: SchemaObject = {
    $schema: $schema ?? 'http://json-schema.org/draft-07/schema#',
    $id: 'https://handover.invalid/schemas/coverage.schema.json',
    title: '`handover coverage --json`',
    ...rest,
  };
  return `${JSON.stringify(final, null, 2)}\n`;
}

/** Writes the schemas to SCHEMA_FILES; returns the files whose content changed. */
export function writeSchemas(schemas: GeneratedSchemas = generateSchemas()): string[] {
  const changed: string[] = [];
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    const file = SCHEMA_FILES[name];
    let old = '';
    try { old = readFileSync(file, 'utf8'); } catch { /* new file */ }
    if (old !== schemas[name]) {
      writeFileSync(file, schemas[name]);
      changed.push(file);
    }
  }
  return changed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const changed = writeSchemas();
  for (const f of Object.values(SCHEMA_FILES)) console.log(`${changed.includes(f) ? 'wrote    ' : 'unchanged'} ${f}`);
  const coverage = generateCoverageSchema();
  let old = '';
  try { old = readFileSync(COVERAGE_SCHEMA_FILE, 'utf8'); } catch { /* new file */ }
  if (old !== coverage) {
    mkdirSync(dirname(COVERAGE_SCHEMA_FILE), { recursive: true });
    writeFileSync(COVERAGE_SCHEMA_FILE, coverage);
  }
  console.log(`${old !== coverage ? 'wrote    ' : 'unchanged'} ${COVERAGE_SCHEMA_FILE}`);
}
