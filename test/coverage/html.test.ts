/**
 * The HTML report (`handover coverage --html DIR`) in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; no browser is downloaded): opened from disk with no network, it shows what a person needs — the
 * totals with their denominators, the drill-down machine -> state -> transition -> witness, statuses by colour, the
 * filter, the n / p keys that jump between gaps — and a reload restores the view from the URL.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusSource, explorationSource, mergeSources, writeHtmlReport, type CoverageReport } from '../../src/coverage/index.ts';

const CHROMIUM = '/usr/bin/chromium';

describe('the HTML coverage report in Chromium', () => {
  let dir: string;
  let report: CoverageReport;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    dir = mkdtempSync(join(tmpdir(), 'coverage-html-'));
    const planted = fileURLToPath(new URL('./fixtures/planted.model.ts', import.meta.url));
    const corpus = fileURLToPath(new URL('../../proofs/conformance', import.meta.url));
    report = mergeSources([
      await explorationSource({ kind: 'machine', file: planted }, { workers: 1, graphCap: 100 }),
      corpusSource(corpus, 'proofs/conformance'),
    ]);
    writeHtmlReport(report, dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    url = pathToFileURL(join(dir, 'index.html')).href;
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads from disk without the network, and shows every total with its denominator', async () => {
    for (const d of ['states', 'transitions', 'guards', 'rules', 'pairs', 'paths'] as const) {
      const c = report.dimensions[d];
      const row = page.locator(`tr[data-dimension="${d}"]`);
      await expect(row.locator('td').nth(1).textContent()).resolves.toBe(String(c.total));
      await expect(row.locator('td.st-covered').textContent()).resolves.toContain(`${c.covered} / ${c.total}`);
      await expect(row.locator('td.st-unreachable').textContent()).resolves.toContain(`${c.unreachable} / ${c.total}`);
    }
    expect(requests.filter((r) => !r.startsWith('file://'))).toEqual([]);
  });

  it('drills down machine -> state -> transition -> witness', async () => {
    const title = () => page.locator('#view h2').textContent();
    await page.click('#totals a[href*="view=machine"]:text-is("planted")');
    await expect.poll(title).toBe('Machine planted');
    await page.click('#view a:text-is("planted.landing.l1")');
    await expect.poll(title).toBe('State planted.landing.l1');
    const t = page.locator('tr.item', { hasText: 'planted.landing.l1 FIN -> planted.landing.l2' });
    await expect(t.getAttribute('class')).resolves.toContain('covered');
    await t.locator('a').first().click();
    await expect.poll(title).toBe('transition planted.landing.l1 FIN -> planted.landing.l2');
    await expect(page.locator('ol.witness li').allTextContents()).resolves.toEqual(['NEXT', 'FIN']);
    await expect(page.locator('.witness-head').textContent()).resolves.toContain('2 events');
  });

  it('lists pairs with their full ids and reasons (data.js writes them compactly)', async () => {
    await page.goto(`${url}#view=dimension&dim=pairs`);
    const keys = await page.locator('#view tr.item').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-key')));
    expect(keys).toEqual(report.dimensions.pairs.items.slice(0, 300).map((i) => `pairs|${i.id}`));
    const gap = report.dimensions.pairs.items.find((i) => i.status === 'unreachable')!;
    await expect(page.locator('tr.item', { hasText: gap.id }).first().textContent()).resolves.toContain(gap.reason!);
  });

  it('colours statuses: unreachable apart from uncovered, excluded greyed', async () => {
    await page.goto(`${url}#view=dimension&dim=rules`);
    const excluded = page.locator('tr.item.excluded', { hasText: 'not-modelled' });
    await expect(excluded.count()).resolves.toBe(1);
    // (Browser-side code is written as strings: this project's TypeScript has no DOM types.)
    expect(Number(await page.evaluate("getComputedStyle(document.querySelector('tr.item.excluded')).opacity"))).toBeLessThan(1);
    const colour = (status: string) => page.evaluate(`(() => {
      const b = document.body.appendChild(document.createElement('span'));
      b.className = 'badge ${status}';
      return getComputedStyle(b).backgroundColor;
    })()`);
    const [unreachable, uncovered, covered] = [await colour('unreachable'), await colour('uncovered'), await colour('covered')];
    expect(new Set([unreachable, uncovered, covered]).size).toBe(3);
  });

  it('filters by status, and n / p jump to the next and previous gap', async () => {
    await page.goto(`${url}#view=machine&id=planted`);
    const rows = () => page.locator('#view tr.item').evaluateAll((trs) => trs.map((t) => t.className));
    expect((await rows()).some((c) => c.includes('covered') && !c.includes('uncovered'))).toBe(true);
    await page.uncheck('#filter input[value="covered"]');
    await page.waitForFunction("location.hash.includes('status=')");
    expect((await rows()).every((c) => !/\bcovered\b/.test(c))).toBe(true);
    await page.check('#filter input[value="covered"]');
    await page.waitForFunction("!location.hash.includes('status=')");

    const gaps = report.dimensions.states.items.filter((i) => i.machine === 'planted' && (i.status === 'unreachable' || i.status === 'uncovered')).map((i) => i.id);
    expect(gaps.length).toBeGreaterThan(1);
    const current = () => page.locator('tr.item.current').getAttribute('data-key');
    await page.keyboard.press('n');
    await expect.poll(current).toBe(`states|${gaps[0]}`);
    await page.keyboard.press('n');
    await expect.poll(current).toBe(`states|${gaps[1]}`);
    await page.keyboard.press('p');
    await expect.poll(current).toBe(`states|${gaps[0]}`);
  });

  it('keeps the view in the URL: a reload restores it', async () => {
    await page.goto(`${url}#view=machine&id=planted`);
    await page.uncheck('#filter input[value="covered"]');
    await page.keyboard.press('n');
    await page.keyboard.press('n');
    const before = await page.evaluate('location.hash');
    const at = await page.locator('tr.item.current').getAttribute('data-key');
    expect(before).toContain('at=');
    await page.reload();
    await expect(page.evaluate('location.hash')).resolves.toBe(before);
    await expect(page.locator('#view h2').textContent()).resolves.toBe('Machine planted');
    await expect(page.locator('tr.item.current').getAttribute('data-key')).resolves.toBe(at);
    await expect(page.isChecked('#filter input[value="covered"]')).resolves.toBe(false);
    await expect(page.isChecked('#filter input[value="unreachable"]')).resolves.toBe(true);
  });
});
