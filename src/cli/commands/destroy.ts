// `keywarden destroy`: plan the revocation of every key of the stacks, show it, ask (or
// --auto-approve), then revoke with progress per key. See docs/apply.md.
import type { Command } from 'commander';
import { addReconcileFlags, runReconcileCommand, type ReconcileFlags } from './plan.js';

export function register(program: Command): void {
  addReconcileFlags(program.command('destroy').description('Revoke every key of the project\'s stacks (the records stay in the key service for audit)'))
    .option('--auto-approve', 'revoke without asking (required when standard input is not a terminal)')
    .addHelpText('after', '\nExit codes: 0 revoked (or nothing to do), 1 Terraform failure or cancelled, 2 usage errors. See docs/apply.md.')
    .action(async (flags: ReconcileFlags) => {
      process.exitCode = await runReconcileCommand('destroy', flags);
    });
}
