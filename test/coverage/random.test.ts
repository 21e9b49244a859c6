/**
 * The deep random runs as a coverage source (issue 7): on the planted statechart, runs given as event lists cover
 * what they take, with the shortest prefix over all runs as the witness, and leave the rest `uncovered` ("not
 * reached in N random runs"), never unreachable; merged with an exhaustive exploration, covered wins and unreachable
 * comes only from the exhaustive source. On an S4 random world (src/random), a witness written as a trace replays
 * with `handover replay` to the rule it witnesses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explorationSource, loadCoverageTarget, mergeSources, randomSource, s4RandomSource, type CoverageItem, type CoverageReport, type SourceResult } from '../../src/coverage/index.ts';
import { KERNEL_API, loadTraceFile, replayTrace } from '../../src/trace/index.ts';

const root = join(import.meta.dirname, '../..');
const planted = fileURLToPath(new URL('./fixtures/planted.model.ts', import.meta.url));

function item(report: CoverageReport, dim: keyof CoverageReport['dimensions'], id: string): CoverageItem {
  const found = report.dimensions[dim].items.find((i) => i.id === id);
  if (!found) throw new Error(`no ${dim} item ${id}`);
  return found;
}

const T = {
  go: 'planted.start GO [never] -> planted.ghost',
  next: 'planted.start NEXT [always] -> planted.hop',
  hop: 'planted.hop always -> planted.landing',
  fin: 'planted.landing.l1 FIN -> planted.landing.l2',
};

describe('a random source on the planted statechart', () => {
  let random: SourceResult;
  let alone: CoverageReport;
  beforeAll(async () => {
    const target = await loadCoverageTarget({ kind: 'machine', file: planted, name: 'planted' });
    // Two "random runs" (event lists as the runs took them): the first to the end, the second one step.
    const runs = [[{ type: 'NEXT' }, { type: 'FIN' }], [{ type: 'NEXT' }]];
    random = randomSource({ ...target, name: 'random:planted' }, runs, { description: 'planted runs' });
    alone = mergeSources([random]);
  });

  it('covers what the runs took, each with the run prefix up to where it was first reached', () => {
    expect(random.summary).toMatchObject({ kind: 'random', exhaustive: false });
    expect(item(alone, 'states', 'planted.start')).toMatchObject({ status: 'covered', witness: { source: 'random:planted', events: [] } });
    expect(item(alone, 'states', 'planted.landing.l2')).toMatchObject({ status: 'covered', hits: 1, witness: { events: ['NEXT', 'FIN'] } });
    expect(item(alone, 'states', 'planted.done')).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
    expect(item(alone, 'transitions', T.hop)).toMatchObject({ status: 'covered', hits: 2, witness: { events: ['NEXT'] } });
    expect(item(alone, 'guards', `${T.next} : true`)).toMatchObject({ status: 'covered', hits: 2, witness: { events: ['NEXT'] } });
    expect(item(alone, 'pairs', `${T.next}  =>  ${T.hop}`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(alone, 'paths', 'planted: start -> hop -> landing -> done')).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
  });

  it('leaves the rest uncovered, "not reached in N random runs", never unreachable', () => {
    const ghost = item(alone, 'states', 'planted.ghost');
    expect(ghost.status).toBe('uncovered');
    expect(ghost.reason).toMatch(/^not reached in 2 random runs \(planted runs; random runs are not exhaustive\)$/);
    expect(item(alone, 'guards', `${T.go} : true`).status).toBe('uncovered');
    expect(item(alone, 'guards', `${T.next} : false`).status).toBe('uncovered');
    for (const d of Object.values(alone.dimensions)) expect(d.unreachable).toBe(0);
    expect(alone.dimensions.states.uncovered).toBeGreaterThan(0);
  });

  it('merged with an exhaustive exploration: covered wins, unreachable only from the exhaustive source', async () => {
    const exhaustive = await explorationSource({ kind: 'machine', file: planted }, { workers: 1, graphCap: 1000 });
    const merged = mergeSources([random, exhaustive]);
    // Covered by both: the first source's witness.
    expect(item(merged, 'states', 'planted.landing.l2')).toMatchObject({ status: 'covered', witness: { source: 'random:planted' } });
    // Not reached by the runs, unreachable for the exhaustive search: unreachable, naming both.
    const ghost = item(merged, 'states', 'planted.ghost');
    expect(ghost.status).toBe('unreachable');
    expect(ghost.reason).toContain('not reached by random:planted');
    // The exhaustive source's unreachable never comes from the random one: the random source alone said uncovered.
    expect(merged.dimensions.states.unreachable).toBe(mergeSources([exhaustive]).dimensions.states.unreachable);
  });

  it('a step the compiled model does not take is an error, not skipped', async () => {
    const target = await loadCoverageTarget({ kind: 'machine', file: planted });
    expect(() => randomSource(target, [[{ type: 'NEXT' }], [{ type: 'NEXT' }, { type: 'GO' }]], { description: 'x' })).toThrow(/random run 2, step 2 \(GO\): the compiled model takes no transition/);
  });
});

describe('a random source on an S4 random world', () => {
  let dir: string;
  let report: CoverageReport;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coverage-random-'));
    report = mergeSources([s4RandomSource({ variant: 'hardened', deviations: 10 }, { runs: 6, seed: 7, outDir: dir })]);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the world, the runs and the seed; nothing is unreachable', () => {
    expect(report.sources[0]!.name).toBe('random:s4-hardened-adv10-64p-2dev');
    expect(report.sources[0]!.description).toMatch(/^6 random runs \(s4-hardened-adv10-64p-2dev, fast-check seed 7, at most 80 steps each\): \d+ steps/);
    for (const d of Object.values(report.dimensions)) expect(d.unreachable).toBe(0);
    expect(item(report, 'rules', 'iommufd_test_add_reserved:ok')).toMatchObject({ status: 'uncovered', reason: expect.stringMatching(/^not reached in 6 random runs/) });
  });

  it('a rule witness replays with handover replay to that rule at its last step', () => {
    const rules = report.dimensions.rules.items.filter((i) => i.status === 'covered');
    expect(rules.length).toBeGreaterThan(5);
    const longest = rules.reduce((a, b) => (b.witness!.events!.length > a.witness!.events!.length ? b : a));
    const file = longest.witness!.trace!;
    const r = spawnSync(process.execPath, ['src/cli/handover.js', 'replay', join(process.cwd(), file)], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).not.toBe(2);
    const loaded = loadTraceFile(join(process.cwd(), file));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const replay = replayTrace(loaded.trace, KERNEL_API);
    expect(replay.lines.length).toBe(longest.witness!.events!.length);
    expect(replay.lines[replay.lines.length - 1]!.rule).toBe(longest.id);
  });
});
