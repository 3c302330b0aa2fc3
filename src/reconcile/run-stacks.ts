// `keywarden plan | apply | destroy`: synthesize the project, then per stack terraform init
// (offline, from the mirror), plan, and for apply/destroy carry out exactly the saved plan that
// was shown, with progress per key. One provider is served from this process for the whole
// command; it gets the key service endpoint and API key from here, never through Terraform.
import { dirname, join, resolve } from 'node:path';
import { loadSpecs } from '../spec/index.js';
import { PolicyBlockedError, StackError, synthesize, type SynthesizedStack } from '../stack/index.js';
import { credentialsFor, resolveApiKey, type CredentialFlags } from './credentials.js';
import { ReconcileError } from './errors.js';
import { appliedLine, hasChanges, isPlanFormat, renderPlan, type PlanFormat, type StackPlan } from './plan-report.js';
import { Progress, type ProgressStream } from './progress.js';
import type { KeyServiceCredentials } from './provider-host.js';
import { ReconcileSession, type PlannedStack } from './session.js';

export type ReconcileCommand = 'plan' | 'apply' | 'destroy';

/** Options of plan/apply/destroy; the CLI flags map onto them one to one. */
export interface ReconcileOptions extends CredentialFlags {
  /** Project file. @default keywarden.yaml in the working directory */
  readonly project?: string;
  /** Only these environments. @default all of the project file */
  readonly environments?: readonly string[];
  /** Report format of the plan: text, markdown, json. @default 'text' */
  readonly format?: string;
  /** plan: exit 2 when there are changes (0 none, 1 error). @default false */
  readonly detailedExitcode?: boolean;
  /** apply/destroy: do not ask before changing anything. @default false */
  readonly autoApprove?: boolean;
  /** The terraform executable. @default KEYWARDEN_TERRAFORM, else `terraform` on PATH */
  readonly terraform?: string;
  /** The provider's executable entry, bundled into the mirror when missing. */
  readonly providerEntry: string;
  /** Provider mirror. @default <project dir>/.keywarden/terraform/mirror */
  readonly mirrorDir?: string;
}

export interface ReconcileIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Asks a yes/no question on the terminal; undefined when standard input is not a terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** Runs the command; resolves to its exit code (never throws on bad input or a failed Terraform run). */
export async function runReconcile(command: ReconcileCommand, options: ReconcileOptions, io: ReconcileIo): Promise<number> {
  try {
    return await reconcile(command, options, io);
  } catch (error) {
    if (error instanceof ReconcileError) {
      io.stderr.write(`keywarden ${command}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof PolicyBlockedError) {
      io.stderr.write(`keywarden ${command}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof StackError) {
      io.stderr.write(`keywarden ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function reconcile(command: ReconcileCommand, options: ReconcileOptions, io: ReconcileIo): Promise<number> {
  const format = options.format ?? 'text';
  if (!isPlanFormat(format)) throw new ReconcileError('unknownFormat', `--format ${JSON.stringify(format)}`);
  const apiKey = resolveApiKey(options, io.env);
  const project = resolve(io.cwd, options.project ?? 'keywarden.yaml');
  const root = dirname(project);
  const log = (text: string) => io.stderr.write(`${text}\n`);

  const synth = await synthesize({ project, ...(options.environments !== undefined ? { environments: options.environments } : {}) });
  log(`Synthesized ${synth.stacks.length} stack${synth.stacks.length === 1 ? '' : 's'} (${synth.stacks.reduce((n, s) => n + s.keys.length, 0)} keys) into ${synth.outdir}`);
  if (synth.stacks.length === 0) {
    io.stdout.write('No stacks: the project selects no environment.\n');
    return 0;
  }
  const credentials = await stackCredentials(synth.stacks, options, io.env, apiKey, project);
  const session = await ReconcileSession.open({
    terraformDir: join(root, '.keywarden', 'terraform'),
    ...(options.mirrorDir !== undefined ? { mirrorDir: options.mirrorDir } : {}),
    providerEntry: options.providerEntry,
    credentials: credentials.get(synth.stacks[0]!.name)!,
    env: io.env,
    ...terraformBinary(options, io.env),
  });
  try {
    const planned: PlannedStack[] = [];
    for (const stack of synth.stacks) {
      log(`Planning ${stack.name}…`);
      session.use(credentials.get(stack.name)!);
      planned.push(await session.plan(stack, { destroy: command === 'destroy' }));
    }
    const report = { stacks: planned.map(stackPlan), skipped: [] };
    io.stdout.write(renderPlan(format, report));
    if (command === 'plan') return options.detailedExitcode && hasChanges(report) ? 2 : 0;
    if (!hasChanges(report)) return 0;
    if (!options.autoApprove) {
      if (io.confirm === undefined) throw new ReconcileError('approvalRequired', `keywarden ${command} would change keys`);
      if (!(await io.confirm(`${command === 'destroy' ? 'Revoke' : 'Apply'} these changes? Only "yes" is accepted: `))) {
        io.stderr.write(`keywarden ${command}: cancelled; nothing changed.\n`);
        return 1;
      }
    }
    const progress = new Progress(io.stderr, session.terraform.redact);
    for (const plan of planned) {
      if (plan.summary.changes.length === 0) continue;
      session.use(credentials.get(plan.stack.name)!);
      await session.apply(plan, progress);
    }
    // After a JSON report, standard output stays one JSON document: the closing line goes to the log.
    const done = format === 'json' ? io.stderr : io.stdout;
    done.write(`${appliedLine(command === 'destroy', planned.flatMap((p) => p.summary.changes))}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/** The plan of one stack as the report shows it. */
export function stackPlan(planned: PlannedStack): StackPlan {
  return { stack: planned.stack.name, environments: planned.stack.environments, summary: planned.summary };
}

export function terraformBinary(options: { terraform?: string }, env: NodeJS.ProcessEnv): { terraformBinary?: string } {
  const binary = options.terraform ?? env.KEYWARDEN_TERRAFORM;
  return binary ? { terraformBinary: binary } : {};
}

async function stackCredentials(
  stacks: readonly SynthesizedStack[],
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv,
  apiKey: string,
  project: string,
): Promise<Map<string, KeyServiceCredentials>> {
  // The project file's endpoints are read only when neither the flag nor the variable gives one.
  const endpoints = (flags.endpoint ?? env.KEYWARDEN_ENDPOINT) ? undefined : (await loadSpecs([], { projectFile: project, cwd: dirname(project) })).project.environments;
  return new Map(stacks.map((s) => [s.name, credentialsFor(flags, env, apiKey, s.name, s.environments.map((e) => endpoints?.[e]?.endpoint))]));
}
