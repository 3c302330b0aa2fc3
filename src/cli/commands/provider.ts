// `keywarden provider install|serve`: the Terraform provider `keywarden`.
// install: bundles the provider into one file and lays it out in a filesystem mirror (default
// ~/.terraform.d/plugins, which terraform init searches without configuration), and prints or
// writes the CLI configuration that selects that mirror, so `terraform init` works offline.
// serve --reattach: one long-running provider process for many Terraform commands; prints the
// TF_REATTACH_PROVIDERS value to export. Without --reattach it serves as Terraform starts it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../main.js';

export interface ProviderInstallFlags {
  dir?: string;
  printConfig?: boolean;
  configFile?: string;
}

/** The provider's executable entry next to this module: compiled (dist/) or source (tsx). */
export function providerEntry(): string {
  for (const name of ['../../provider/main.js', '../../provider/main.ts']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the provider entry (provider/main.js) is missing from this installation of keywarden; run npm run build');
}

/** Runs `keywarden provider install`; returns the exit code. */
export async function runProviderInstall(flags: ProviderInstallFlags, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  // Loaded here: esbuild and the provider code are needed by this subcommand only.
  const { defaultMirrorDirectory, installProvider, cliConfiguration, writeCliConfiguration } = await import('../../provider/install.js');
  const { PROVIDER_ADDRESS, PROVIDER_VERSION } = await import('../../provider/keywarden/index.js');
  const mirrorDir = flags.dir ?? defaultMirrorDirectory();
  let installed;
  try {
    installed = await installProvider({ entry: providerEntry(), mirrorDir, address: PROVIDER_ADDRESS, version: PROVIDER_VERSION });
  } catch (error) {
    io.stderr.write(`keywarden provider install: cannot install into ${mirrorDir}: ${error instanceof Error ? error.message : String(error)}. Check that the directory is writable.\n`);
    return EXIT_USAGE;
  }
  if (flags.printConfig) io.stdout.write(cliConfiguration(installed.mirrorDir, [PROVIDER_ADDRESS]));
  if (flags.configFile !== undefined) {
    const written = writeCliConfiguration(flags.configFile, installed.mirrorDir, [PROVIDER_ADDRESS]);
    io.stderr.write(`Wrote the Terraform CLI configuration to ${written}; export TF_CLI_CONFIG_FILE=${written}\n`);
  }
  io.stderr.write(`Installed ${PROVIDER_ADDRESS} ${PROVIDER_VERSION} at ${installed.executable}\n`);
  if (!flags.printConfig && flags.configFile === undefined && flags.dir !== undefined) {
    io.stderr.write('Terraform looks in this directory only when a CLI configuration names it: add --print-config or --config-file FILE.\n');
  }
  return EXIT_OK;
}

export function register(program: Command): void {
  const provider = program.command('provider').description('The Terraform provider keywarden (registry.terraform.io/keywarden/keywarden)');
  provider
    .command('install')
    .description('Bundle the provider and install it into a Terraform filesystem mirror, for terraform init with no network')
    .option('--dir <dir>', 'filesystem mirror directory (default: ~/.terraform.d/plugins, searched by terraform without configuration)')
    .option('--print-config', 'print the Terraform CLI configuration that selects the mirror to standard output')
    .option('--config-file <file>', 'write that CLI configuration to FILE (then export TF_CLI_CONFIG_FILE=FILE)')
    .action(async (flags: ProviderInstallFlags) => {
      process.exitCode = await runProviderInstall(flags, { stdout: process.stdout, stderr: process.stderr });
    });
  provider
    .command('serve')
    .description('Serve the provider: with --reattach, one long-running process that Terraform commands attach to')
    .option('--reattach', 'print TF_REATTACH_PROVIDERS=... to export, and serve until Ctrl-C or SIGTERM')
    .action(async (flags: { reattach?: boolean }) => {
      const [{ main }, { keywardenProvider }] = await Promise.all([import('../../provider/plugin/index.js'), import('../../provider/keywarden/index.js')]);
      await main(keywardenProvider, flags.reattach ? ['--reattach'] : []);
    });
}
