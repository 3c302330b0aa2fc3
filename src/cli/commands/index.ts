import type { Command } from 'commander';
import { register as registerCheck } from './check.js';
import { register as registerKeys } from './keys.js';
import { register as registerOperator } from './operator.js';
import { register as registerProvider } from './provider.js';
import { register as registerSchema } from './schema.js';
import { register as registerServe } from './serve.js';

/** Every subcommand module; each adds itself to the program. */
const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerCheck,
  registerKeys,
  registerOperator,
  registerProvider,
  registerSchema,
  registerServe,
];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
