/**
 * Exclusions a proof (`coverage.exclude`) or a model module (its `coverage` export, or `options.coverage`) declares
 * (issue 7: "`excluded` (a proof or machine says so, with its reason)").
 *
 * An entry names a dimension and either an item id or a regular expression over ids, with a reason. It is checked
 * when its source is loaded: its shape, and that it matches at least one item of its source's universe (an
 * exclusion that matches nothing is a mistake, not a no-op: the error names the proof or module and the entry).
 * Exclusions are applied after merging (report.ts): a matching item becomes `excluded` with the reason and who
 * declared it; when some source covered it nonetheless, the witness is kept and the reason says so.
 */
import type { CoverageExclusion, DimensionName } from './types.ts';

const DIMENSION_NAMES: readonly DimensionName[] = ['states', 'transitions', 'guards', 'rules', 'pairs', 'paths'];

/** The exclusions one source declares, and who declared them. */
export interface DeclaredExclusions {
  /** The proof's name, or the model module as the user named it. */
  readonly from: string;
  /** The file that declares them (error messages). */
  readonly file: string;
  readonly entries: readonly CoverageExclusion[];
}

/** A declared exclusion that is malformed or matches nothing: names the declaring proof or module and the entry. */
export class CoverageExclusionError extends Error {
  constructor(readonly from: string, readonly file: string, readonly index: number, readonly problem: string) {
    super(`${from}: coverage.exclude[${index}]: ${problem}`);
    this.name = 'CoverageExclusionError';
  }
}

/** An entry as the messages show it. */
export function describeExclusion(e: CoverageExclusion): string {
  return `{ kind: ${JSON.stringify(e.kind)}, ${e.id !== undefined ? `id: ${JSON.stringify(e.id)}` : `match: ${JSON.stringify(e.match)}`} }`;
}

/** Checks the shape of a `coverage` declaration (undefined: none). */
export function readDeclaration(from: string, file: string, value: unknown): DeclaredExclusions | undefined {
  if (value === undefined) return undefined;
  const fail = (index: number, problem: string): never => {
    throw new CoverageExclusionError(from, file, index, problem);
  };
  if (typeof value !== 'object' || value === null) fail(-1, 'coverage must be an object { exclude?: [...] }');
  const exclude = (value as { exclude?: unknown }).exclude;
  if (exclude === undefined) return undefined;
  if (!Array.isArray(exclude)) return fail(-1, 'coverage.exclude must be an array');
  const entries = exclude.map((raw: unknown, i): CoverageExclusion => {
    if (typeof raw !== 'object' || raw === null) return fail(i, 'an entry must be an object { kind, id | match, reason }');
    const e = raw as Record<string, unknown>;
    if (!DIMENSION_NAMES.includes(e['kind'] as DimensionName)) fail(i, `kind ${JSON.stringify(e['kind'])} is not one of ${DIMENSION_NAMES.join(', ')}`);
    const hasId = e['id'] !== undefined;
    const hasMatch = e['match'] !== undefined;
    if (hasId === hasMatch) fail(i, 'give exactly one of id and match');
    if (hasId && typeof e['id'] !== 'string') fail(i, 'id must be a string');
    if (hasMatch) {
      if (typeof e['match'] !== 'string') fail(i, 'match must be a string (a regular expression)');
      try {
        new RegExp(e['match'] as string);
      } catch (err) {
        fail(i, `match is not a regular expression: ${(err as Error).message}`);
      }
    }
    if (typeof e['reason'] !== 'string' || e['reason'].trim() === '') fail(i, 'reason must say why (a non-empty string)');
    return {
      kind: e['kind'] as DimensionName,
      ...(hasId ? { id: e['id'] as string } : { match: e['match'] as string }),
      reason: e['reason'] as string,
    };
  });
  return entries.length > 0 ? { from, file, entries } : undefined;
}

/** Whether entry `e` matches the item `id` of dimension `dim`. */
export function matcher(e: CoverageExclusion): (dim: DimensionName, id: string) => boolean {
  if (e.id !== undefined) return (dim, id) => dim === e.kind && id === e.id;
  const re = new RegExp(e.match!);
  return (dim, id) => dim === e.kind && re.test(id);
}

/**
 * Throws unless every entry of `d` matches some item of `ids` (the source's universe, per dimension): an exclusion
 * that matches nothing names the proof or module and the entry.
 */
export function checkExclusionsMatch(d: DeclaredExclusions, ids: (dim: DimensionName) => Iterable<string>): void {
  d.entries.forEach((e, i) => {
    const m = matcher(e);
    for (const id of ids(e.kind)) if (m(e.kind, id)) return;
    throw new CoverageExclusionError(d.from, d.file, i, `${describeExclusion(e)} matches no item of ${e.kind} (reason given: "${e.reason}")`);
  });
}
