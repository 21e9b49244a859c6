/**
 * Text for people: a replayed trace as one line per step (mark, index, op, result, outputs, label bound; the
 * expectation that failed and the invariants broken below it), its summary line, and the corpus table of
 * `handover verify`. Marks: ✓ expectations met, ✗ not met (or the step could not run), · nothing expected.
 * u64 values are lower-case 0x hex, as in the JSON output. Deterministic: no colours, no timing.
 */
import type { TraceInputError } from './errors.ts';
import type { TraceReport } from './runner.ts';
import type { ReplayStepLine, ReplaySummary } from './types.ts';

/** `k=v` for a rendered value (arrays of ranges as [start..last, ...]). */
function showValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const r = v as Record<string, unknown>;
    if ('start' in r && 'last' in r) return `${String(r['start'])}..${String(r['last'])}`;
    return `{${Object.entries(r).map(([k, x]) => `${k}=${showValue(x)}`).join(' ')}}`;
  }
  return String(v);
}

/** The longest op name (a loop, not Math.max(...): traces can have more steps than a call has arguments). */
function widest(lines: readonly ReplayStepLine[]): number {
  let w = 0;
  for (const l of lines) w = Math.max(w, l.op.length);
  return w;
}

/** The lines of one replayed trace, header and summary included. */
export function formatReport(report: TraceReport): string[] {
  const { summary } = report;
  const header = [`kernel ${summary.kernel}`, ...(summary.source ? [`source: ${summary.source}`] : [])].join('; ');
  const out = [`${report.file} (${header})`];
  const opWidth = widest(report.lines);
  const indexWidth = String(Math.max(0, summary.steps - 1)).length;
  for (const l of report.lines) out.push(...formatStep(l, opWidth, indexWidth));
  const notRun = summary.steps - report.lines.length;
  if (notRun > 0) out.push(`  ${' '.repeat(indexWidth + 4)}(${notRun} step${notRun === 1 ? '' : 's'} after it not run)`);
  out.push(formatSummary(report.file, summary));
  return out;
}

function formatStep(l: ReplayStepLine, opWidth: number, indexWidth: number): string[] {
  const mark = l.expected === undefined ? '·' : l.expected.met ? '✓' : '✗';
  const outs = Object.entries(l.out).map(([k, v]) => `${k}=${showValue(v)}`);
  if (l.bound) outs.push(`→ ${l.bound.label}`);
  if (l.partial) outs.push('(partial: areas before the failing one stay unmapped)');
  const parts = [`${mark} ${String(l.step).padStart(indexWidth)}  ${l.op.padEnd(opWidth)}  ${l.result.padEnd(10)}`, outs.join(' ')];
  const lines = [`  ${parts.join(' ').trimEnd()}`];
  const pad = `  ${' '.repeat(indexWidth + 4)}`;
  if (l.reason) lines.push(`${pad}${l.reason}`);
  for (const m of l.expected?.mismatches ?? []) {
    lines.push(`${pad}expected ${m.field === 'result' ? '' : `${m.field}=`}${showValue(m.expected)}, got ${m.actual === null ? 'nothing written back' : showValue(m.actual)}${m.field === 'result' && l.rule ? ` [${l.rule}]` : ''}`);
  }
  const wanted = new Set(l.expected?.violations ?? []);
  for (const v of l.violations ?? []) lines.push(`${pad}invariant ${v.invariant} broken${wanted.has(v.invariant) ? ' (expected)' : ''}: ${v.message}`);
  return lines;
}

/** Only the steps of a report that failed (an expectation not met, a stop, an invariant broken), for `verify`. */
export function formatFailures(report: TraceReport): string[] {
  const opWidth = widest(report.lines);
  const indexWidth = String(Math.max(0, report.summary.steps - 1)).length;
  const unexpected = (l: ReplayStepLine): boolean => (l.violations ?? []).some((v) => !(l.expected?.violations ?? []).includes(v.invariant));
  const failed = report.lines.filter((l) => (l.expected !== undefined && !l.expected.met) || unexpected(l)
    || l.result === 'NOT_MODELLED' || l.result === 'UNRESOLVED');
  const out = failed.flatMap((l) => formatStep(l, opWidth, indexWidth));
  const unrun = report.summary.steps - report.lines.length;
  if (unrun > 0) out.push(`  ${' '.repeat(indexWidth + 4)}(${unrun} step${unrun === 1 ? '' : 's'} after it not run)`);
  return out;
}

/** `PASS file: 12 steps, 10/10 expectations met, no invariant broken`, or what failed. */
export function formatSummary(file: string, s: ReplaySummary): string {
  const parts = [`${s.steps} step${s.steps === 1 ? '' : 's'}${s.ran < s.steps ? ` (${s.ran} ran)` : ''}`, `${s.met}/${s.checked} expectations met`];
  const broken = Object.entries(s.violationsByInvariant).map(([name, n]) => `${name} ×${n}`);
  const expected = s.expectedViolations === 0 ? '' : s.expectedViolations === s.violations ? ', all expected' : `, ${s.expectedViolations} expected`;
  parts.push(s.violations === 0 ? 'no invariant broken' : `${s.violations} invariant break${s.violations === 1 ? '' : 's'} (${broken.join(', ')}${expected})`);
  return `${s.verdict} ${file}: ${parts.join(', ')}`;
}

/** One row of the corpus table: a trace that ran, or one that could not be loaded. */
export type CorpusRow =
  | { file: string; source?: string; summary: ReplaySummary }
  | { file: string; source?: string; errors: TraceInputError[] };

/** The `handover verify` table: trace, source, steps, expectations met, invariant breaks, verdict; then totals. */
export function formatCorpusTable(rows: readonly CorpusRow[]): string[] {
  const header = ['trace', 'source', 'steps', 'met', 'breaks', 'verdict'];
  const cells = rows.map((r) => 'summary' in r
    ? [r.file, r.source ?? r.summary.source ?? '-', String(r.summary.steps), `${r.summary.met}/${r.summary.checked}`, String(r.summary.violations), r.summary.verdict]
    : [r.file, r.source ?? '-', '-', '-', '-', 'INVALID']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const numeric = new Set([2, 3, 4]);
  const row = (c: string[]): string => c.map((x, i) => (numeric.has(i) ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const lines = [row(header), row(widths.map((w) => '-'.repeat(w))), ...cells.map(row)];
  const pass = rows.filter((r) => 'summary' in r && r.summary.verdict === 'PASS').length;
  const fail = rows.filter((r) => 'summary' in r && r.summary.verdict === 'FAIL').length;
  const invalid = rows.length - pass - fail;
  const steps = rows.reduce((n, r) => n + ('summary' in r ? r.summary.steps : 0), 0);
  const met = rows.reduce((n, r) => n + ('summary' in r ? r.summary.met : 0), 0);
  const checked = rows.reduce((n, r) => n + ('summary' in r ? r.summary.checked : 0), 0);
  const breaks = rows.reduce((n, r) => n + ('summary' in r ? r.summary.violations : 0), 0);
  const expectedBreaks = rows.reduce((n, r) => n + ('summary' in r ? r.summary.expectedViolations : 0), 0);
  // A trace that demonstrates a violation declares it with `expect_violations`; say how many breaks were such.
  const breakText = `${breaks} invariant break${breaks === 1 ? '' : 's'}${breaks ? ` (${expectedBreaks} expected)` : ''}`;
  lines.push('', `${rows.length} traces: ${pass} PASS, ${fail} FAIL${invalid ? `, ${invalid} INVALID` : ''}; ${steps} steps, ${met}/${checked} expectations met, ${breakText}`);
  return lines;
}
