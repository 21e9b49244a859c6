// Placeholder: the `verify` command is being written. Replace this file.
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';

export function registerVerify(program: Command, _ctx: CommandContext): void {
  program.command('verify').description('(not yet implemented)').action(() => {
    throw new Error('verify: not implemented yet');
  });
}
