/**
 * Where the generated JSON Schemas are committed (written by `npm run schemas`, see generateSchemas.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The committed schemas, by name: the trace format, and one line of `handover replay --json`. */
export const SCHEMA_FILES = {
  trace: join(here, 'schemas', 'trace.schema.json'),
  replay: join(here, 'schemas', 'replay.schema.json'),
} as const;
