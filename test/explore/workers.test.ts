import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelShapeError } from '../../src/explore/loadModel.ts';
import { searchSource } from '../../src/explore/workers.ts';
import type { SearchResult } from '../../src/explore/types.ts';
import { FIXTURE_SPECS } from './fixtures/specs.ts';

/** Everything a user compares across runs: the result minus the worker count. */
function comparable(r: SearchResult<unknown, unknown>): unknown {
  return { ...r, workers: 0 };
}

describe('searchSource with worker threads', () => {
  it('gives identical results for 1, 2 and 4 workers (counts, depth, counterexamples, bounds)', async () => {
    const cases: [string, unknown[], object][] = [
      ['twoPhase', [5], {}],
      ['twoPhaseCommitReached', [4], {}],
      ['dieHard', [], {}],
      ['fan', [20_000], {}],
      ['twoPhase', [5, true], {}],
      ['twoPhase', [5], { maxStates: 5000 }],
      ['twoPhase', [5], { maxDepth: 7 }],
      ['twoPhaseCommitReached', [4], { exact: true }],
      ['chain', [40], {}],
    ];
    for (const [exp, args, opts] of cases) {
      const source = { module: FIXTURE_SPECS, export: exp, args };
      const one = await searchSource(source, { ...opts, workers: 1 });
      for (const workers of [2, 4]) {
        const many = await searchSource(source, { ...opts, workers });
        expect(many.workers).toBe(workers);
        expect(comparable(many), `${exp}(${args.join(',')}) ${JSON.stringify(opts)} with ${workers} workers`).toEqual(comparable(one));
      }
    }
  });

  it('pins the TwoPhase counts with workers too', async () => {
    const r = await searchSource({ module: FIXTURE_SPECS, export: 'twoPhase', args: [4] }, { workers: 2 });
    expect([r.verdict, r.distinctStates, r.transitions, r.maxDepth]).toEqual(['HOLDS', 1568, 8257, 13]);
  });

  it('records coverage identically across worker counts', async () => {
    // The hand-written models report nothing to the observer; the counts are then empty, and equal.
    const source = { module: FIXTURE_SPECS, export: 'twoPhase', args: [3] };
    const one = await searchSource(source, { workers: 1, observe: true });
    const two = await searchSource(source, { workers: 2, observe: true });
    expect(comparable(two)).toEqual(comparable(one));
  });

  it('a module that does not load in the workers is reported with the file named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handover-explore-'));
    const file = join(dir, 'bad.ts');
    writeFileSync(file, 'export default { machine: 42, events: [], invariants: {} };\n');
    const err = await searchSource({ module: file }, { workers: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelShapeError);
    expect((err as ModelShapeError).message).toBe(`${file}: machine: expected an XState v5 machine (createMachine(...)), got a number`);
  });
});
