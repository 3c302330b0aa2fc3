// The `keywarden` command: thin glue over the modules. Each subcommand lives in
// commands/<name>.ts and exports `register(program)`; add it to COMMANDS below.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';

/** Exit codes shared by every subcommand (STYLE.md rule 9). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('keywarden')
    .description('API keys as code: check specs, run the key service, reconcile keys.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI with `argv` (as in process.argv) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here with exit code 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw err;
  }
}
