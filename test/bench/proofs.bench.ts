/**
 * `npm run bench -- proofs [--larger] [--workers N] [--json]`: states per second of each shipped proof (issue 6), as
 * `handover verify` runs it (the explorer over the proof's lifecycle statechart, goals included, counterexamples
 * written and replayed), and the whole default suite's time. Each proof's seconds are the search and the
 * counterexample replays; the load average is printed with the figures (a shared 2-core machine skews every rate).
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROOFS, findProofFiles, loadProofs, proofJobs, runProofs } from '../../src/verify/index.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const larger = args.includes('--larger');
const wi = args.indexOf('--workers');
const workers = wi >= 0 ? Number(args[wi + 1]) : 1;

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const before = load();
const loaded = await loadProofs(findProofFiles(DEFAULT_PROOFS));
const started = performance.now();
const results = await runProofs(proofJobs(loaded, larger), { workers, outDir: mkdtempSync(join(tmpdir(), 'handover-bench-proofs-')) });
const total = (performance.now() - started) / 1000;
const rows = results.map((r) => ({
  proof: r.name, states: r.states, transitions: r.transitions, depth: r.depth, seconds: r.seconds,
  statesPerSecond: r.states / r.seconds, ok: r.ok,
}));

if (json) {
  console.log(JSON.stringify({ larger, workers, load: { before, after: load() }, totalSeconds: total, proofs: rows }));
} else {
  console.log(`Proofs${larger ? ' (--larger worlds)' : ''}, ${workers} worker(s); load average ${before}`);
  const w = Math.max(...rows.map((r) => r.proof.length));
  console.log(`${'proof'.padEnd(w)}  ${'states'.padStart(7)}  ${'transitions'.padStart(11)}  ${'depth'.padStart(5)}  ${'seconds'.padStart(7)}  ${'states/s'.padStart(9)}  as expected`);
  for (const r of rows) {
    console.log(`${r.proof.padEnd(w)}  ${String(r.states).padStart(7)}  ${String(r.transitions).padStart(11)}  ${String(r.depth).padStart(5)}  ${r.seconds.toFixed(2).padStart(7)}  ${Math.round(r.statesPerSecond).toLocaleString('en-US').padStart(9)}  ${r.ok ? 'yes' : 'NO'}`);
  }
  const states = rows.reduce((a, r) => a + r.states, 0);
  console.log(`\n  ${rows.length} proofs, ${states.toLocaleString('en-US')} states in ${total.toFixed(1)} s (${Math.round(states / total).toLocaleString('en-US')} states/s overall); load average after ${load()}`);
}
process.exit(rows.every((r) => r.ok) ? 0 : 1);
