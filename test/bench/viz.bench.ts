/**
 * `handover viz` with a long trace (`npm run bench -- viz [--steps N]`): generates a 2,000-step trace (a device on a
 * HWPT, then map / DMA / unmap rounds over a sliding window of a memfd, with some calls that fail), starts `handover
 * viz --trace FILE` as a user does (one proof besides, its results from the cache when there), and times:
 *
 * - serving the trace summary the first time (the server replays the trace, builds each step's object tree and its
 *   difference from the step before) and again (kept);
 * - serving a step's detail (page tables side by side, nested diff) the first time, over 60 steps spread over the trace;
 * - in Chromium (Debian's, through playwright-core): opening the stepper at the last step, and selecting a step
 *   (key press to the step's detail drawn, as the driver sees it and as the page measures it), over 40 selections
 *   (next step, a page down), and jumps through the URL.
 *
 * Figures are for this 2-core shared machine; the medians and the worst are printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const STEPS = (() => {
  const i = args.indexOf('--steps');
  return i >= 0 ? Number(args[i + 1]) : 2000;
})();
const CLI = fileURLToPath(new URL('../../src/cli/handover.js', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const hex = (v: number): string => `0x${v.toString(16)}`;

/** The trace: setup, then rounds of map, DMA, unmap (every 7th round maps over the last one first: EEXIST). */
function generate(n: number): object {
  const PAGE = 0x1000;
  const steps: Record<string, unknown>[] = [
    { op: 'VFIO_DEVICE_BIND_IOMMUFD', device: 'dev0', as: 'devid' },
    { op: 'IOMMU_IOAS_ALLOC', as: 'ioas' },
    { op: 'IOMMU_HWPT_ALLOC', dev_id: 'devid', pt_id: 'ioas', as: 'hwpt' },
    { op: 'VFIO_DEVICE_ATTACH_IOMMUFD_PT', device: 'dev0', pt_id: 'hwpt' },
  ];
  for (let r = 0; steps.length < n; r++) {
    const offset = (r % 48) * PAGE;
    const iova = 0x1_0000_0000 + (r % 8) * 0x10_0000;
    const map = { op: 'IOMMU_IOAS_MAP_FILE', ioas_id: 'ioas', fd: 'm', flags: ['FIXED_IOVA', 'READABLE', 'WRITEABLE'], start: hex(offset), length: hex(16 * PAGE), iova: hex(iova) };
    steps.push(map);
    if (r % 7 === 6) steps.push({ ...map, comment: 'mapped already: EEXIST' });
    steps.push({ op: 'DMA', device: 'dev0', iova: hex(iova + 5 * PAGE), access: 'read' });
    steps.push({ op: 'IOMMU_IOAS_UNMAP', ioas_id: 'ioas', iova: hex(iova), length: hex(16 * PAGE) });
    if (r % 5 === 4) steps.push({ op: 'DMA', device: 'dev0', iova: hex(iova), access: 'write' });
  }
  return {
    'handover-trace': 1,
    kernel: 'linux-7.1-sk-restore',
    source: 'test/bench/viz.bench.ts (generated)',
    description: `A generated ${n}-step trace: map / DMA / unmap rounds over a sliding window of a memfd.`,
    config: { memfds: [{ name: 'm', pages: 64 }], devices: [{ name: 'dev0' }] },
    steps: steps.slice(0, n),
  };
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (n=${s.length})`;
};

const dir = mkdtempSync(join(tmpdir(), 'viz-bench-'));
const file = join(dir, 'long.trace.json');
writeFileSync(file, JSON.stringify(generate(STEPS)));
const proc = spawn(process.execPath, [CLI, 'viz', '--port', '0', '--proof', 's4-proposed-adversarial-same', '--trace', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
let exitCode = 0;
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    proc.once('exit', (c) => reject(new Error(`viz exited ${c}`)));
  });
  const t0 = performance.now();
  for (;;) {
    const st = (await (await fetch(`${url}api/status`)).json()) as { state: string; error?: string };
    if (st.state === 'ready') break;
    if (st.state === 'error') throw new Error(st.error);
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`viz: server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (proofs and coverage of one proof; from out/viz-cache when there)`);
  const id = 'file/long';
  const time = async (path: string): Promise<[number, number]> => {
    const a = performance.now();
    const r = await fetch(`${url}${path}`);
    const body = await r.arrayBuffer();
    if (!r.ok) throw new Error(`${path}: ${r.status} ${Buffer.from(body).toString()}`);
    return [performance.now() - a, body.byteLength];
  };
  const [first, bytes] = await time(`api/trace?id=${id}`);
  const [again] = await time(`api/trace?id=${id}`);
  const summary = (await (await fetch(`${url}api/trace?id=${id}`)).json()) as { steps: { result: string }[] };
  const results: Record<string, number> = {};
  for (const s of summary.steps) results[s.result] = (results[s.result] ?? 0) + 1;
  console.log(`trace: ${summary.steps.length} steps (${Object.entries(results).map(([k, v]) => `${v} ${k}`).join(', ')})`);
  console.log(`  summary, first request (replay + per-step trees and diffs): ${first.toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`  summary, again (kept):                                      ${again.toFixed(1)} ms`);
  const detail: number[] = [];
  for (let k = 0; k < 60; k++) detail.push((await time(`api/step?id=${id}&i=${Math.floor((k * 7919) % STEPS)}`))[0]);
  console.log(`  step detail, first request per step: ${stats(detail)}`);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    let a = performance.now();
    await page.goto(`${url}#view=trace&trace=${encodeURIComponent(id)}&step=${STEPS - 1}`);
    await page.waitForSelector(`#step-head[data-step="${STEPS - 1}"]`);
    const open = performance.now() - a;
    const rows = await page.locator('.steprow').count();
    console.log(`Chromium: open the stepper at step ${STEPS - 1}: ${open.toFixed(0)} ms (${rows} step rows in the DOM of ${STEPS}: the list is virtual)`);
    await page.focus('.steplist');
    await page.keyboard.press('Home');
    await page.waitForSelector('#step-head[data-step="0"]');
    const select: number[] = [];
    const inPage: number[] = [];
    let at = 0;
    for (let k = 0; k < 40; k++) {
      const key = k % 4 === 3 ? 'PageDown' : 'ArrowDown';
      const next = Math.min(STEPS - 1, at + (key === 'PageDown' ? 20 : 1));
      a = performance.now();
      await page.keyboard.press(key);
      await page.waitForSelector(`#step-head[data-step="${next}"]`);
      select.push(performance.now() - a);
      const t = (await page.evaluate('window.vizStepTiming')) as { step: number; ms: number };
      if (t.step === next) inPage.push(t.ms);
      at = next;
    }
    console.log(`  select a step, key press to its detail drawn (first time each), as the test driver sees it: ${stats(select)}`);
    console.log(`  the same, in the page (selection to detail in the DOM, incl. the step request):        ${stats(inPage)}`);
    const jumps: number[] = [];
    for (const target of [1500, 250, 1999, 999, 1234].filter((x) => x < STEPS)) {
      a = performance.now();
      await page.evaluate(`location.hash = 'view=trace&trace=${encodeURIComponent(id)}&step=${target}'`);
      await page.waitForSelector(`#step-head[data-step="${target}"]`);
      jumps.push(performance.now() - a);
    }
    console.log(`  jump to a step through the URL: ${stats(jumps)}`);
  } finally {
    await browser.close();
  }
} catch (err) {
  console.error(`viz bench: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`  load average after: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.exit(exitCode);
