// `keywarden apply`: plan every stack, show the summary, ask (or --auto-approve), then carry out
// exactly that plan with progress per key. See docs/apply.md.
import type { Command } from 'commander';
import { addReconcileFlags, runReconcileCommand, type ReconcileFlags } from './plan.js';

export function register(program: Command): void {
  addReconcileFlags(program.command('apply').description('Create, update and revoke keys so that the key service matches the specs'))
    .option('--auto-approve', 'apply without asking (required when standard input is not a terminal)')
    .addHelpText('after', '\nExit codes: 0 applied (or nothing to do), 1 Terraform or policy failure or cancelled, 2 usage errors. See docs/apply.md.')
    .action(async (flags: ReconcileFlags) => {
      process.exitCode = await runReconcileCommand('apply', flags);
    });
}
