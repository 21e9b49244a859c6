/**
 * `npm run bench`: runs every benchmark file in this folder (`*.bench.ts`), each in its own process so that
 * memory and JIT state do not leak between them, and prints their reports in order.
 * `npm run bench -- NAME` runs only the benchmarks whose file name contains NAME; extra args after `--` go to each.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [filter, ...rest] = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();
if (files.length === 0) {
  console.error(`bench: no benchmark matches ${filter ?? '*'}`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, [join(here, '../../src/cli/run-ts.js'), join(here, f), ...rest], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
