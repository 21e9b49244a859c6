/**
 * A search result as the user sees it: one JSON object (`handover explore --json`) and a readable text report.
 * Pure functions: the caller passes the timing it measured, and the output is otherwise a function of the result,
 * so two runs of the same search print the same text and the same JSON apart from the timing fields.
 *
 * States are shown as `{ value, context }` for machine states (their identity; the engine's own fields are left
 * out) and as themselves otherwise, made JSON-safe: bigints as decimal strings, Map as an array of [key, value]
 * pairs, Set as an array, undefined and non-finite numbers as null.
 */
import type { Model } from './model.ts';
import type { BoundReport, SearchResult, Trace } from './types.ts';

/** What the caller measured around the search. */
export interface SearchTiming {
  /** Wall-clock seconds of the search (loading and compiling excluded). */
  readonly seconds: number;
}

/** A violation in the JSON report. */
export interface ViolationJson {
  readonly invariant: string;
  /** The events (actions) from the initial state, as JSON values. */
  readonly trace: readonly unknown[];
  /** The states: the initial state, then the state after each event (`trace.length + 1` entries). */
  readonly states: readonly unknown[];
}

/** `handover explore --json`: one object. Fields other than `seconds` and `statesPerSecond` are deterministic. */
export interface SearchReportJson {
  readonly verdict: 'HOLDS' | 'VIOLATED' | 'INCOMPLETE';
  readonly distinctStates: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly exhaustive: boolean;
  readonly violations: readonly ViolationJson[];
  readonly bound?: BoundReport;
  readonly mode: 'fingerprint' | 'exact';
  readonly workers: number;
  readonly bytesPerState: number;
  readonly collisionProbability: number;
  readonly fingerprintCollisions: number;
  readonly warnings: readonly string[];
  /** Timing and resources: vary from run to run. */
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly peakMemoryBytes: number;
}

/** The JSON report of `result`. */
export function searchReportJson<S, A>(result: SearchResult<S, A>, timing: SearchTiming): SearchReportJson {
  const violations: ViolationJson[] =
    result.verdict === 'VIOLATED'
      ? result.violations.map((v) => ({
          invariant: v.invariant,
          trace: v.trace.steps.map((s) => toJson(s.action)),
          states: [stateJson(v.trace.init), ...v.trace.steps.map((s) => stateJson(s.state))],
        }))
      : [];
  const bound = result.verdict === 'HOLDS' ? undefined : result.bound;
  return {
    verdict: result.verdict,
    distinctStates: result.distinctStates,
    transitions: result.transitions,
    maxDepth: result.maxDepth,
    exhaustive: result.exhaustive,
    violations,
    ...(bound ? { bound } : {}),
    mode: result.mode,
    workers: result.workers,
    bytesPerState: round(result.bytesPerState, 1),
    collisionProbability: result.collisionProbability,
    fingerprintCollisions: result.fingerprintCollisions,
    warnings: result.warnings,
    seconds: round(timing.seconds, 3),
    statesPerSecond: Math.round(result.distinctStates / Math.max(timing.seconds, 1e-9)),
    peakMemoryBytes: result.peakMemoryBytes,
  };
}

/** The text report of `result`; `title` names what was explored (the file). Ends with a newline. */
export function formatSearchReport<S, A>(result: SearchResult<S, A>, model: Model<S, A>, timing: SearchTiming, title: string): string {
  const out: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  const verdictLine = {
    HOLDS: 'HOLDS: every reachable state was explored; every invariant holds',
    VIOLATED: `VIOLATED: ${result.verdict === 'VIOLATED' ? result.violations.map((v) => v.invariant).join(', ') : ''}`,
    INCOMPLETE: 'INCOMPLETE: a bound stopped the search before every reachable state was explored',
  }[result.verdict];
  out.push(`${title}: ${verdictLine}`);
  out.push(
    `  ${n(result.distinctStates)} distinct states, ${n(result.transitions)} transitions, depth ${result.maxDepth}` +
      `${result.exhaustive ? ' (exhaustive)' : ''}; ${result.mode} mode, ${result.workers} worker${result.workers === 1 ? '' : 's'}`,
  );
  out.push(
    `  ${round(result.bytesPerState, 1)} bytes per stored state` +
      (result.mode === 'fingerprint'
        ? `; fingerprint collision probability ${result.collisionProbability.toExponential(2)} (TLC's n(g-n)/2^64)`
        : `; ${result.fingerprintCollisions} fingerprint collisions told apart`),
  );
  if (result.verdict !== 'HOLDS' && result.bound) out.push(`  bound: ${result.bound.detail}`);
  for (const w of result.warnings) out.push(`  warning: ${w}`);
  if (result.verdict === 'VIOLATED') {
    for (const v of result.violations) {
      out.push('');
      out.push(`${v.invariant}: violated; shortest trace, ${v.trace.steps.length} event${v.trace.steps.length === 1 ? '' : 's'}:`);
      out.push(...formatTrace(v.trace, model));
    }
  }
  out.push('');
  out.push(`  ${round(timing.seconds, 3)} s, ${n(Math.round(result.distinctStates / Math.max(timing.seconds, 1e-9)))} states/s, peak ${round(result.peakMemoryBytes / 2 ** 20, 1)} MB of tables`);
  return out.join('\n') + '\n';
}

/** A trace as text: the initial state in full, then each event and what it changed. */
export function formatTrace<S, A>(trace: Trace<S, A>, model: Model<S, A>): string[] {
  const lines: string[] = [];
  let prev = stateJson(trace.init);
  lines.push(`  0. initial state`);
  for (const [k, v] of Object.entries(flatten(prev))) lines.push(`       ${k} = ${v}`);
  trace.steps.forEach((step, i) => {
    const next = stateJson(step.state);
    lines.push(`  ${i + 1}. ${model.formatAction(step.action)}`);
    const changes = diffFlat(flatten(prev), flatten(next));
    if (changes.length === 0) lines.push('       (no change)');
    for (const c of changes) lines.push(`       ${c}`);
    prev = next;
  });
  return lines;
}

/** A state as JSON: `{ value, context }` for machine states, the state itself otherwise. */
export function stateJson(s: unknown): unknown {
  if (typeof s === 'object' && s !== null && 'value' in s && 'context' in s) {
    const m = s as { value: unknown; context: unknown };
    return { value: toJson(m.value), context: toJson(m.context) };
  }
  return toJson(s);
}

/** A JSON-safe copy of `v` (see the file header). */
export function toJson(v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(toJson);
      if (v instanceof Map) return [...v].map(([k, x]) => [toJson(k), toJson(x)]);
      if (v instanceof Set) return [...v].map(toJson);
      if (v instanceof Date) return v.toISOString();
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
      return out;
    }
    default:
      return v;
  }
}

/** Leaf paths of a JSON value: `context.msgs.prepared[0]` → `true`. Empty objects and arrays are leaves. */
function flatten(v: unknown, path = '', out: Record<string, string> = {}): Record<string, string> {
  if (typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
    if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
    else for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
  } else {
    out[path || '(state)'] = JSON.stringify(v);
  }
  return out;
}

function diffFlat(a: Record<string, string>, b: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (!(k in a)) out.push(`${k} = ${v} (new)`);
    else if (a[k] !== v) out.push(`${k}: ${a[k]} -> ${v}`);
  }
  for (const k of Object.keys(a)) if (!(k in b)) out.push(`${k} removed (was ${a[k]})`);
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
