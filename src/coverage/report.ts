/**
 * Merging sources into one report, and the terminal summary.
 *
 * Merging, per item (the union of the sources' universes, in the order the sources list them):
 * - excluded when a source excludes it (exclusions are static: the universe says why);
 * - covered when any source covers it, with the witness of the first source (in source order) that does;
 * - unreachable when some exhaustive source says unreachable and none covers it: the reasons name the bounds;
 * - uncovered otherwise. Uncovered and unreachable are never merged into one another.
 * Then the exclusions the sources declare (a proof's `coverage.exclude`, exclusions.ts): a matching item becomes
 * `excluded` with the reason and who declared it; one that a source covered keeps its witness and the reason says
 * so. A source's own counts apply its own exclusions.
 */
import type {
  CoverageDimension,
  CoverageItem,
  CoverageReport,
  CoverageSourceSummary,
  CoverageStatus,
  DimensionCounts,
  DimensionName,
} from './types.ts';
import { checkExclusionsMatch, matcher } from './exclusions.ts';
import type { ItemOutcome, SourceResult } from './sources.ts';
import type { UniverseItem } from './universe.ts';

/** The dimensions, in report order. */
export const DIMENSIONS: readonly DimensionName[] = ['states', 'transitions', 'guards', 'rules', 'pairs', 'paths'];

/** The statuses, in report order. */
export const STATUSES: readonly CoverageStatus[] = ['covered', 'unreachable', 'uncovered', 'excluded'];

function emptyCounts(): DimensionCounts {
  return { total: 0, covered: 0, unreachable: 0, uncovered: 0, excluded: 0 };
}

/** Merges `sources` (see the file header) into one report. */
export function mergeSources(sources: readonly SourceResult[]): CoverageReport {
  const byDim = new Map<DimensionName, Map<string, { item: UniverseItem; outcomes: ItemOutcome[] }>>(DIMENSIONS.map((d) => [d, new Map()]));
  for (const s of sources) {
    for (const { item, outcome } of s.items) {
      const m = byDim.get(item.dimension)!;
      const e = m.get(item.id);
      if (e) e.outcomes.push(outcome);
      else m.set(item.id, { item, outcomes: [outcome] });
    }
  }
  // Declared exclusions: each must match something of its own source's universe.
  const declared = sources.flatMap((s) => {
    if (!s.exclusions) return [];
    checkExclusionsMatch(s.exclusions, (dim) => s.items.filter((x) => x.item.dimension === dim).map((x) => x.item.id));
    return s.exclusions.entries.map((e) => ({ from: s.exclusions!.from, reason: e.reason, matches: matcher(e) }));
  });
  const dimensions = {} as Record<DimensionName, CoverageDimension>;
  for (const d of DIMENSIONS) {
    const items = [...byDim.get(d)!.values()].map(({ item, outcomes }) => {
      const merged = mergeItem(item, outcomes);
      const by = declared.filter((x) => x.matches(d, item.id));
      return by.length === 0 ? merged : excludeItem(merged, by);
    });
    dimensions[d] = { ...countsOf(items), items };
  }
  const summaries: CoverageSourceSummary[] = sources.map((s) => {
    const counts: Partial<Record<DimensionName, DimensionCounts>> = {};
    const own = s.exclusions?.entries.map(matcher) ?? [];
    for (const { item, outcome } of s.items) {
      const c = (counts[item.dimension] ??= emptyCounts());
      c.total++;
      c[own.some((m) => m(item.dimension, item.id)) ? 'excluded' : outcome.status]++;
    }
    return { ...s.summary, counts: Object.fromEntries(DIMENSIONS.filter((d) => counts[d]).map((d) => [d, counts[d]!])) };
  });
  return { 'handover-coverage': 1, sources: summaries, dimensions };
}

