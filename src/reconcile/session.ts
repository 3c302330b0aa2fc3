// One reconcile command's resources: the provider served in this process, the mirror and CLI
// configuration for `terraform init`, the terraform runner, and a private directory for saved
// plans. Stacks are planned and applied one after another (the provider holds one
// configuration at a time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnosticText, parseApplyLine } from './apply-events.js';
import { ReconcileError } from './errors.js';
import { summarizePlan, type PlanSummary } from './plan-summary.js';
import type { Progress } from './progress.js';
import { startProviderHost, type KeyServiceCredentials, type ProviderHost } from './provider-host.js';
import { ensureProviderMirror } from './provider-mirror.js';
import { Terraform } from './terraform.js';

export interface SessionOptions {
  /** Directory for the CLI configuration (and the mirror by default), e.g. `.keywarden/terraform`. */
  readonly terraformDir: string;
  /** Filesystem mirror of the provider, shared by any number of runs. @default `terraformDir`/mirror */
  readonly mirrorDir?: string;
  /** The provider's executable entry, bundled into the mirror when it is missing there. */
  readonly providerEntry: string;
  /** Key service of the first stack (change with `use` per stack). */
  readonly credentials: KeyServiceCredentials;
  /** @default 'terraform' on PATH */
  readonly terraformBinary?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** A stack to run terraform in. */
export interface StackTarget {
  readonly name: string;
  /** Holds the stack's cdk.tf.json. */
  readonly directory: string;
  readonly environments: readonly string[];
}

export interface PlannedStack {
  readonly stack: StackTarget;
  readonly summary: PlanSummary;
  /** The saved plan that `apply` carries out (so what is applied is what was shown). */
  readonly planFile: string;
  readonly destroy: boolean;
}

/**
 * The `terraform plan` of `keywarden plan` (and of the plan bench). Machine-readable output
 * (`-json`): the plan is read back with `show -json`, nobody reads Terraform's human rendering of
 * it, and Terraform renders it at a cost per attribute of every resource (a tenth of its memory
 * traffic for a no-change plan of 300 keys). Errors come from the JSON diagnostics.
 */
export function planArguments(planFile: string, options: { destroy?: boolean } = {}): string[] {
  return ['plan', '-input=false', '-no-color', '-json', '-lock-timeout=30s', `-out=${planFile}`, ...(options.destroy ? ['-destroy'] : [])];
}

export interface ApplyOutcome {
  /** Resources changed (complete events). */
  readonly applied: number;
}

export class ReconcileSession {
  private planCount = 0;

  private constructor(
    private readonly host: ProviderHost,
    readonly terraform: Terraform,
    private readonly planDir: string,
    private readonly secrets: string[],
  ) {}

  /** Installs the mirror when needed, starts the provider, prepares terraform. */
  static async open(options: SessionOptions): Promise<ReconcileSession> {
    const env = options.env ?? process.env;
    const mirror = await ensureProviderMirror({
      mirrorDir: options.mirrorDir ?? join(options.terraformDir, 'mirror'),
      cliConfigFile: join(options.terraformDir, 'terraform.rc'),
      entry: options.providerEntry,
    });
    const host = await startProviderHost(options.credentials, env);
    const secrets = [options.credentials.apiKey];
    const redact = (text: string) => secrets.reduce((t, s) => (s.length >= 8 ? t.split(s).join('[redacted]') : t), text);
    const terraform = new Terraform({
      redact,
      cliConfigFile: mirror.cliConfigFile,
      reattachProviders: host.reattachProviders,
      env,
      ...(options.terraformBinary !== undefined ? { binary: options.terraformBinary } : {}),
    });
    return new ReconcileSession(host, terraform, mkdtempSync(join(tmpdir(), 'kw-plan-')), secrets);
  }

  /** Points the provider at another key service (for the next stack). */
  use(credentials: KeyServiceCredentials): void {
    this.host.use(credentials);
    if (!this.secrets.includes(credentials.apiKey)) this.secrets.push(credentials.apiKey);
  }

