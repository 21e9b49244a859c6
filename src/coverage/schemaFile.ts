/** Where the JSON Schema of `handover coverage --json` is committed (generated from types.ts by `npm run schemas`). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COVERAGE_SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), 'schemas', 'coverage.schema.json');

/** The TypeScript file the schema is generated from. */
export const COVERAGE_TYPES_FILE = join(dirname(fileURLToPath(import.meta.url)), 'types.ts');
