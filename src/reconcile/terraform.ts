// Running the terraform binary: asynchronously (the key service and the reattached provider may
// live in this very process), with an environment built once per command, output captured, and
// every line optionally streamed to a callback (for `-json` progress).
import { spawn } from 'node:child_process';
import { terraformEnvironment } from '../provider/install.js';
import { ReconcileError } from './errors.js';

/** Variables never handed to terraform: the provider runs in this process and reads them from here. */
const WITHHELD = ['KEYWARDEN_API_KEY', 'KEYWARDEN_ENDPOINT', 'KEYWARDEN_PEPPER', 'TF_REATTACH_PROVIDERS', 'TF_CLI_ARGS'];

export interface TerraformOptions {
  /** The terraform executable. @default 'terraform' (searched on PATH) */
  readonly binary?: string;
  /** CLI configuration file (provider installation from the mirror). */
  readonly cliConfigFile: string;
  /** TF_REATTACH_PROVIDERS value of the provider served by this process. */
  readonly reattachProviders?: string;
  /** Base environment. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Applied to terraform's messages before they go into an error (removes secrets). @default identity */
  readonly redact?: (text: string) => string;
}

export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Called with each complete stdout line as it arrives. */
  readonly onLine?: (line: string) => void;
  /**
   * Attach to the provider served by this process. `terraform init` runs detached, so that it
   * installs the provider from the mirror and records it in the lock file. @default true
   */
  readonly attach?: boolean;
}

/** One terraform binary with one environment, for every step of a command. */
export class Terraform {
  readonly binary: string;
  readonly redact: (text: string) => string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly attachedEnv: NodeJS.ProcessEnv;

  constructor(options: TerraformOptions) {
    this.binary = options.binary ?? 'terraform';
    this.redact = options.redact ?? ((text) => text);
    const base = { ...(options.env ?? process.env) };
    for (const name of WITHHELD) delete base[name];
    this.env = terraformEnvironment(options.cliConfigFile, base);
    this.attachedEnv = { ...this.env, ...(options.reattachProviders !== undefined ? { TF_REATTACH_PROVIDERS: options.reattachProviders } : {}) };
  }

  /** Runs `terraform ARGS` in `cwd`; resolves with the exit code (never rejects on a non-zero code). */
  run(args: readonly string[], options: RunOptions): Promise<TerraformResult> {
    return new Promise((resolve, reject) => {
      // Its own process group: Ctrl-C reaches this process only, which stays alive (it serves the
      // provider and may run the key service) and hands terraform exactly one interrupt, so
      // terraform stops gracefully and writes its state; a second Ctrl-C is passed on as well.
      const child = spawn(this.binary, [...args], {
        cwd: options.cwd,
        env: options.attach === false ? this.env : this.attachedEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const interrupt = (): void => {
        child.kill('SIGINT');
      };
      process.on('SIGINT', interrupt);
      process.on('SIGTERM', interrupt);
      let stdout = '';
      let stderr = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        stdout += text;
        if (options.onLine === undefined) return;
        pending += text;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          options.onLine(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const release = (): void => {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        release();
        reject(error.code === 'ENOENT' ? new ReconcileError('terraformMissing', `"${this.binary}" was not found`) : error);
      });
      child.on('close', (code) => {
        release();
        if (options.onLine !== undefined && pending !== '') options.onLine(pending);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }

  /** Runs `terraform ARGS`; a non-zero exit becomes KWR002 with Terraform's own message. */
  async check(args: readonly string[], options: RunOptions): Promise<TerraformResult> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-40).join('\n');
      throw new ReconcileError('terraformFailed', this.redact(`terraform ${args[0] ?? ''} in ${options.cwd} exited ${result.code}:\n${said}\n`));
    }
    return result;
  }
}
