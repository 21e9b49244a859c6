/**
 * The `handover` command line. Each command lives in its own file under commands/ and registers itself here.
 * Commands return their exit code; errors in user input are typed (exit.ts) and printed as `file: step N: field F: ...`.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE, HandoverInputError, formatInputError } from './exit.ts';
import { registerReplay } from './commands/replay.ts';
import { registerVerify } from './commands/verify.ts';
import { registerExplore } from './commands/explore.ts';
import { registerRandom } from './commands/random.ts';
import { registerCoverage } from './commands/coverage.ts';
import { registerViz } from './commands/viz.ts';

/** What a command's action reports back to main(). */
export interface CommandContext {
  setExitCode(code: number): void;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { setExitCode: (c) => { exitCode = Math.max(exitCode, c); } };
  const program = new Command('handover')
    .description('Verify that iommufd state rebuilt after a kexec live update matches the preserved IOMMU page tables.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerVerify(program, ctx);
  registerReplay(program, ctx);
  registerExplore(program, ctx);
  registerRandom(program, ctx);
  registerCoverage(program, ctx);
  registerViz(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0 through here; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (HandoverInputError.isInputError(err)) {
      process.stderr.write(`handover: ${formatInputError(err.detail)}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  return exitCode;
}
