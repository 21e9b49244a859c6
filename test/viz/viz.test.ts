/**
 * `handover viz` in headless Chromium (Debian's `chromium`, driven by playwright-core; no browser is downloaded),
 * against one server started as a user starts it, with two proofs (S4 as posted against an adversarial VMM, and
 * hardened with the faithful one) and a user's trace: each view opens; the S4 counterexample steps through with the
 * statechart's active states highlighted and the difference marked at its failing step; a shared URL lands on the
 * same step; the coverage colours are those of `handover coverage --json` for the same proofs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CLI, REPO, startViz, type VizProcess } from './server.ts';

const PROOF = 's4-proposed-adversarial-same';
const OTHER = 's4-hardened-faithful-same';
const CX = `cx/${PROOF}/reconstruction-equivalent`;
const PROPOSED = 's4-hitless-replace/proposed';
const USER_TRACE = 'test/fixtures/liveupdate/lu-rebuilt-offset.trace.json';

describe('handover viz in Chromium', () => {
  let viz: VizProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const offsite: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    viz = await startViz(['--no-cache', '--proof', PROOF, '--proof', OTHER, '--trace', USER_TRACE]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    // The machine is shared (2 cores, other suites in parallel): wait longer than playwright's 30 s before failing.
    page.setDefaultTimeout(90_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith(viz.url) && r.url() !== 'about:blank') offsite.push(r.url()); });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await viz?.stop();
  }, 30_000);

  /** Opens the page afresh at `#hash` (a full load, not a same-document hash change). */
  const open = async (hash: string): Promise<void> => {
    await page.goto('about:blank');
    await page.goto(`${viz.url}#${hash}`);
    await page.waitForSelector('body[data-ready="1"]');
  };
  const attr = (sel: string, name: string) => page.locator(sel).getAttribute(name);
  /** The S4 counterexample as the server summarises it: its failing step and its steps' ops and results. */
  const cxSummary = async () => (await (await fetch(`${viz.url}api/trace?id=${encodeURIComponent(CX)}`)).json()) as { focus: number; steps: { op: string; result: string }[] };

  it('prints the URL first, on 127.0.0.1, and the page loads nothing from anywhere else', async () => {
    expect(viz.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await open('view=verdicts');
    expect(offsite).toEqual([]);
  });

  it('Verdicts: the proof x invariant table, goals, and VIOLATED cells linking to their counterexamples', async () => {
    await open('view=verdicts');
    await page.waitForSelector('table.verdicts');
    expect(await page.locator('tr[data-proof]').count()).toBe(2);
    const recon = page.locator(`tr[data-proof="${PROOF}"] td[data-invariant="reconstruction-equivalent"]`);
    expect(await recon.getAttribute('class')).toContain('v-VIOLATED');
    const { focus, steps } = await cxSummary();
    expect(await recon.textContent()).toMatch(new RegExp(`VIOLATED ${steps.filter((x) => x.op !== 'DMA').length}`));
    expect(await page.locator(`tr[data-proof="${PROOF}"] td[data-invariant="finish-gated"]`).textContent()).toBe('HOLDS');
    expect(await page.locator(`tr[data-proof="${OTHER}"] td.v-VIOLATED`).count()).toBe(0);
    expect(await page.locator(`tr[data-proof="${PROOF}"] td.goals`).textContent()).toContain('finished REACHED (25)');
    expect(await page.locator(`tr[data-proof="${OTHER}"] td.goals`).textContent()).toContain('refused UNREACHED');
    // The cell opens the counterexample at its failing step.
    await recon.locator('a').click();
    await page.waitForSelector(`#step-head[data-step="${focus}"]`);
    expect(page.url()).toContain(`trace=${encodeURIComponent(CX)}`);
    expect(page.url()).toContain(`step=${focus}`);
  });

  it('Statecharts: each strategy variant nested (parallel regions, compound phases), grouped edges, collapse and expand, a side pane with guards, actions and rules', async () => {
    await open(`view=chart&machine=${encodeURIComponent(PROPOSED)}`);
    await page.waitForSelector('svg.chart');
    const machines = await page.locator('#machine option').allTextContents();
    expect(machines.sort()).toEqual(['s4-hitless-replace/hardened', PROPOSED].sort());
    for (const phase of ['running', 'preserving', 'restored', 'retrieving', 'replaced', 'finished', 'refused']) {
      expect(await page.locator(`g.node[data-id="${PROPOSED}.lifecycle.${phase}"]`).count()).toBe(1);
    }
    expect(await attr(`g.node[data-id="${PROPOSED}"]`, 'class')).toContain('parallel');
    expect(await attr(`g.node[data-id="${PROPOSED}.lifecycle"]`, 'class')).toContain('container');
    // One edge per (source, targets), each grouping the transitions between them (hundreds of definitions, a few
    // dozen edges and badges).
    const edges = await page.$$eval('g.edge', (els) => els.map((e) => `${e.getAttribute('data-source')} -> ${e.getAttribute('data-targets')}`));
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges).toContain(`${PROPOSED}.lifecycle.retrieving -> ${PROPOSED}.lifecycle.replaced`);
    expect(edges).toContain(`${PROPOSED}.dma.running -> ${PROPOSED}.dma.done`);
    const grouped = await page.$$eval('g.edge, g.loop', (els) => els.reduce((n, e) => n + (JSON.parse(e.getAttribute('data-ids') ?? '[]') as string[]).length, 0));
    expect(grouped).toBeGreaterThan(10 * edges.length);
    expect(await page.locator('g.edge text').first().textContent()).toMatch(/\[\w+->\w+\]/);
    // Collapse the lifecycle region, then expand it again; the URL keeps it.
    await page.click(`g.toggle[data-toggle="${PROPOSED}.lifecycle"]`);
    await page.waitForSelector(`g.node.collapsed[data-id="${PROPOSED}.lifecycle"]`);
    expect(await page.locator(`g.node[data-id="${PROPOSED}.lifecycle.running"]`).count()).toBe(0);
    expect(page.url()).toContain(`collapsed=${encodeURIComponent(`${PROPOSED}.lifecycle`)}`);
    expect(await page.locator(`g.loop[data-node="${PROPOSED}.lifecycle"]`).count()).toBe(1);
    await page.click(`g.toggle[data-toggle="${PROPOSED}.lifecycle"]`);
    await page.waitForSelector(`g.node[data-id="${PROPOSED}.lifecycle.running"]`);
    // Select the retrieving -> replaced edge: its transitions, guard, action, and the kernel rules of its ops.
    const edge = page.locator('g.edge', { has: page.locator('text', { hasText: '[retrieving->replaced]' }) });
    await edge.locator('text').click();
    await page.waitForSelector('.side .tr');
    const side = await page.locator('.side').textContent();
    expect(side).toContain('VFIO_DEVICE_ATTACH_IOMMUFD_PT [retrieving->replaced]');
    expect(side).toContain('step(phase=retrieving)');
    await page.locator('.side details', { hasText: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT:' }).locator('summary').click();
    expect(await page.locator('.side li[data-rule="iommufd_device_attach:ok-hwpt"]').count()).toBe(1);
    expect(page.url()).toMatch(/sel=e%3Ag\d+/);
  });

  it('Coverage: the colours of states, edges and loop badges are those of `handover coverage --json` for the same proofs', async () => {
    const r = spawnSync(process.execPath, [CLI, 'coverage', '--json', '--proof', PROOF, '--proof', OTHER], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 30 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { dimensions: Record<string, { items: { id: string; status: string; machine?: string }[] }> };
    const status = new Map<string, string>();
    for (const d of ['states', 'transitions']) for (const i of report.dimensions[d]!.items) status.set(i.id, i.status);
    const aggregate = (ids: string[]): string => ['covered', 'unreachable', 'uncovered', 'excluded'].find((s) => ids.some((id) => status.get(id) === s))!;
    const fills: Record<string, string> = { covered: 'rgb(220, 243, 228)', unreachable: 'rgb(230, 226, 247)', uncovered: 'rgb(251, 231, 210)', excluded: 'rgb(238, 238, 238)' };
    let checkedStates = 0;
    let checkedEdges = 0;
    const seen = new Set<string>();
    for (const machine of [PROPOSED, 's4-hitless-replace/hardened']) {
      await open(`view=coverage&machine=${encodeURIComponent(machine)}`);
      await page.waitForSelector('svg.chart.coverage');
      const nodes = await page.$$eval('g.node', (els) => els.map((e) => ({
        id: e.getAttribute('data-id')!, status: e.getAttribute('data-status'),
        fill: (e.ownerDocument.defaultView as unknown as { getComputedStyle(x: unknown): { fill: string } }).getComputedStyle(e.querySelector('rect.box')).fill,
      })));
      for (const n of nodes) {
        if (n.id === machine) continue; // the root is no coverage item
        expect(status.has(n.id), n.id).toBe(true);
        expect(n.status, n.id).toBe(status.get(n.id));
        expect(n.fill, n.id).toBe(fills[n.status!]);
        checkedStates++;
        if (n.status) seen.add(n.status);
      }
      const groups = await page.$$eval('g.edge, g.loop', (els) => els.map((e) => ({ status: e.getAttribute('data-status'), ids: JSON.parse(e.getAttribute('data-ids') ?? '[]') as string[] })));
      for (const g of groups) {
        for (const id of g.ids) expect(status.has(id), id).toBe(true);
        expect(g.status).toBe(aggregate(g.ids));
        checkedEdges++;
      }
      // Every transition of the machine is in exactly one edge or badge.
      const members = groups.flatMap((g) => g.ids);
      expect(new Set(members).size).toBe(members.length);
      expect(members.length).toBe(report.dimensions['transitions']!.items.filter((i) => i.machine === machine).length);
    }
    expect(checkedStates).toBeGreaterThan(20);
    expect(checkedEdges).toBeGreaterThan(30);
    expect([...seen].sort()).toEqual(['covered', 'unreachable']);
    // The item list links a covered item to its witness trace in the stepper.
    await open(`view=coverage&machine=${encodeURIComponent(PROPOSED)}&dim=states&status=covered`);
    const row = page.locator(`tr[data-item="${PROPOSED}.lifecycle.replaced"]`);
    await row.locator('a.witness').click();
    await page.waitForSelector('#step-head');
    const p = new URL(page.url()).hash;
    expect(p).toContain('view=trace');
    expect(p).toMatch(/trace=w%2F/);
    expect(await page.locator('#phase').textContent()).toBe('replaced');
  });

  it('Trace: steps through the S4 counterexample with the active states highlighted, and marks the difference at the failing step', async () => {
    await open(`view=trace&trace=${encodeURIComponent(CX)}&step=0`);
    await page.waitForSelector('#step-head[data-step="0"]');
    expect(await page.locator('#mode-note').getAttribute('data-mode')).toBe('statechart');
    // The lifecycle phase at each step, from what the steps do: the first preserve, the kexec, the first retrieve,
    // the replace (the failing step).
    const { focus, steps } = await cxSummary();
    const firstOk = (op: string) => steps.findIndex((x) => x.op === op && x.result === 'ok');
    const [pr, kx, rt] = [firstOk('LIVEUPDATE_SESSION_PRESERVE_FD'), firstOk('KEXEC'), firstOk('LIVEUPDATE_SESSION_RETRIEVE_FD')];
    expect(pr < kx && kx < rt && rt < focus).toBe(true);
    expect(steps[focus]!.op).toBe('VFIO_DEVICE_ATTACH_IOMMUFD_PT');
    const expected = (i: number): string => (i < pr ? 'running' : i < kx ? 'preserving' : i < rt ? 'restored' : i < focus ? 'retrieving' : 'replaced');
    await page.waitForSelector('svg.chart g.node.active');
    for (let i = 0; i <= focus; i++) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      await page.waitForSelector(`#step-head[data-step="${i}"]`);
      await page.waitForFunction(`document.querySelector('.steprow.sel')?.getAttribute('data-step') === '${i}'`);
      const active = await page.$$eval('svg.chart g.node.active', (els) => els.map((e) => e.getAttribute('data-id')).sort());
      expect(active, `step ${i}`).toEqual([PROPOSED, `${PROPOSED}.dma`, `${PROPOSED}.dma.running`, `${PROPOSED}.lifecycle`, `${PROPOSED}.lifecycle.${expected(i)}`].sort());
    }
    expect(page.url()).toContain(`step=${focus}`);
    // The replace took the retrieving -> replaced transition.
    const taken = await page.$$eval('svg.chart g.edge.taken text', (els) => els.map((e) => e.textContent));
    expect(taken).toEqual([expect.stringContaining('[retrieving->replaced]')]);
    // The failing step names both violations.
    expect(await page.locator('[data-violation="reconstruction-equivalent"]').count()).toBe(1);
    expect(await page.locator('[data-violation="dma-never-faults"]').count()).toBe(1);
    // Page tables side by side: the rebuilt IOAS, its HWPT and the hardware are one page off from the preserved
    // translation (guest:1.. where guest:0.. was), and the last page is not mapped at all.
    const first = page.locator('table.pt tr[data-iova="0x100001000"]');
    expect(await first.getAttribute('class')).toBe('diff');
    const col = (tr: typeof first, id: string) => tr.locator(`td[data-col="${id}"]`);
    expect(await col(first, 'preserved:dev0').textContent()).toContain('guest:0..guest:14');
    expect(await col(first, 'preserved:dev0').getAttribute('class')).toBe('');
    for (const c of ['hw:dev0']) {
      expect(await col(first, c).textContent()).toContain('guest:1..guest:15');
      expect(await col(first, c).getAttribute('class')).toBe('differs');
    }
    const rebuilt = await first.locator('td.differs').allTextContents();
    expect(rebuilt.length).toBe(3); // the rebuilt IOAS's areas, its HWPT's domain, the hardware walk
    const last = page.locator('table.pt tr[data-iova="0x100010000"]');
    expect(await last.getAttribute('class')).toBe('diff');
    expect(await col(last, 'hw:dev0').textContent()).toBe('nothing');
    // What changed: the device moved to the rebuilt HWPT (a nested difference), unchanged objects hidden.
    expect(await page.locator('.tree li.changed[data-key="hw"] li.changed[data-key="hw:dev0"]').count()).toBe(1);
    expect(await page.locator('.tree li.same').count()).toBe(0);
    await page.click('#show-all');
    await page.waitForFunction("location.hash.includes('all=1')");
    expect(await page.locator('.tree li.same').count()).toBeGreaterThan(0);
    // The DMA after it reaches the wrong frame.
    await page.focus('.steplist');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(`#step-head[data-step="${focus + 1}"]`);
    expect(await page.locator('#dma').textContent()).toContain('reaches guest:1');
    expect(pageErrors).toEqual([]);
  });

  it('a shared URL lands on the same step, with the same filter; reload keeps it', async () => {
    const shared = `${viz.url}#view=trace&trace=${encodeURIComponent(CX)}&step=17&all=1`;
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    other.setDefaultTimeout(90_000);
    await other.goto(shared);
    await other.waitForSelector('#step-head[data-step="17"]');
    expect(await other.locator('.steprow.sel').getAttribute('data-step')).toBe('17');
    expect(await other.locator('#show-all').isChecked()).toBe(true);
    await other.locator('.steprow[data-step="5"]').click();
    await other.waitForSelector('#step-head[data-step="5"]');
    expect(other.url()).toContain('step=5');
    await other.reload();
    await other.waitForSelector('#step-head[data-step="5"]');
    expect(await other.locator('.steprow.sel').getAttribute('data-step')).toBe('5');
    await other.close();
  });

  it("a user's trace (not from a proof): the phase is derived from the kernel state, and the page says so", async () => {
    await open('view=trace&trace=file%2Flu-rebuilt-offset&step=30');
    await page.waitForSelector('#step-head[data-step="30"]');
    expect(await page.locator('#mode-note').getAttribute('data-mode')).toBe('derived');
    expect(await page.locator('#mode-note').textContent()).toContain('derived from the kernel state');
    expect(await page.locator('#phase').textContent()).toBe('replaced');
    expect(await page.locator('svg.chart g.node.active').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).toContain(`${PROPOSED}.lifecycle.replaced`);
    expect(await page.locator('table.pt tr.diff').count()).toBeGreaterThan(0);
  });
});
