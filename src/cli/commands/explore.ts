// Placeholder: the `explore` command is being written. Replace this file.
import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';

export function registerExplore(program: Command, _ctx: CommandContext): void {
  program.command('explore').description('(not yet implemented)').action(() => {
    throw new Error('explore: not implemented yet');
  });
}
