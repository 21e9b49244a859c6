/**
 * Coverage of a shipped proof (s4-proposed-faithful-same, the smallest): every witness written as a trace replays
 * through the kernel model to the item it witnesses (a rule's trace ends on that rule), the kernel rules a step
 * produces are counted through the explorer's observer on worker threads exactly as on one thread, and the report
 * is the same for any number of workers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explorationSource, mergeSources, type CoverageReport } from '../../src/coverage/index.ts';
import { DEFAULT_PROOFS, findProofFiles, loadProofs } from '../../src/verify/index.ts';
import { KERNEL_API, loadTraceFile, replayTrace } from '../../src/trace/index.ts';
import { S4_COVERAGE } from '../../proofs/s4-hitless-replace/common.ts';

const NAME = 's4-proposed-faithful-same';

describe(`coverage of the proof ${NAME}`, () => {
  let dir: string;
  let one: CoverageReport;
  let file: string;
  beforeAll(async () => {
    const proofs = await loadProofs(findProofFiles(DEFAULT_PROOFS));
    file = proofs.find((p) => p.proof.name === NAME)!.file;
    dir = mkdtempSync(join(tmpdir(), 'coverage-proof-'));
    one = mergeSources([await explorationSource({ kind: 'proof', file }, { workers: 1, graphCap: 10_000, outDir: dir })]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers kernel rules, each with a witness trace that replays to that rule at its last step', () => {
    const rules = one.dimensions.rules.items.filter((i) => i.status === 'covered');
    expect(rules.map((r) => r.id)).toContain('kernel_kexec:ok');
    expect(rules.map((r) => r.id)).toContain('luo_file_freeze:failed');
    for (const r of rules) {
      const loaded = loadTraceFile(r.witness!.trace!);
      if (!loaded.ok) throw new Error(`${r.witness!.trace}: ${JSON.stringify(loaded.errors)}`);
      const replay = replayTrace(loaded.trace, KERNEL_API);
      expect(replay.lines.length, r.id).toBe(r.witness!.events!.length);
      expect(replay.lines[replay.lines.length - 1]!.rule, r.witness!.trace).toBe(r.id);
    }
    // Not covered by this proof's world: unreachable within its bounds (the search was exhaustive), never uncovered.
    expect(one.dimensions.rules.uncovered).toBe(0);
    // not-modelled, and the rules of calls no S4 VMM issues (the proof's coverage.exclude).
    expect(one.dimensions.rules.excluded).toBe(1 + S4_COVERAGE.exclude!.length);
  });

  it('witness traces of states replay as far as their event lists go', () => {
    for (const s of one.dimensions.states.items.filter((i) => i.status === 'covered')) {
      const loaded = loadTraceFile(s.witness!.trace!);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      expect(replayTrace(loaded.trace, KERNEL_API).lines.length).toBe(s.witness!.events!.length);
    }
  });

  it('is the same report on two worker threads as on one', async () => {
    const two = mergeSources([await explorationSource({ kind: 'proof', file }, { workers: 2, onlyWorkers: true, graphCap: 10_000 })]);
    const strip = (r: CoverageReport) => JSON.stringify(r.dimensions, (k, v: unknown) => (k === 'trace' ? undefined : v));
    expect(strip(two)).toBe(strip(one));
  });
});