  /** `terraform init` (offline, from the mirror) then `terraform plan -out`, read back as a summary. */
  async plan(stack: StackTarget, options: { destroy?: boolean } = {}): Promise<PlannedStack> {
    await this.init(stack);
    const planFile = join(this.planDir, `${++this.planCount}.tfplan`);
    const errors: string[] = [];
    const result = await this.terraform.run(planArguments(planFile, options), {
      cwd: stack.directory,
      onLine: (line) => {
        const event = parseApplyLine(line);
        if (event?.type === 'diagnostic' && event.severity === 'error') errors.push(diagnosticText(event));
      },
    });
    if (result.code !== 0) {
      const said = errors.length > 0 ? errors.join('\n') : result.stderr.trim() || 'no message';
      throw new ReconcileError('terraformFailed', this.terraform.redact(`terraform plan in ${stack.directory} exited ${result.code}:\n${said}\n`));
    }
    const shown = await this.terraform.check(['show', '-json', '-no-color', planFile], { cwd: stack.directory });
    return { stack, summary: summarizePlan(shown.stdout), planFile, destroy: options.destroy === true };
  }

  /** Carries out a saved plan, reporting each resource to `progress` by its key name. */
  async apply(planned: PlannedStack, progress: Progress): Promise<ApplyOutcome> {
    const names = new Map(planned.summary.changes.map((c) => [c.address, c.name]));
    const actions = new Map(planned.summary.changes.map((c) => [c.address, c.action]));
    const errors: string[] = [];
    const startedAt = new Map<string, number>();
    let applied = 0;
    progress.begin(planned.stack.name, planned.summary.changes.length);
    const result = await this.terraform.run(['apply', '-input=false', '-no-color', '-json', '-lock-timeout=30s', planned.planFile], {
      cwd: planned.stack.directory,
      onLine: (line) => {
        const event = parseApplyLine(line);
        if (event === undefined) return;
        if (event.type === 'diagnostic') {
          if (event.severity === 'error') errors.push(diagnosticText(event, (address) => names.get(address) ?? address));
          else progress.line(`  warning: ${event.summary}`);
          return;
        }
        const name = names.get(event.address) ?? event.address;
        // Terraform reports whole seconds; time the steps here instead.
        if (event.type === 'start' && !startedAt.has(event.address)) startedAt.set(event.address, performance.now());
        const seconds = (performance.now() - (startedAt.get(event.address) ?? performance.now())) / 1000;
        // A replacement shows as its delete and create steps; report it once, as a replacement.
        const action = actions.get(event.address) === 'replace' ? 'replace' : event.action;
        if (event.type === 'start') progress.started(name, action);
        else if (event.type === 'complete') {
          if (actions.get(event.address) === 'replace' && event.action === 'delete') return;
          applied += 1;
          progress.finished(name, action, seconds, true);
        } else progress.finished(name, action, seconds, false);
      },
    });
    progress.end();
    if (result.code !== 0) {
      const said = errors.length > 0 ? errors.join('\n') : (result.stderr.trim() || 'no message');
      throw new ReconcileError('terraformFailed', this.terraform.redact(`terraform apply in ${planned.stack.directory} exited ${result.code}:\n${said}\n`));
    }
    return { applied };
  }

  async close(): Promise<void> {
    rmSync(this.planDir, { recursive: true, force: true });
    await this.host.close();
  }

  private async init(stack: StackTarget): Promise<void> {
    const args = ['init', '-input=false', '-no-color'];
    const first = await this.terraform.run(args, { cwd: stack.directory, attach: false });
    if (first.code === 0) return;
    // The mirror was bundled afresh since the lock file was written: record the new hash.
    if (!/checksum|lock file/i.test(first.stderr)) await this.terraform.check(args, { cwd: stack.directory, attach: false });
    else await this.terraform.check([...args, '-upgrade'], { cwd: stack.directory, attach: false });
  }
}
