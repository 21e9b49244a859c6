import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchBfs, searchLevels } from '../../src/explore/bfs.ts';
import { ModelRunError } from '../../src/explore/errors.ts';
import { loadSearchSpec, ModelShapeError } from '../../src/explore/loadModel.ts';
import { searchSource, WorkerPool } from '../../src/explore/workers.ts';
import type { CoverageTable, SearchOptions, SearchResult, Trace } from '../../src/explore/types.ts';
import { stateJson } from '../../src/explore/verdict.ts';
import { FIXTURE_SPECS } from './fixtures/specs.ts';

const NAIVE_LOCK = new URL('./fixtures/modules/naiveLock.model.ts', import.meta.url).pathname;

/**
 * Everything a user compares across runs: the result minus the worker count, with states as the user sees them
 * (value and context: a machine state's engine caches depend on what that thread happened to compute).
 */
function comparable(r: SearchResult<unknown, unknown>): unknown {
  const trace = (t: Trace<unknown, unknown>) => ({ init: stateJson(t.init), steps: t.steps.map((s) => ({ action: s.action, state: stateJson(s.state) })) });
  const table = (t: CoverageTable<unknown, unknown>) => ({
    hits: t.hits,
    witnesses: t.witnesses.map((w) => (w ? { trace: trace(w.trace), action: w.action } : undefined)),
  });
  return {
    ...r,
    workers: 0,
    ...(r.verdict === 'VIOLATED' ? { violations: r.violations.map((v) => ({ invariant: v.invariant, trace: trace(v.trace) })) } : {}),
    ...(r.coverage
      ? { coverage: { transitions: table(r.coverage.transitions), guards: table(r.coverage.guards), states: table(r.coverage.states) } }
      : {}),
  };
}

describe('searchSource with worker threads', () => {
  it('gives identical results for 1, 2 and 4 workers (counts, depth, counterexamples, bounds)', async () => {
    // One pool per (source, worker count), reused across option sets: a worker takes ~0.7 s to start.
    const cases: [string, unknown[], SearchOptions[]][] = [
      ['twoPhaseCommitReached', [4], [{}, { maxStates: 700 }, { maxDepth: 7 }, { exact: true }]],
      ['fan', [20_000], [{}, { exact: true }]],
      ['twoPhase', [5, true], [{}]],
      ['chain', [40], [{}]],
    ];
    for (const [exp, args, optionSets] of cases) {
      const source = { module: FIXTURE_SPECS, export: exp, args };
      const spec = await loadSearchSpec(source);
      for (const workers of [2, 4]) {
        const pool = await WorkerPool.start(source, workers, {}, spec);
        try {
          for (const opts of optionSets) {
            const one = await searchBfs(spec, opts);
            const many = await searchLevels(spec, opts, pool);
            expect(many.workers).toBe(workers);
            expect(comparable(many), `${exp}(${args.join(',')}) ${JSON.stringify(opts)} with ${workers} workers`).toEqual(comparable(one));
          }
        } finally {
          await pool.close();
        }
      }
    }
  });

  it('pins the TwoPhase counts with workers too', async () => {
    const r = await searchSource({ module: FIXTURE_SPECS, export: 'twoPhase', args: [4] }, { workers: 2, onlyWorkers: true });
    expect([r.verdict, r.distinctStates, r.transitions, r.maxDepth]).toEqual(['HOLDS', 1568, 8257, 13]);
  });

  it('records coverage (hits and shortest witnesses) identically across worker counts', async () => {
    const source = { module: NAIVE_LOCK };
    const one = await searchSource(source, { workers: 1, observe: true });
    const two = await searchSource(source, { workers: 2, observe: true, onlyWorkers: true });
    expect(comparable(two)).toEqual(comparable(one));
    const cov = one.coverage!;
    // Every state node of the lock machine is entered; its witnesses are shortest paths.
    expect(cov.states.hits.filter((h) => h > 0).length).toBeGreaterThanOrEqual(7);
    const critical = cov.transitions.witnesses.map((w) => (w ? w.trace.steps.length + (w.action ? 1 : 0) : -1));
    expect(Math.max(...critical)).toBe(3);
  });

  it('with default options, small levels run on the calling thread and large ones on the workers: same result', async () => {
    const source = { module: FIXTURE_SPECS, export: 'fan', args: [20_000] };
    const one = await searchSource(source, { workers: 1 });
    const hybrid = await searchSource(source, { workers: 2 });
    expect(comparable(hybrid)).toEqual(comparable(one));
  });

  it('a model that throws in a worker is reported as on one thread: with the trace to the state', async () => {
    const source = { module: FIXTURE_SPECS, export: 'chainThatThrows', args: [50, 30] };
    for (const workers of [1, 2]) {
      const err = await searchSource(source, { workers, onlyWorkers: true }).catch((e: unknown) => e);
      expect(ModelRunError.isModelRunError(err), `${workers} workers`).toBe(true);
      const e = err as ModelRunError<number, string>;
      expect(e.message).toBe('the model threw in invariant fussy at depth 30: cannot judge 30');
      expect(e.trace?.steps.at(-1)?.state).toBe(30);
    }
  });

  it('a stop requested while the workers run ends the search as INCOMPLETE (time)', async () => {
    const source = { module: FIXTURE_SPECS, export: 'fan', args: [400_000] };
    const r = await searchSource(source, { workers: 2, onlyWorkers: true, onProgress: () => ({ stop: 'time' }) });
    expect(r.verdict).toBe('INCOMPLETE');
    if (r.verdict === 'INCOMPLETE') expect(r.bound.kind).toBe('time');
    expect(r.distinctStates).toBeLessThan(800_001);
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
