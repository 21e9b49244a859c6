/**
 * What coverage counting costs an exploration (`npm run bench -- coverage [--json] [--repeat N]`), issue 7: "counting
 * must not slow an exploration by more than 20%". On each shipped proof (the lifecycle statechart over the kernel
 * model: the only models whose steps report kernel rules), one thread, CPU seconds, best of N alternating runs:
 * - plain: the proof's compiled model, no invariants (coverage checks none), without an observer;
 * - counting: the coverage model (src/coverage/coverageModel.ts: the same model, its kernel rules routed to the
 *   observer) with `observe` (states, transitions, guard outcomes and rules, each with a shortest witness);
 * and, apart (it is a second pass, not part of the search), the graph pass for pairs and paths.
 * (The explorer's own observer cost on a large machine is in `npm run bench -- twophase`.)
 */
import { loadavg } from 'node:os';
import { compileModelModule, searchBfs, type ModelModule } from '../../src/explore/index.ts';
import { buildProofModel } from '../../src/verify/proofModel.ts';
import { graphPass, loadCoverageTarget, machineUniverse } from '../../src/coverage/index.ts';
import { DEFAULT_PROOFS, findProofFiles, loadProofs } from '../../src/verify/index.ts';

const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const REPEAT = Number(args[args.indexOf('--repeat') + 1] ?? 5) || 5;

/** CPU seconds (user + system) of `f`: on a shared machine, less sensitive to the load than the wall clock. */
async function timed(f: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** The model with its `actions()` calls counted (for the lifecycle, each computes the outcome of every candidate call). */
function counted<M extends { actions(s: never): unknown }>(m: M): { model: M; calls: () => number } {
  let n = 0;
  const model = { ...m, actions: (s: never) => { n++; return m.actions(s); } };
  return { model, calls: () => n };
}

const rows: { proof: string; states: number; plain: number; counting: number; slowdown: number; graph: number; expansions: [number, number] }[] = [];
for (const { file, proof } of await loadProofs(findProofFiles(DEFAULT_PROOFS))) {
  const target = await loadCoverageTarget({ kind: 'proof', file });
  const mod = buildProofModel(proof).module as unknown as ModelModule;
  const plainSpec = { model: compileModelModule({ ...mod, invariants: {} }).model, invariants: {}, checkDeadlock: false };
  // How many states each run expands (actions() calls): the search's, plus the replays that rebuild the witnesses.
  const a = counted(plainSpec.model);
  await searchBfs({ ...plainSpec, model: a.model }, {});
  const b = counted(target.spec.model);
  await searchBfs({ ...target.spec, model: b.model } as never, { observe: true });
  const expansions: [number, number] = [a.calls(), b.calls()];
  let plain = Infinity;
  let counting = Infinity;
  let states = 0;
  for (let r = 0; r < REPEAT; r++) {
    plain = Math.min(plain, await timed(async () => {
      states = (await searchBfs(plainSpec, {})).distinctStates;
    }));
    counting = Math.min(counting, await timed(() => searchBfs(target.spec as never, { observe: true })));
  }
  const mu = machineUniverse(target.compiled, target.machine);
  const graph = await timed(async () => graphPass(target, mu, { cap: 1_000_000 }));
  rows.push({ proof: proof.name, states, plain, counting, slowdown: counting / plain - 1, graph, expansions });
}

const total = (k: 'plain' | 'counting') => rows.reduce((s, r) => s + r[k], 0);
const overall = total('counting') / total('plain') - 1;
if (JSON_OUT) {
  console.log(JSON.stringify({ rows, overall: { slowdown: overall, target: 0.2 } }, null, 2));
} else {
  console.log(`${'proof'.padEnd(40)}${'states'.padStart(8)}${'plain cpu s'.padStart(12)}${'counting cpu s'.padStart(16)}${'slowdown'.padStart(10)}${'graph pass s'.padStart(14)}${'expansions'.padStart(14)}`);
  for (const r of rows) {
    console.log(`${r.proof.padEnd(40)}${String(r.states).padStart(8)}${r.plain.toFixed(3).padStart(12)}${r.counting.toFixed(3).padStart(16)}${`${(100 * r.slowdown).toFixed(1)}%`.padStart(10)}${r.graph.toFixed(3).padStart(14)}${`${r.expansions[0]} / ${r.expansions[1]}`.padStart(14)}`);
  }
  console.log('');
  console.log(`  coverage counting slowdown, all proofs (1 thread, best of ${REPEAT})   ${(100 * overall).toFixed(1)}%   target <= 20%   ${overall <= 0.2 ? 'met' : 'NOT MET'}`);
  console.log('  expansions: actions() calls of the plain search / of the counting one (its witness replays included)');
  console.log(`  load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('  (the graph pass for pairs and paths is a second, single-threaded pass: its time is apart, not a slowdown of the search)');
}
