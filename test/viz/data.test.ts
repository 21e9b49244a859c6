/**
 * What `handover viz` computes on the server, without a browser: the counterexamples of three S4 proofs replay
 * through their proof's statechart (the machine's kernel equals the trace's after every step), the phase derived from
 * the kernel state for traces that come from no proof agrees with the statechart's phase at every step of them, and
 * the page tables mark what differs from the preserved translations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROOFS } from '../../src/verify/index.ts';
import { DEFAULT_CACHE, VizData } from '../../src/viz/data.ts';

const PROOFS = ['s4-proposed-adversarial-same', 's4-proposed-rollback-no-iommu', 's4-proposed-bbm-leaf-sizes'];

describe('viz data', () => {
  let data: VizData;

  beforeAll(async () => {
    data = await VizData.load({ proofsDir: DEFAULT_PROOFS, proofNames: PROOFS, traceFiles: [], workers: 1, cache: false, cacheDir: DEFAULT_CACHE });
  }, 300_000);

  afterAll(() => data?.dispose());

  it('lists a counterexample for every VIOLATED verdict, opening at its failing step', () => {
    const cx = [...data.traces.values()].filter((t) => t.kind === 'counterexample').map((t) => t.id).sort();
    const violated = data.computed.proofs.flatMap((p) => Object.entries(p['invariants'] as Record<string, { verdict: string }>)
      .filter(([, v]) => v.verdict === 'VIOLATED').map(([inv]) => `cx/${p.name}/${inv}`)).sort();
    expect(cx).toEqual(violated);
    for (const id of ['cx/s4-proposed-adversarial-same/reconstruction-equivalent', 'cx/s4-proposed-rollback-no-iommu/fail-stop', 'cx/s4-proposed-bbm-leaf-sizes/dma-never-faults']) {
      expect(cx).toContain(id);
    }
    for (const c of data.computed.counterexamples) {
      expect(data.traces.get(`cx/${c.proof}/${c.invariant}`)!.focus).toBe(c.failingStep >= 0 ? c.failingStep : c.steps - 1);
    }
  });

  it("replays each counterexample through its proof's statechart, and the derived phase agrees with the machine's at every step", async () => {
    for (const t of [...data.traces.values()].filter((x) => x.kind === 'counterexample')) {
      const a = (await data.trace(t.id))!;
      expect(a.summary.mode, `${t.id}: ${a.summary.note}`).toBe('statechart');
      const machinePhases = a.summary.steps.filter((s) => s.ran).map((s) => s.phase);
      expect(machinePhases.length).toBeGreaterThan(10);
      expect([...a.derivedPhases()], t.id).toEqual(machinePhases);
      // The failing step breaks the invariant and is where the counterexample opens (a deadlock has none).
      if (t.invariant !== 'no-deadlock') expect(a.summary.steps[t.focus!]!.violations).toContain(t.invariant);
    }
  });

  it('marks the difference at the failing steps: a one-page-off rebuild, and a lost translation after a rollback', async () => {
    const recon = (await data.trace('cx/s4-proposed-adversarial-same/reconstruction-equivalent'))!.detail(23)!;
    const kinds = recon.tables.columns.map((c) => c.kind);
    expect(kinds).toEqual(['preserved', 'restored', 'ioas', 'hwpt', 'hardware']);
    expect(recon.tables.rows.map((r) => [r.iova, r.pages, r.diff, r.cells.map((c) => c?.frame ?? '')])).toEqual([
      ['0x100001000', 15, true, ['guest:0..guest:14', 'guest:0..guest:14', 'guest:1..guest:15', 'guest:1..guest:15', 'guest:1..guest:15']],
      ['0x100010000', 1, true, ['guest:15', 'guest:15', 'nothing', 'nothing', 'nothing']],
    ]);
    expect(recon.active.transitions.length).toBe(1);
    const lost = (await data.trace('cx/s4-proposed-rollback-no-iommu/dma-never-faults'))!;
    const at = lost.detail(lost.entry.focus!)!;
    expect(lost.summary.steps[lost.entry.focus!]!.op).toBe('KEXEC');
    expect(at.phase).toBe('translationLost');
    const hw = at.tables.columns.findIndex((c) => c.id === 'hw:dev0');
    expect(at.tables.columns[hw]!.title).toContain('no translation');
    expect(at.tables.rows.every((r) => r.diff && r.cells[hw]?.frame === 'nothing')).toBe(true);
    // A leaf-size finding shows the leaf sizes of the tables side by side.
    const bbm = (await data.trace('cx/s4-proposed-bbm-leaf-sizes/dma-never-faults'))!;
    const leaves = bbm.detail(bbm.entry.focus!)!.tables.rows.flatMap((r) => r.cells.map((c) => c?.leaf ?? '')).filter((l) => l !== '');
    expect(new Set(leaves).size).toBeGreaterThan(1);
  });
});
