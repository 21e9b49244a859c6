/**
 * `npm run screenshots`: the pictures of `handover viz` in the README, regenerated from the shipped proofs. Starts
 * `handover viz` (every proof; results from out/viz-cache when there), opens it in headless Chromium (Debian's
 * `chromium`, through playwright-core) and writes:
 *
 * - docs/viz-stepper.png: the trace stepper at the failing step of the S4 counterexample
 *   (s4-proposed-adversarial-same, reconstruction-equivalent): the replace onto a rebuild one page off, the page
 *   tables side by side with the difference marked, the statechart's active states;
 * - docs/viz-statechart.png: the S4-as-posted lifecycle statechart with its coverage, the replace edge selected.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'src/cli/handover.js');
const DOCS = join(ROOT, 'docs');
const CX = 'cx/s4-proposed-adversarial-same/reconstruction-equivalent';
const MACHINE = 's4-hitless-replace/proposed';

const proc = spawn(process.execPath, [CLI, 'viz', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
let code = 0;
try {
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) ok(out.slice(0, out.indexOf('\n')));
    });
    proc.once('exit', (c) => fail(new Error(`handover viz exited ${c}`)));
  });
  for (;;) {
    const st = (await (await fetch(`${url}api/status`)).json()) as { state: string; error?: string };
    if (st.state === 'ready') break;
    if (st.state === 'error') throw new Error(st.error);
    await new Promise((r) => setTimeout(r, 300));
  }
  const summary = (await (await fetch(`${url}api/trace?id=${encodeURIComponent(CX)}`)).json()) as { focus: number };
  mkdirSync(DOCS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${url}#view=trace&trace=${encodeURIComponent(CX)}&step=${summary.focus}`);
    await page.waitForSelector(`#step-head[data-step="${summary.focus}"]`);
    await page.waitForSelector('svg.chart g.node.active');
    await page.screenshot({ path: join(DOCS, 'viz-stepper.png') });
    console.log(`wrote docs/viz-stepper.png (step ${summary.focus} of ${CX})`);

    await page.goto('about:blank');
    await page.setViewportSize({ width: 1440, height: 620 });
    await page.goto(`${url}#view=coverage&machine=${encodeURIComponent(MACHINE)}`);
    await page.waitForSelector('svg.chart.coverage');
    await page.locator('g.edge', { has: page.locator('text', { hasText: '[retrieving->replaced]' }) }).locator('text').click();
    await page.waitForSelector('.side .tr');
    await page.screenshot({ path: join(DOCS, 'viz-statechart.png') });
    console.log('wrote docs/viz-statechart.png');
  } finally {
    await browser.close();
  }
} catch (err) {
  console.error(`screenshots: ${(err as Error).stack ?? err}`);
  code = 1;
} finally {
  proc.kill('SIGTERM');
}
process.exit(code);
