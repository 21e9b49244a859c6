/**
 * Proof results as the user reads them: the verdict table (proof × invariant), the goals, what differs from each
 * proof's expectation, and the shortest counterexample of each proof; and as one JSON value.
 */
import type { Proof } from './proof.ts';
import { JUDGED } from './load.ts';
import { formatCounterexample } from './counterexample.ts';
import type { ProofResult } from './run.ts';

/** Column heads of the table, in JUDGED order. */
const SHORT: Record<string, string> = {
  'domain-matches-areas': 'areas',
  'iova-disjoint-aligned': 'iova',
  'pin-accounting': 'pins',
  'refcount-destroy': 'refs',
  'failure-atomic': 'atomic',
  'blackout-immutable': 'blackout',
  'preserved-reachable': 'reach',
  'no-reuse': 'reuse',
  'dma-never-faults': 'dma',
  'no-foreign-dma': 'foreign',
  'reconstruction-equivalent': 'recon',
  'finish-gated': 'finish',
  'fail-stop': 'failstop',
  'no-deadlock': 'deadlock',
};

function cell(r: ProofResult['invariants'][number]): string {
  const v = r.verdict === 'HOLDS' ? 'HOLDS' : r.verdict === 'VIOLATED' ? `VIOL ${r.steps}` : 'INCOMPL';
  return r.asExpected ? v : `${v} ✗`;
}

function table(head: string[], rows: string[][], right: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const pad = (s: string, i: number) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (r: string[]) => r.map((c, i) => pad(c, i)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** The verdict table, goals, differences and counterexamples of `results` (`proofs` by name, for the DMA list). */
export function formatProofResults(results: readonly ProofResult[], proofs: ReadonlyMap<string, Proof>): string[] {
  const out: string[] = [];
  const head = ['proof', ...JUDGED.map((n) => SHORT[n] ?? n), 'states', 'depth', 'seconds'];
  const rows = results.map((r) => [
    r.name,
    ...r.invariants.map(cell),
    r.states.toLocaleString('en-US'),
    String(r.depth),
    r.seconds.toFixed(2),
  ]);
  const right = new Set([head.length - 3, head.length - 2, head.length - 1]);
  out.push(...table(head, rows, right));
  out.push('');
  out.push(`  HOLDS: every reachable state explored, never broken; VIOL n: VIOLATED, shortest counterexample n steps; INCOMPL: INCOMPLETE`);
  out.push(`  (a bound cut the search); ✗: differs from the proof's expectation. Columns: ${JUDGED.map((n) => `${SHORT[n]} = ${n}`).join(', ')}.`);

  out.push('', ...table(
    ['proof', 'strategy', 'environment', 'goals'],
    results.map((r) => [
      r.name,
      r.strategy,
      r.environment,
      r.goals.map((g) => {
        const v = g.verdict === 'REACHED' ? `REACHED (${g.steps})` : g.verdict === 'UNREACHED' ? 'UNREACHED' : `not reached (INCOMPLETE: ${g.bound})`;
        return `${g.phase} ${v}${g.asExpected ? '' : ' ✗'}`;
      }).join(', '),
    ]),
    new Set(),
  ));

  const diffs: string[] = [];
  for (const r of results) {
    for (const i of r.invariants) {
      if (i.asExpected) continue;
      const got = i.verdict === 'VIOLATED' ? `VIOLATED (${i.steps} steps)` : i.verdict === 'INCOMPLETE' ? `INCOMPLETE (${i.bound})` : 'HOLDS';
      diffs.push(`  ✗ ${r.name}: ${i.invariant} ${got}, expected ${i.expected}`);
    }
    for (const g of r.goals) {
      if (g.asExpected) continue;
      const got = g.verdict === 'REACHED' ? `REACHED (${g.steps} steps)` : g.verdict === 'INCOMPLETE' ? `not reached (INCOMPLETE: ${g.bound})` : 'UNREACHED';
      diffs.push(`  ✗ ${r.name}: goal ${g.phase} ${got}, expected ${g.expected}`);
    }
  }
  out.push('');
  const nOk = results.filter((r) => r.ok).length;
  out.push(`${results.length} proofs: ${nOk} as expected, ${results.length - nOk} not`);
  out.push(...diffs);

  for (const r of results) {
    const shortest = r.counterexamples[0];
    if (!shortest) continue;
    out.push('', `${r.name}: shortest counterexample (${r.counterexamples.map((c) => `${c.invariant} ${c.steps} steps`).join(', ')}; replayed: same violation at the same step)`);
    const proof = proofs.get(r.name);
    if (proof) out.push(...formatCounterexample(shortest, proof.environment));
    for (const c of r.counterexamples) {
      if (c !== shortest) out.push(`  ${c.invariant}: ${c.steps} steps, ${c.file}`);
    }
  }
  return out;
}

/** One proof result as JSON. */
export function proofResultJson(r: ProofResult): unknown {
  return {
    name: r.name,
    file: r.file,
    strategy: r.strategy,
    environment: r.environment,
    invariants: Object.fromEntries(r.invariants.map((i) => [i.invariant, {
      verdict: i.verdict,
      ...(i.steps !== undefined ? { steps: i.steps } : {}),
      ...(i.bound !== undefined ? { bound: i.bound } : {}),
      expected: i.expected,
      asExpected: i.asExpected,
      ...(i.counterexample !== undefined ? { counterexample: i.counterexample } : {}),
    }])),
    goals: Object.fromEntries(r.goals.map((g) => [g.phase, {
      verdict: g.verdict,
      ...(g.steps !== undefined ? { steps: g.steps } : {}),
      ...(g.bound !== undefined ? { bound: g.bound } : {}),
      expected: g.expected,
      asExpected: g.asExpected,
    }])),
    counterexamples: r.counterexamples.map((c) => ({ invariant: c.invariant, file: c.file, steps: c.steps, failingStep: c.failingStep })),
    states: r.states,
    transitions: r.transitions,
    depth: r.depth,
    exhaustive: r.exhaustive,
    ...(r.bound !== undefined ? { bound: r.bound } : {}),
    seconds: Math.round(r.seconds * 1000) / 1000,
    ok: r.ok,
  };
}
