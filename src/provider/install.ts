// Offline installation of a TypeScript provider: bundle its entry into JavaScript modules
// (fast start: no module resolution, no TypeScript loader, lazy code in chunks), lay it out in a Terraform
// filesystem mirror, and write the CLI configuration that makes `terraform init` take it from
// there with no network.
import { build, type Plugin } from 'esbuild';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of installProvider. */
export interface InstallOptions {
  /** The provider's executable entry (TypeScript or JavaScript), e.g. `src/provider/main.ts`. */
  readonly entry: string;
  /** Filesystem mirror directory. @default defaultMirrorDirectory() */
  readonly mirrorDir?: string;
  /** Source address `HOST/NAMESPACE/TYPE`, e.g. `registry.terraform.io/keywarden/keywarden`. */
  readonly address: string;
  /** Provider version, e.g. `0.1.0`. */
  readonly version: string;
  /** Node.js executable the launcher runs. @default process.execPath */
  readonly nodePath?: string;
  /** Terraform platform directory. @default terraformPlatform() */
  readonly platform?: string;
}

/** What installProvider laid down. */
export interface InstalledProvider {
  /** The launcher Terraform runs: `.../terraform-provider-TYPE_vVERSION`. */
  readonly executable: string;
  /** The bundle's entry module the launcher starts (its chunks lie beside it). */
  readonly bundle: string;
  readonly address: string;
  readonly version: string;
  readonly mirrorDir: string;
}

/** Terraform's implicit local mirror on Unix, searched by `terraform init` without any CLI configuration. */
export function defaultMirrorDirectory(): string {
  return join(homedir(), '.terraform.d', 'plugins');
}

/** Terraform's `OS_ARCH` name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${platform === 'win32' ? 'windows' : platform}_${archNames[arch] ?? arch}`;
}

/** Splits `HOST/NAMESPACE/TYPE`; throws on anything else (a usage error at the caller's boundary). */
export function parseAddress(address: string): { host: string; namespace: string; type: string } {
  const parts = address.split('/');
  if (parts.length !== 3 || parts.some((p) => !/^[a-z0-9][a-z0-9._-]*$/i.test(p))) {
    throw new Error(`provider address "${address}" must be HOST/NAMESPACE/TYPE, e.g. registry.terraform.io/keywarden/keywarden`);
  }
  const [host = '', namespace = '', type = ''] = parts;
  return { host, namespace, type };
}

/** File name of the bundle's entry module inside the package directory. */
export const BUNDLE_ENTRY = 'provider.bundle.mjs';
/** File name of the CommonJS launcher the executable runs (handshake first, then the bundle). */
export const LAUNCHER = 'provider.launcher.cjs';

const REQUIRE_BANNER = "import { createRequire as __kwCreateRequire } from 'node:module'; const require = __kwCreateRequire(import.meta.url);";

/** Redirects the bundle's `import … from 'undici'` to undici-on-demand.ts (see there why); its own `require('undici')` is the real package. */
const undiciOnDemand: Plugin = {
  name: 'undici-on-demand',
  setup(build) {
    const shim = fileURLToPath(new URL(`./undici-on-demand.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
    build.onResolve({ filter: /^undici$/ }, (args) => (args.kind === 'import-statement' ? { path: shim } : undefined));
  },
};

/**
 * Bundles `entry` and everything it imports into `outDir`: the entry module `BUNDLE_ENTRY`
 * plus one `chunk-*.mjs` per dynamic `import()`, so code a start does not reach (delivery SDKs,
 * the Kubernetes client) is not parsed at every start (Node 20 target, node_modules included,
 * `require` provided for the CommonJS dependencies inside). Beside it, the launcher `LAUNCHER`:
 * plugin/launcher.ts as one small CommonJS file, which Node starts without its ES module loader
 * and which answers Terraform's handshake before the bundle loads. Returns the entry module's path.
 */
export async function bundleProvider(entry: string, outDir: string): Promise<string> {
  // Chunks of an earlier build would stay beside the new ones (and change the package's hash).
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) if (/^chunk-[A-Z0-9]+\.mjs$/.test(name) || name === BUNDLE_ENTRY || name === LAUNCHER) rmSync(join(outDir, name), { force: true });
  const common = { bundle: true, platform: 'node', target: 'node20', minify: true, legalComments: 'none', logLevel: 'silent' } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: { 'provider.bundle': resolve(entry) },
      plugins: [undiciOnDemand],
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      splitting: true,
      format: 'esm',
      banner: { js: REQUIRE_BANNER },
    }),
    build({
      ...common,
      entryPoints: [fileURLToPath(new URL(`./plugin/launcher.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url))],
      outfile: join(outDir, LAUNCHER),
      format: 'cjs',
      define: { KW_PROVIDER_BUNDLE: JSON.stringify(BUNDLE_ENTRY) },
    }),
  ]);
  return join(outDir, BUNDLE_ENTRY);
}

/**
 * Bundles the provider and installs it into a filesystem mirror, unpacked layout:
 * `DIR/HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION` (a launcher that
 * execs node on the launcher beside it, which loads the bundle and its chunks).
 */
export async function installProvider(options: InstallOptions): Promise<InstalledProvider> {
  const { host, namespace, type } = parseAddress(options.address);
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(options.version)) {
    throw new Error(`provider version "${options.version}" must be a semantic version such as 0.1.0`);
  }
  const mirrorDir = resolve(options.mirrorDir ?? defaultMirrorDirectory());
  const packageDir = join(mirrorDir, host, namespace, type, options.version, options.platform ?? terraformPlatform());
  mkdirSync(packageDir, { recursive: true });
  // Not named terraform-provider-*: Terraform runs the first file with that prefix.
  const bundle = await bundleProvider(options.entry, packageDir);
  const executable = join(packageDir, `terraform-provider-${type}_v${options.version}`);
  const node = options.nodePath ?? process.execPath;
  writeFileSync(executable, `#!/bin/sh\nexec ${shellQuote(node)} "$(dirname "$0")/${LAUNCHER}" "$@"\n`);
  chmodSync(executable, 0o755);
  return { executable, bundle, address: options.address, version: options.version, mirrorDir };
}

/**
 * CLI configuration text that installs the given providers from `mirrorDir` and everything
 * else from its origin registry (`direct`, which fails offline only for providers not mirrored).
 */
export function cliConfiguration(mirrorDir: string, addresses: readonly string[]): string {
  const list = addresses.map((a) => JSON.stringify(a)).join(', ');
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(resolve(mirrorDir))}`,
    `    include = [${list}]`,
    '  }',
    '  direct {',
    `    exclude = [${list}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Writes cliConfiguration to `file` (creating its directory) and returns the path. */
export function writeCliConfiguration(file: string, mirrorDir: string, addresses: readonly string[]): string {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, cliConfiguration(mirrorDir, addresses));
  return resolve(file);
}

/**
 * The environment to run terraform with: the CLI configuration named explicitly (this machine
 * presets TF_CLI_CONFIG_FILE to a missing file) and no calls home.
 */
export function terraformEnvironment(cliConfigFile: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, TF_CLI_CONFIG_FILE: resolve(cliConfigFile), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
