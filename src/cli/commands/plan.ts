// `keywarden plan`: synthesize, terraform init (offline) and plan every stack, and summarise per
// key what would change. See docs/apply.md.
import { Command, Option } from 'commander';
import type { ReconcileCommand, ReconcileOptions } from '../../reconcile/index.js';
import { providerEntry } from './provider.js';

/** Raw flag values of plan/apply/destroy as commander hands them over. */
export interface ReconcileFlags {
  project?: string;
  environment?: string[];
  format?: string;
  detailedExitcode?: boolean;
  autoApprove?: boolean;
  endpoint?: string;
  apiKeyFile?: string;
  terraform?: string;
}

/** The flags plan, apply and destroy share. */
export function addReconcileFlags(command: Command): Command {
  return command
    .option('--project <file>', 'project file (default: keywarden.yaml in the working directory)')
    .option('--environment <name>', 'only this environment; repeatable (default: every environment)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('-f, --format <format>', 'plan summary format: text, markdown (a pull-request comment), json').default('text'))
    .option('--endpoint <url>', 'key service for every stack [KEYWARDEN_ENDPOINT] (default: the environment\'s endpoint in the project file)')
    .option('--api-key-file <file>', 'file holding the API key (default: KEYWARDEN_API_KEY)')
    .option('--terraform <path>', 'terraform executable [KEYWARDEN_TERRAFORM] (default: terraform on PATH)');
}

/** Runs plan/apply/destroy with the process's streams; resolves to the exit code. */
export async function runReconcileCommand(command: ReconcileCommand, flags: ReconcileFlags): Promise<number> {
  const { runReconcile } = await import('../../reconcile/index.js');
  const options: ReconcileOptions = {
    providerEntry: providerEntry(),
    ...(flags.project !== undefined ? { project: flags.project } : {}),
    ...(flags.environment !== undefined ? { environments: flags.environment } : {}),
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.detailedExitcode ? { detailedExitcode: true } : {}),
    ...(flags.autoApprove ? { autoApprove: true } : {}),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(flags.apiKeyFile !== undefined ? { apiKeyFile: flags.apiKeyFile } : {}),
    ...(flags.terraform !== undefined ? { terraform: flags.terraform } : {}),
  };
  return runReconcile(command, options, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(process.stdin.isTTY ? { confirm: askYes } : {}),
  });
}

async function askYes(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  addReconcileFlags(program.command('plan').description('Plan the keys of the project\'s stacks and summarise the changes per key (nothing is changed)'))
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on errors')
    .addHelpText('after', '\nExit codes: 0 planned; with --detailed-exitcode 0 no changes, 2 changes; 1 Terraform or policy failure; 2 usage errors. See docs/apply.md.')
    .action(async (flags: ReconcileFlags) => {
      process.exitCode = await runReconcileCommand('plan', flags);
    });
}
