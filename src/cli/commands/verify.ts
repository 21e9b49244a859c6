/**
 * `handover verify` (`npm run verify`). For now: replays the conformance corpus, every `*.trace.json` under
 * proofs/conformance/, and prints a table (trace, selftest source, steps, expectations met, invariant breaks,
 * verdict). The proof runner of a later issue adds the proofs beside it and calls `verifyCorpus` for this part.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, formatInputError, HandoverInputError } from '../exit.ts';
import { formatCorpusTable, formatFailures, KERNEL_API, replayCorpus } from '../../trace/index.ts';
import type { CorpusResult, CorpusRow, KernelApi } from '../../trace/index.ts';

/** proofs/conformance of this repository. */
export const DEFAULT_CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../proofs/conformance');

const HELP = `
The corpus is every *.trace.json under the corpus directory (recursively, in path order), each replayed
as \`handover replay\` does. The table shows each trace's "source" field: the selftest it comes from.

--json: one JSON document {"corpus", "traces": [{"trace", "source", "summary"} or {"trace", "source",
"errors"}], "totals", "ok"}; the summaries are those of \`handover replay --json\`.

Exit status: 0 every trace PASS; 1 some trace FAIL (an expectation not met, an invariant broken, a step
not modelled); 2 some trace unusable (listed with its errors; the others still run).`;

/** The corpus result as one JSON document. */
export function corpusJson(result: CorpusResult, shownDir: string): unknown {
  const traces = result.entries.map((e) => ('report' in e
    ? { trace: e.name, ...(e.source !== undefined ? { source: e.source } : {}), summary: e.report.summary }
    : { trace: e.name, ...(e.source !== undefined ? { source: e.source } : {}), errors: e.errors.map(formatInputError) }));
  const ran = result.entries.flatMap((e) => ('report' in e ? [e.report.summary] : []));
  return {
    corpus: shownDir,
    traces,
    totals: {
      traces: result.entries.length,
      pass: ran.filter((s) => s.verdict === 'PASS').length,
      fail: ran.filter((s) => s.verdict === 'FAIL').length,
      invalid: result.entries.length - ran.length,
      steps: ran.reduce((n, s) => n + s.steps, 0),
      checked: ran.reduce((n, s) => n + s.checked, 0),
      met: ran.reduce((n, s) => n + s.met, 0),
      violations: ran.reduce((n, s) => n + s.violations, 0),
    },
    ok: result.ok,
  };
}

/** Replays the corpus in `dir` (shown as given) and writes the table (or JSON); returns the exit code. */
export function verifyCorpus<K>(dir: string, json: boolean, api: KernelApi<K>, write: (s: string) => void): number {
  const result = replayCorpus(dir, api);
  if (json) {
    write(`${JSON.stringify(corpusJson(result, dir), null, 2)}\n`);
  } else {
    const rows: CorpusRow[] = result.entries.map((e) => ('report' in e
      ? { file: e.name, ...(e.source !== undefined ? { source: e.source } : {}), summary: e.report.summary }
      : { file: e.name, ...(e.source !== undefined ? { source: e.source } : {}), errors: e.errors }));
    const out = [`conformance corpus: ${dir}`, '', ...formatCorpusTable(rows)];
    for (const e of result.entries) {
      if ('errors' in e) out.push('', `INVALID ${e.name}:`, ...e.errors.map((x) => `  ${formatInputError(x)}`));
      else if (e.report.summary.verdict !== 'PASS') out.push('', `FAIL ${e.name}:`, ...formatFailures(e.report));
    }
    write(`${out.join('\n')}\n`);
  }
  if (result.invalid) return EXIT_USAGE;
  return result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** Registers `handover verify`. */
export function registerVerify(program: Command, ctx: CommandContext): void {
  program
    .command('verify')
    .description('replay the conformance corpus (proofs/conformance) and print a verdict table')
    .option('--json', 'the results as one JSON document')
    .option('--corpus <dir>', 'the corpus directory (default: proofs/conformance of this repository)')
    .addHelpText('after', HELP)
    .action((opts: { json?: boolean; corpus?: string }) => {
      const given = opts.corpus ?? DEFAULT_CORPUS;
      // Paths in messages relative to where the user is, as they would type them.
      const dir = relative(process.cwd(), resolve(given)) || '.';
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new HandoverInputError({ kind: 'io', file: given, message: 'no such directory' });
      }
      ctx.setExitCode(verifyCorpus(dir, opts.json === true, KERNEL_API, (s) => { process.stdout.write(s); }));
    });
}
