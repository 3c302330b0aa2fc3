import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateCertificate } from '../../src/provider/plugin/certificate.js';
import {
  bundleProvider,
  cliConfiguration,
  defaultMirrorDirectory,
  installProvider,
  parseAddress,
  terraformEnvironment,
  terraformPlatform,
  type InstalledProvider,
} from '../../src/provider/install.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installProvider', () => {
  let installed: InstalledProvider;
  beforeAll(async () => {
    installed = await installProvider({
      entry: new URL('../fixtures/provider/kwtest/main.ts', import.meta.url).pathname,
      mirrorDir: join(dir, 'mirror'),
      address: 'registry.terraform.io/keywarden/kwtest',
      version: '1.2.3',
      platform: 'linux_amd64',
    });
  });

  it('lays the launcher out where a filesystem mirror puts an unpacked provider', () => {
    expect(installed.executable).toBe(join(dir, 'mirror', 'registry.terraform.io', 'keywarden', 'kwtest', '1.2.3', 'linux_amd64', 'terraform-provider-kwtest_v1.2.3'));
    expect(statSync(installed.executable).mode & 0o777).toBe(0o755);
  });

  it('writes an executable that execs this node on the CommonJS launcher beside it, passing arguments', () => {
    const launcher = readFileSync(installed.executable, 'utf8');
    expect(launcher.startsWith('#!/bin/sh\n')).toBe(true);
    expect(launcher).toContain(`exec '${process.execPath}' "$(dirname "$0")/provider.launcher.cjs" "$@"`);
  });

  it('leaves no chunk of an earlier build behind when installed again', async () => {
    const packageDir = dirname(installed.bundle);
    writeFileSync(join(packageDir, 'chunk-STALE000.mjs'), 'export {};\n');
    const again = await installProvider({
      entry: new URL('../fixtures/provider/kwtest/main.ts', import.meta.url).pathname,
      mirrorDir: join(dir, 'mirror'),
      address: 'registry.terraform.io/keywarden/kwtest',
      version: '1.2.3',
      platform: 'linux_amd64',
    });
    expect(again.bundle).toBe(installed.bundle);
    expect(existsSync(join(packageDir, 'chunk-STALE000.mjs'))).toBe(false);
    expect(existsSync(join(packageDir, 'provider.launcher.cjs'))).toBe(true);
  });

  it('bundles the provider and its dependencies into modules that run with no node_modules around them', () => {
    const alone = mkdtempSync(join(dir, 'alone-'));
    const packageDir = dirname(installed.bundle);
    for (const file of readdirSync(packageDir).filter((f) => f.endsWith('.mjs') || f.endsWith('.cjs'))) copyFileSync(join(packageDir, file), join(alone, file));
    // Started by hand it loads every module, then explains itself: no import is left unresolved.
    const result = spawnSync(process.execPath, [join(alone, 'provider.launcher.cjs')], { cwd: alone, env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(result.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(result.stderr).toContain('terraform-provider-kwtest, a Terraform plugin');
    expect(result.status).toBe(1);
  });

  it('makes undici Agents on demand inside a bundle, usable as fetch dispatchers (custom TLS of the key-service client)', async () => {
    const certificate = generateCertificate();
    const server = createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const out = mkdtempSync(join(dir, 'agent-'));
      const bundle = await bundleProvider(new URL('../fixtures/provider/undici-agent.ts', import.meta.url).pathname, out);
      const { port } = server.address() as AddressInfo;
      const child = spawn(process.execPath, [bundle, `https://127.0.0.1:${port}/`], { cwd: out, env: { PATH: process.env.PATH } });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(stdout).toBe('200 ok');
      expect(code).toBe(0);
    } finally {
      server.close();
    }
  });

  it('refuses a malformed address or version, saying what is expected', async () => {
    await expect(installProvider({ entry: 'x.ts', address: 'keywarden/kwtest', version: '1.0.0' })).rejects.toThrow(/must be HOST\/NAMESPACE\/TYPE/);
    await expect(installProvider({ entry: 'x.ts', address: 'registry.terraform.io/keywarden/kwtest', version: 'v1' })).rejects.toThrow(/semantic version/);
  });
});

describe('CLI configuration and environment', () => {
  it('selects the mirror for the listed providers and direct installation for the rest', () => {
    const text = cliConfiguration('/opt/mirror', ['registry.terraform.io/keywarden/keywarden']);
    expect(text).toBe(
      [
        'provider_installation {',
        '  filesystem_mirror {',
        '    path    = "/opt/mirror"',
        '    include = ["registry.terraform.io/keywarden/keywarden"]',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/keywarden/keywarden"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('names the CLI configuration explicitly and turns off calls home', () => {
    const env = terraformEnvironment('relative.rc', { TF_CLI_CONFIG_FILE: '/missing', PATH: '/bin' });
    expect(env.TF_CLI_CONFIG_FILE).toBe(join(process.cwd(), 'relative.rc'));
    expect(env.CHECKPOINT_DISABLE).toBe('1');
    expect(env.PATH).toBe('/bin');
  });

  it('maps Node platforms to Terraform platform names and defaults to the implicit local mirror', () => {
    expect(terraformPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(terraformPlatform('darwin', 'arm64')).toBe('darwin_arm64');
    expect(terraformPlatform('win32', 'x64')).toBe('windows_amd64');
    expect(defaultMirrorDirectory()).toBe(join(homedir(), '.terraform.d', 'plugins'));
    expect(parseAddress('registry.terraform.io/keywarden/keywarden')).toEqual({ host: 'registry.terraform.io', namespace: 'keywarden', type: 'keywarden' });
  });
});
