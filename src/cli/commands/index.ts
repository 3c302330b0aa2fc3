import type { Command } from 'commander';

/** Every subcommand module; each adds itself to the program. */
const COMMANDS: ReadonlyArray<(program: Command) => void> = [];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
