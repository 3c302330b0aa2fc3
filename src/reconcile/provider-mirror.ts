// The filesystem mirror `terraform init` installs the keywarden provider from, offline. Bundled
// once (a few seconds) and reused: the commands attach terraform to the provider served in
// this process, so the mirrored copy only lets `terraform init` record the provider in the lock
// file (and lets anyone run plain terraform in a stack directory afterwards). Installed into a
// temporary directory and renamed into place, so concurrent runs never see half a bundle.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installProvider, terraformPlatform, writeCliConfiguration } from '../provider/install.js';
import { PROVIDER_ADDRESS, PROVIDER_VERSION } from '../provider/keywarden/index.js';
import { ReconcileError } from './errors.js';

export interface ProviderMirror {
  /** The CLI configuration selecting the mirror (TF_CLI_CONFIG_FILE). */
  readonly cliConfigFile: string;
  readonly mirrorDir: string;
  /** True when this call bundled the provider. */
  readonly installed: boolean;
}

/** The mirror's package directory of this provider version and platform. */
function packageDirectory(mirrorDir: string): string {
  const [host = '', namespace = '', type = ''] = PROVIDER_ADDRESS.split('/');
  return join(mirrorDir, host, namespace, type, PROVIDER_VERSION, terraformPlatform());
}

/**
 * Makes sure `mirrorDir` holds this version of the provider (bundling `entry` when it does not)
 * and writes `cliConfigFile` selecting it.
 */
export async function ensureProviderMirror(options: { mirrorDir: string; cliConfigFile: string; entry: string }): Promise<ProviderMirror> {
  let installed = false;
  const target = packageDirectory(options.mirrorDir);
  if (!existsSync(target)) {
    const staging = `${options.mirrorDir}.installing-${process.pid}-${Date.now()}`;
    try {
      await installProvider({ entry: options.entry, mirrorDir: staging, address: PROVIDER_ADDRESS, version: PROVIDER_VERSION });
      mkdirSync(dirname(target), { recursive: true });
      try {
        renameSync(packageDirectory(staging), target);
        installed = true;
      } catch (error) {
        // Another run installed it meanwhile: theirs is as good as ours.
        if (!existsSync(target)) throw error;
      }
    } catch (error) {
      throw new ReconcileError('providerInstallFailed', `cannot bundle the provider into ${options.mirrorDir}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const cliConfigFile = writeCliConfiguration(options.cliConfigFile, options.mirrorDir, [PROVIDER_ADDRESS]);
  return { cliConfigFile, mirrorDir: options.mirrorDir, installed };
}
