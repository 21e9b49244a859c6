/**
 * Reports that cannot lie (issue 7): a planted statechart (fixtures/planted.model.ts) whose every coverage fact is
 * known, explored exhaustively and with a cut search; then merging, where covered wins and unreachable and uncovered
 * stay apart.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { explorationSource, mergeSources, type CoverageItem, type CoverageReport, type SourceResult } from '../../src/coverage/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function statusOf(report: CoverageReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [d, dim] of Object.entries(report.dimensions)) for (const i of dim.items) out[`${d}: ${i.id}`] = i.status;
  return out;
}

function item(report: CoverageReport, dim: keyof CoverageReport['dimensions'], id: string): CoverageItem {
  const found = report.dimensions[dim].items.find((i) => i.id === id);
  if (!found) throw new Error(`no ${dim} item ${id}; items: ${report.dimensions[dim].items.map((i) => i.id).join(' | ')}`);
  return found;
}

const T = {
  go: 'planted.start GO [never] -> planted.ghost',
  next: 'planted.start NEXT [always] -> planted.hop',
  hop: 'planted.hop always -> planted.landing',
  fin: 'planted.landing.l1 FIN -> planted.landing.l2',
  done: 'planted.landing xstate.done.state.planted.landing -> planted.done',
  back: 'planted.ghost BACK -> planted.done',
};

describe('a planted statechart, explored exhaustively', () => {
  let source: SourceResult;
  let report: CoverageReport;
  beforeAll(async () => {
    source = await explorationSource({ kind: 'machine', file: fixture('planted.model.ts') }, { workers: 1, graphCap: 1000 });
    report = mergeSources([source]);
  });

  it('lists every state node but the root, every transition (eventless and done ones included), each guard twice', () => {
    expect(report.dimensions.states.items.map((i) => `${i.id} ${i.detail}`)).toEqual([
      'planted.start atomic', 'planted.hop atomic', 'planted.landing compound', 'planted.landing.l1 atomic', 'planted.landing.l2 final',
      'planted.ghost parallel', 'planted.ghost.left compound', 'planted.ghost.left.x atomic', 'planted.ghost.right compound',
      'planted.ghost.right.y atomic', 'planted.done final',
    ]);
    expect(report.dimensions.transitions.items.map((i) => i.id).sort()).toEqual(Object.values(T).sort());
    expect(report.dimensions.guards.total).toBe(4);
    expect(report.dimensions.rules.total).toBe(0); // a plain statechart reports no kernel rules
  });

  it('the initial state is covered by the initial transition alone: its witness is the empty event list', () => {
    const start = item(report, 'states', 'planted.start');
    expect(start.status).toBe('covered');
    expect(start.witness).toEqual({ source: fixture('planted.model.ts'), events: [] });
  });

  it('a guard never true: its true outcome, its transition and the parallel state it leads to are unreachable, never covered', () => {
    expect(item(report, 'guards', `${T.go} : true`).status).toBe('unreachable');
    expect(item(report, 'guards', `${T.go} : false`)).toMatchObject({ status: 'covered', witness: { events: ['GO'] } });
    expect(item(report, 'transitions', T.go).status).toBe('unreachable');
    expect(item(report, 'transitions', T.back).status).toBe('unreachable');
    for (const s of ['planted.ghost', 'planted.ghost.left', 'planted.ghost.left.x', 'planted.ghost.right', 'planted.ghost.right.y']) {
      const i = item(report, 'states', s);
      expect(i.status, s).toBe('unreachable');
      expect(i.reason).toMatch(/^unreachable within the bounds of .*planted\.model\.ts: its whole reachable state space \(\d+ states, depth \d+\) was explored/);
    }
  });

  it('a guard always true: its false outcome is unreachable', () => {
    expect(item(report, 'guards', `${T.next} : true`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(report, 'guards', `${T.next} : false`).status).toBe('unreachable');
  });

  it('states entered and left within one step (eventless), and a nested final state, are covered with shortest witnesses', () => {
    expect(item(report, 'states', 'planted.hop')).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(report, 'transitions', T.hop)).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(report, 'states', 'planted.landing.l1')).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(report, 'states', 'planted.landing.l2')).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
    expect(item(report, 'transitions', T.done)).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
    expect(item(report, 'states', 'planted.done')).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
  });

  it('pairs: within a step and across steps, each with a shortest witness; impossible ones unreachable', () => {
    expect(item(report, 'pairs', `${T.next}  =>  ${T.hop}`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(report, 'pairs', `${T.hop}  =>  ${T.fin}`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
    expect(item(report, 'pairs', `${T.fin}  =>  ${T.done}`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT', 'FIN'] } });
    expect(item(report, 'pairs', `${T.go}  =>  ${T.back}`).status).toBe('unreachable');
    // t2 may follow t1 only from where t1 lands: FIN cannot follow GO.
    expect(report.dimensions.pairs.items.some((i) => i.id === `${T.go}  =>  ${T.fin}`)).toBe(false);
    const c = report.dimensions.pairs;
    expect(c.covered).toBe(3);
    expect(c.covered + c.unreachable).toBe(c.total);
  });

  it('phase paths: the simple paths from the initial phase to a final one', () => {
    expect(report.dimensions.paths.items.map((i) => [i.id, i.status, i.witness?.events])).toEqual([
      ['planted: start -> hop -> landing -> done', 'covered', ['NEXT', 'FIN']],
      ['planted: start -> ghost -> done', 'unreachable', undefined],
    ]);
  });

  it('counts add up, and nothing is uncovered in an exhaustive search', () => {
    for (const d of Object.values(report.dimensions)) {
      expect(d.covered + d.unreachable + d.uncovered + d.excluded).toBe(d.total);
      expect(d.uncovered).toBe(0);
    }
    expect(report.sources[0]!.exhaustive).toBe(true);
  });
});

describe('a cut search', () => {
  it('leaves what it did not reach uncovered, saying which bound cut it, and calls nothing unreachable', async () => {
    const cut = mergeSources([await explorationSource({ kind: 'machine', file: fixture('plantedCut.model.ts') }, { workers: 1, graphCap: 1000 })]);
    const st = statusOf(cut);
    expect(Object.values(st)).not.toContain('unreachable');
    // The search checks the steps of its last level (depth 0) to know whether deeper states exist: what they
    // exercised was exercised, with a real witness.
    expect(item(cut, 'states', 'planted.landing.l1')).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(item(cut, 'pairs', `${T.next}  =>  ${T.hop}`)).toMatchObject({ status: 'covered', witness: { events: ['NEXT'] } });
    expect(st['states: planted.landing.l2']).toBe('uncovered'); // depth 2
    expect(st['states: planted.ghost']).toBe('uncovered'); // unreachable in truth, but this search cannot know it
    expect(item(cut, 'states', 'planted.ghost').reason).toMatch(/search was cut: depth bound 0 reached/);
    expect(item(cut, 'pairs', `${T.go}  =>  ${T.back}`).reason).toMatch(/depth bound 0 cut the pair analysis/);
    expect(cut.sources[0]!.exhaustive).toBe(false);
  });

  it('a graph pass stopped by its state cap leaves pairs and paths uncovered ("pair analysis stopped at N states")', async () => {
    const capped = mergeSources([await explorationSource({ kind: 'machine', file: fixture('planted.model.ts') }, { workers: 1, graphCap: 2 })]);
    expect(capped.dimensions.pairs.unreachable).toBe(0);
    expect(capped.dimensions.paths.unreachable).toBe(0);
    expect(item(capped, 'paths', 'planted: start -> ghost -> done')).toMatchObject({ status: 'uncovered', reason: expect.stringMatching(/pair analysis stopped at 2 states/) });
    // The search itself was exhaustive: states keep their unreachable status.
    expect(item(capped, 'states', 'planted.ghost').status).toBe('unreachable');
  });
});

describe('merging sources', () => {
  const it1 = { dimension: 'states', kind: 'state', id: 'm.a', machine: 'm' } as const;
  const src = (name: string, exhaustive: boolean, status: 'covered' | 'unreachable' | 'uncovered'): SourceResult => ({
    summary: { name, kind: 'exploration', exhaustive, description: name, warnings: [] },
    items: [{ item: it1, outcome: status === 'covered' ? { status, source: name, hits: 1, witness: { source: name, events: ['E'] } } : { status, source: name, reason: `${status} by ${name}` } }],
  });

  it('covered by any source wins, with the first covering source as witness', () => {
    const r = mergeSources([src('a', true, 'unreachable'), src('b', false, 'covered'), src('c', false, 'covered')]);
    expect(r.dimensions.states.items[0]).toMatchObject({ status: 'covered', witness: { source: 'b' } });
  });

  it('unreachable only when an exhaustive source says so; uncovered and unreachable stay apart in the counts', () => {
    const r = mergeSources([src('a', false, 'uncovered'), src('b', true, 'unreachable')]);
    expect(r.dimensions.states.items[0]).toMatchObject({ status: 'unreachable', reason: 'unreachable within the bounds of b (each explored its whole world); not reached by a (cut, or not exhaustive)' });
    const u = mergeSources([src('a', false, 'uncovered'), src('c', false, 'uncovered')]);
    expect(u.dimensions.states).toMatchObject({ total: 1, uncovered: 1, unreachable: 0 });
    expect(u.sources.map((s) => s.counts.states)).toEqual([
      { total: 1, covered: 0, unreachable: 0, uncovered: 1, excluded: 0 },
      { total: 1, covered: 0, unreachable: 0, uncovered: 1, excluded: 0 },
    ]);
  });
});
