/**
 * `handover coverage --html DIR`: a static report that works offline, opened from disk or served on 127.0.0.1. Every
 * asset is written into DIR (no CDN, no fetch: the report's data is a script, `data.js`, since browsers refuse
 * `fetch()` of a file: URL). The page shell and the totals are rendered here with eta (templates in html/); the
 * drill-down (machine -> state -> transition -> witness), the status filter, the `n`/`p` keys that jump to the next
 * and previous gap, and the view kept in the URL's hash are html/report.js, plain DOM code with no dependency.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { DIMENSIONS, STATUSES } from './report.ts';
import type { CoverageItem, CoverageReport } from './types.ts';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'html');

/** The files written besides index.html and data.js. */
export const HTML_ASSETS = ['report.css', 'report.js'] as const;

/** Writes the report into `dir` (created if needed): index.html, data.js, report.css, report.js. */
export function writeHtmlReport(report: CoverageReport, dir: string): void {
  mkdirSync(dir, { recursive: true });
  // Witness traces are written relative to the working directory; the page links them relative to itself.
  // Pairs are many: each is written as the indexes of its two transitions, and every reason once (report.js
  // rebuilds the items as the JSON report has them).
  const transitionIndex = new Map(report.dimensions.transitions.items.map((t, i) => [t.id, i]));
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const compact = (i: CoverageItem): Record<string, unknown> => {
    const { reason, ...rest } = i;
    let out: Record<string, unknown> = rest;
    if (reason !== undefined) {
      let r = reasonIndex.get(reason);
      if (r === undefined) {
        r = reasons.length;
        reasons.push(reason);
        reasonIndex.set(reason, r);
      }
      out = { ...out, ri: r };
    }
    if (i.kind === 'pair') {
      const [a, b] = i.id.split('  =>  ').map((x) => transitionIndex.get(x));
      if (a !== undefined && b !== undefined) {
        const { id: _id, machine: _machine, ...kept } = out;
        out = { ...kept, p: [a, b] };
      }
    }
    if (i.witness?.trace !== undefined) out = { ...out, witness: { ...i.witness, href: relative(resolve(dir), resolve(i.witness.trace)).split('\\').join('/') } };
    return out;
  };
  const data = {
    ...report,
    reasons,
    dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, { ...report.dimensions[d], items: report.dimensions[d].items.map(compact) }])),
  };
  writeFileSync(join(dir, 'data.js'), `window.COVERAGE_REPORT = ${JSON.stringify(data).replace(/</g, '\\u003c')};\n`);
  for (const f of HTML_ASSETS) copyFileSync(join(ASSETS, f), join(dir, f));
  const eta = new Eta({ autoEscape: true, autoTrim: false });
  const template = readFileSync(join(ASSETS, 'index.eta'), 'utf8');
  const pct = (n: number, total: number): string => (total === 0 ? '-' : `${((100 * n) / total).toFixed(1)}%`);
  const html = eta.renderString(template, {
    report,
    dimensions: DIMENSIONS,
    statuses: STATUSES,
    pct,
    machines: [...new Set(report.dimensions.states.items.map((i) => i.machine).filter((m): m is string => m !== undefined))],
  });
  writeFileSync(join(dir, 'index.html'), html);
}
