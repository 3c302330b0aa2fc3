import type { Command } from 'commander';
import { register as registerApply } from './apply.js';
import { register as registerCheck } from './check.js';
import { register as registerDestroy } from './destroy.js';
import { register as registerKeys } from './keys.js';
import { register as registerOperator } from './operator.js';
import { register as registerPlan } from './plan.js';
import { register as registerProvider } from './provider.js';
import { register as registerSchema } from './schema.js';
import { register as registerServe } from './serve.js';
import { register as registerSynth } from './synth.js';
import { register as registerUp } from './up.js';

/** Every subcommand module; each adds itself to the program. */
const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerApply,
  registerCheck,
  registerDestroy,
  registerKeys,
  registerOperator,
  registerPlan,
  registerProvider,
  registerSchema,
  registerServe,
  registerSynth,
  registerUp,
];

export function registerCommands(program: Command): void {
  for (const register of COMMANDS) register(program);
}
