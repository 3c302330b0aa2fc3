// `keywarden up`: the main job on a machine with nothing configured — embedded key service,
// policy check, synthesis, plan and apply of what is reachable offline, keys listed (masked)
// and one delivered key verified. See docs/apply.md.
import type { Command } from 'commander';
import { providerEntry } from './provider.js';

interface UpFlags {
  project?: string;
  dataDir?: string;
  terraform?: string;
}

export function register(program: Command): void {
  program
    .command('up')
    .description('Run the project locally: embedded key service, check, synthesize, apply test environments with file delivery, verify')
    .option('--project <file>', 'project file (default: keywarden.yaml in the working directory)')
    .option('--data-dir <dir>', 'key store, pepper, Terraform state and provider mirror (default: .keywarden beside the project file)')
    .option('--terraform <path>', 'terraform executable [KEYWARDEN_TERRAFORM] (default: terraform on PATH)')
    .addHelpText('after', '\nExit codes: 0 done, 1 policy errors, a failed Terraform run or a delivered key not accepted, 2 usage errors. See docs/apply.md.')
    .action(async (flags: UpFlags) => {
      const { runUp } = await import('../../reconcile/index.js');
      const result = await runUp(
        {
          providerEntry: providerEntry(),
          ...(flags.project !== undefined ? { project: flags.project } : {}),
          ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
          ...(flags.terraform !== undefined ? { terraform: flags.terraform } : {}),
        },
        { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
      );
      process.exitCode = result.exitCode;
    });
}