function mergeItem(item: UniverseItem, outcomes: readonly ItemOutcome[]): CoverageItem {
  const base: CoverageItem = {
    kind: item.kind,
    id: item.id,
    status: 'uncovered',
    ...(item.machine !== undefined ? { machine: item.machine } : {}),
    ...(item.parent !== undefined ? { parent: item.parent } : {}),
    ...(item.detail !== undefined ? { detail: item.detail } : {}),
  };
  const hits = outcomes.reduce((n, o) => n + (o.hits ?? 0), 0);
  const excluded = outcomes.find((o) => o.status === 'excluded');
  if (excluded) return { ...base, status: 'excluded', reason: excluded.reason ?? 'excluded' };
  const covered = outcomes.find((o) => o.status === 'covered');
  if (covered) return { ...base, status: 'covered', hits, ...(covered.witness ? { witness: covered.witness } : {}) };
  if (outcomes.length === 1) return { ...base, status: outcomes[0]!.status, reason: outcomes[0]!.reason ?? '' };
  // Several sources: name them (each source's summary says what it explored and how it was bounded or cut).
  const by = (s: CoverageStatus) => [...new Set(outcomes.filter((o) => o.status === s).map((o) => o.source))];
  const unreachable = by('unreachable');
  const uncovered = by('uncovered');
  const parts: string[] = [];
  if (unreachable.length) parts.push(`unreachable within the bounds of ${unreachable.join(', ')} (each explored its whole world)`);
  if (uncovered.length) parts.push(`not reached by ${uncovered.join(', ')} (cut, or not exhaustive)`);
  return { ...base, status: unreachable.length ? 'unreachable' : 'uncovered', reason: parts.join('; ') };
}

/** A merged item that declared exclusions match: excluded, with their reasons (grouped) and, if covered, its witness. */
function excludeItem(merged: CoverageItem, by: readonly { from: string; reason: string }[]): CoverageItem {
  const reasons = new Map<string, string[]>();
  for (const x of by) {
    const froms = reasons.get(x.reason) ?? [];
    if (!froms.includes(x.from)) froms.push(x.from);
    reasons.set(x.reason, froms);
  }
  const parts = [...reasons].map(([reason, froms]) => `${reason} (excluded by ${froms.join(', ')})`);
  if (merged.status === 'excluded' && merged.reason) parts.unshift(merged.reason);
  if (merged.status === 'covered') parts.push(`covered nonetheless by ${merged.witness?.source ?? 'a source'} (its witness is kept)`);
  const { reason: _r, status: _s, ...rest } = merged;
  void _r;
  void _s;
  return { ...rest, status: 'excluded', reason: parts.join('; ') };
}

function countsOf(items: readonly CoverageItem[]): DimensionCounts {
  const c = emptyCounts();
  for (const i of items) {
    c.total++;
    c[i.status]++;
  }
  return c;
}

const pct = (n: number, total: number): string => (total === 0 ? '    -' : `${((100 * n) / total).toFixed(1).padStart(5)}%`);

/** One row per dimension: total, then each status as a number and a percentage of the total. */
export function formatCountsTable(counts: Partial<Record<DimensionName, DimensionCounts>>, indent = ''): string[] {
  const head = `${indent}${'dimension'.padEnd(12)}${'total'.padStart(7)}  ${STATUSES.map((s) => s.padStart(18)).join('')}`;
  const rows = DIMENSIONS.filter((d) => counts[d] !== undefined).map((d) => {
    const c = counts[d]!;
    return `${indent}${d.padEnd(12)}${String(c.total).padStart(7)}  ${STATUSES.map((s) => `${String(c[s]).padStart(10)} ${pct(c[s], c.total)}`).join('')}`;
  });
  return [head, ...rows];
}

/** The terminal summary: the merged counts, then each source with its own. */
export function formatSummary(report: CoverageReport): string {
  const out: string[] = [];
  const names = report.sources.map((s) => s.name);
  out.push(`coverage of ${names.length} source${names.length === 1 ? '' : 's'}${names.length > 1 ? ' (merged)' : ''}: ${names.join(', ')}`, '');
  out.push(...formatCountsTable(report.dimensions));
  for (const s of report.sources) {
    out.push('', `${s.name} (${s.kind}${s.exhaustive ? ', exhaustive' : ''}): ${s.description}`);
    for (const w of s.warnings) out.push(`  warning: ${w}`);
    if (report.sources.length > 1) out.push(...formatCountsTable(s.counts, '  '));
  }
  return `${out.join('\n')}\n`;
}
