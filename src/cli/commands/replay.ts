// Placeholder: the `replay` command is being written. Replace this file.
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';

export function registerReplay(program: Command, _ctx: CommandContext): void {
  program.command('replay').description('(not yet implemented)').action(() => {
    throw new Error('replay: not implemented yet');
  });
}
