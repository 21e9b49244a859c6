/**
 * The committed coverage schema is what `npm run schemas` generates from src/coverage/types.ts now (run it and commit
 * when this fails), and a real report conforms to it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { generateCoverageSchema } from '../../src/trace/generateSchemas.ts';
import { COVERAGE_SCHEMA_FILE } from '../../src/coverage/schemaFile.ts';
import { corpusSource, explorationSource, mergeSources } from '../../src/coverage/index.ts';

describe('the coverage schema', () => {
  const generated = generateCoverageSchema();

  it('is up to date (else: npm run schemas)', () => {
    expect(readFileSync(COVERAGE_SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('describes a report: an exploration and the corpus merged', async () => {
    const file = fileURLToPath(new URL('./fixtures/planted.model.ts', import.meta.url));
    const corpus = fileURLToPath(new URL('../../proofs/conformance', import.meta.url));
    const report = mergeSources([
      await explorationSource({ kind: 'machine', file }, { workers: 1, graphCap: 100 }),
      corpusSource(corpus, 'proofs/conformance'),
    ]);
    const validate = new Ajv({ allowUnionTypes: true, strictTypes: false }).compile(JSON.parse(generated) as object);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const bad = JSON.parse(JSON.stringify(report)) as { dimensions: { states: { items: { status: string }[] } } };
    bad.dimensions.states.items[0]!.status = 'maybe';
    expect(validate(bad)).toBe(false);
  });
});
