/**
 * The committed schemas are what `npm run schemas` generates from types.ts now (run it and commit when this
 * fails), and the replay output conforms to its own schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { generateSchemas } from '../../src/trace/generateSchemas.ts';
import { SCHEMA_FILES } from '../../src/trace/schemaFiles.ts';
import { loadTraceText } from '../../src/trace/load.ts';
import { replayTrace } from '../../src/trace/runner.ts';
import { fakeApi } from './fakeKernel.ts';

describe('generated schemas', () => {
  const generated = generateSchemas();

  it.each(Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[])('%s schema is up to date (else: npm run schemas)', (name) => {
    expect(readFileSync(SCHEMA_FILES[name], 'utf8')).toBe(generated[name]);
  });

  it('tells steps apart by op and keeps the u64 annotations', () => {
    const schema = JSON.parse(generated.trace) as { definitions: Record<string, Record<string, unknown>> };
    expect(schema.definitions['Step']?.['discriminator']).toEqual({ propertyName: 'op' });
    expect(schema.definitions['U64Value']).toMatchObject({
      type: ['integer', 'string'], pattern: '^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,20})$', minimum: 0, maximum: 9007199254740991,
    });
    // No copies left by the generator (X_1) and no anonymous types.
    expect(Object.keys(schema.definitions).filter((k) => /_\d+$|^__/.test(k))).toEqual([]);
  });

  it('describes every line replay --json writes', () => {
    const validate = new Ajv({ allowUnionTypes: true, strictTypes: false }).compile(JSON.parse(generated.replay) as object);
    const loaded = loadTraceText('t', JSON.stringify({
      'handover-trace': 1, config: { devices: [{ name: 'dev0' }] }, steps: [
        { op: 'IOMMU_IOAS_ALLOC', as: 'a', expect: 'ok' },
        { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: 4096, flags: ['FIXED_IOVA', 'READABLE'], iova: '0x666000', expect_out: { iova: 1 } },
        { op: 'IOMMU_IOAS_UNMAP', ioas_id: 'a', iova: 0, length: '0xbad' },
        { op: 'IOMMU_IOAS_MAP', ioas_id: 'a', user_va: 0, length: '0xdead', expect: 'ok' },
      ],
    }));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const report = replayTrace(loaded.trace, fakeApi());
    const lines = [...report.lines, { file: report.file, summary: report.summary }];
    for (const line of lines) {
      expect(validate(JSON.parse(JSON.stringify(line))), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(lines.map((l) => ('result' in l ? l.result : 'summary'))).toEqual(['ok', 'ok', 'EBUSY', 'NOT_MODELLED', 'summary']);
  });
});
