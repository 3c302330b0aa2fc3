// Test support: the keywarden provider bundled from src/provider/main.ts into a throw-away
// filesystem mirror, with the CLI configuration that selects it, and a runner for the real
// terraform binary (offline, one working directory).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installProvider, terraformEnvironment, writeCliConfiguration, type InstalledProvider } from '../../../src/provider/install.js';
import { PROVIDER_ADDRESS, PROVIDER_VERSION } from '../../../src/provider/keywarden/index.js';

export const TERRAFORM = '/usr/local/bin/terraform';
export const terraformMissing = existsSync(TERRAFORM)
  ? undefined
  : `terraform not found at ${TERRAFORM}: install Terraform ≥ 1.11 (https://developer.hashicorp.com/terraform/install) to run the keywarden provider end-to-end tests`;

/** Bundles the keywarden provider into `dir/mirror` and writes `dir/terraform.rc` selecting it. */
export async function installKeywarden(dir: string): Promise<{ installed: InstalledProvider; cliConfig: string }> {
  const installed = await installProvider({
    entry: new URL('../../../src/provider/main.ts', import.meta.url).pathname,
    mirrorDir: join(dir, 'mirror'),
    address: PROVIDER_ADDRESS,
    version: PROVIDER_VERSION,
  });
  const cliConfig = writeCliConfiguration(join(dir, 'terraform.rc'), installed.mirrorDir, [PROVIDER_ADDRESS]);
  return { installed, cliConfig };
}

export interface TerraformResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `terraform ARGS -no-color` in `cwd` with the CLI configuration and `env` added.
 * Asynchronous on purpose: the key service under test may run in this very process.
 */
export function runTerraform(cwd: string, cliConfig: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<TerraformResult> {
  const child = spawn(TERRAFORM, [...args, '-no-color'], {
    cwd,
    env: { ...terraformEnvironment(cliConfig), TF_DATA_DIR: join(cwd, '.terraform'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
