// `npm run bench -- provider [--keys N] [--rounds R] [--store-file]`: the keywarden Terraform provider's costs, in one run.
// - handshakeMs: start of the installed (bundled) provider to its go-plugin handshake line, as
//   Terraform starts it (magic cookie, PLUGIN_CLIENT_CERT: automatic mutual TLS, so the
//   certificate is made), median of --starts (default 11), against nodeMs: `node -e 0` start
//   to exit, median of as many, interleaved (the floor of any Node.js provider).
// - firstCallMs: start to the answer of the first GetProviderSchema over mutual TLS (a gRPC
//   client standing in for Terraform connects as soon as the line is out): what a start really
//   costs, since the provider loads after its line.
// - apply100s: `terraform apply` creating N (default 100) keywarden_api_key resources in a
//   key service (SQLite, in this process on 127.0.0.1), the provider started by Terraform.
// - apply100ReattachS: the same with one long-running provider process attached through
//   TF_REATTACH_PROVIDERS (no process starts).
// - terraformData100s: `terraform apply` of N built-in terraform_data resources, the floor.
// Apply figures are medians of R rounds (default 3). The key service's store is SQLite in
// memory unless --store-file; it runs in this process (measured: ~0.3-0.5 s of the 100 creates).
// Targets: handshake < 1.5x node; reattached apply < 2.5x terraform_data.
// Progress goes to stderr; the last stdout line is the JSON figures.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { installProvider, terraformEnvironment, writeCliConfiguration } from '../src/provider/install.js';
import { PROVIDER_ADDRESS, PROVIDER_VERSION } from '../src/provider/keywarden/index.js';
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { generateCertificate, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, serviceDefinitions } from '../src/provider/plugin/index.js';
import { bootstrapAdmin, createKeyService } from '../src/keyservice/index.js';

const TERRAFORM = process.env.TERRAFORM ?? '/usr/local/bin/terraform';
const PEPPER = 'bench-pepper-0123456789abcdef';
const ENTRY = fileURLToPath(new URL('../src/provider/main.ts', import.meta.url));

const progress = (message: string) => process.stderr.write(`[bench provider] ${message}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Milliseconds from spawning `command` to its first stdout line (then it is killed), or to its exit when `untilExit`. */
function timeStart(command: string, args: string[], env: NodeJS.ProcessEnv, untilExit: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let done = false;
    child.on('error', reject);
    child.stdout.on('data', () => {
      if (untilExit || done) return;
      done = true;
      resolve(performance.now() - started);
      child.kill('SIGKILL');
    });
    child.on('exit', (code) => {
      if (untilExit) resolve(performance.now() - started);
      else if (!done) reject(new Error(`${command} exited ${code} before its handshake`));
    });
  });
}

/** Milliseconds from spawning the provider to the answer of its first GetProviderSchema over mutual TLS. */
function timeFirstCall(command: string, env: NodeJS.ProcessEnv, client: { keyPem: string; certPem: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', reject);
    let line = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (line.includes('\n')) return;
      line += chunk.toString();
      if (!line.includes('\n')) return;
      const [, , , socketPath = '', , cert = ''] = line.trim().split('|');
      const serverPem = new X509Certificate(Buffer.from(cert, 'base64')).toString();
      const credentials = grpc.credentials.createSsl(Buffer.from(serverPem), Buffer.from(client.keyPem), Buffer.from(client.certPem));
      const c = new grpc.Client(`unix:${socketPath}`, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
      const method = serviceDefinitions().provider.GetProviderSchema;
      if (!method) throw new Error('no GetProviderSchema');
      c.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, {}, { deadline: Date.now() + 10_000 }, (error) => {
        const ms = performance.now() - started;
        c.close();
        child.kill('SIGKILL');
        if (error) reject(error);
        else resolve(ms);
      });
    });
  });
}

function runCommand(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ seconds: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ seconds, output });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`));
    });
  });
}

function keysConfig(endpoint: string, count: number, prefix: string): string {
  const head = `terraform {
  required_providers {
    keywarden = { source = "keywarden/keywarden", version = "${PROVIDER_VERSION}" }
  }
}

provider "keywarden" {
  endpoint = ${JSON.stringify(endpoint)}
}

`;
  const resources = Array.from(
    { length: count },
    (_, i) => `resource "keywarden_api_key" "k${i}" {
  name        = "${prefix}-${i}"
  environment = "bench"
  scopes      = ["invoices:read"]
  limits      = { max_payout = "55.00" }
}
`,
  );
  return head + resources.join('\n');
}

function terraformDataConfig(count: number): string {
  return Array.from({ length: count }, (_, i) => `resource "terraform_data" "d${i}" {\n  input = "value-${i}"\n}\n`).join('\n');
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const keysFlag = args.indexOf('--keys');
  const count = keysFlag >= 0 ? Number(args[keysFlag + 1]) : 100;
  // In memory by default: the figures are about Terraform and the provider, not the disk
  // syncs of the service's store. `--store-file` keeps the SQLite file (WAL, synchronous).
  const storeFile = args.includes('--store-file');
  const roundsFlag = args.indexOf('--rounds');
  const rounds = roundsFlag >= 0 ? Number(args[roundsFlag + 1]) : 3;
  const startsFlag = args.indexOf('--starts');
  const starts = startsFlag >= 0 ? Number(args[startsFlag + 1]) : 11;
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-provider-'));
  const service = await createKeyService({
    databaseUrl: storeFile ? `sqlite:${join(dir, 'keys.db')}` : 'sqlite::memory:',
    pepper: PEPPER,
    keyPrefix: 'kw',
    port: 0,
    host: '127.0.0.1',
    defaultRateLimit: { requests: 1_000_000, perSeconds: 3600 },
    logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  let reattached: ReturnType<typeof spawn> | undefined;
  try {
    const admin = await bootstrapAdmin({ store: service.store, pepper: PEPPER, keyPrefix: 'kw' });
    const endpoint = await service.listen();
    progress(`key service on ${endpoint}; bundling the provider`);
    const installed = await installProvider({ entry: ENTRY, mirrorDir: join(dir, 'mirror'), address: PROVIDER_ADDRESS, version: PROVIDER_VERSION });
    const cliConfig = writeCliConfiguration(join(dir, 'terraform.rc'), installed.mirrorDir, [PROVIDER_ADDRESS]);
    const baseEnv = { ...terraformEnvironment(cliConfig), KEYWARDEN_API_KEY: admin.secret, TF_LOG: '' };

    progress(`start to handshake (mutual TLS), ${starts} times each: provider, node -e 0, and start to first answer`);
    const terraformCert = generateCertificate();
    const pluginEnv = { PATH: process.env.PATH, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_UNIX_SOCKET_DIR: dir, PLUGIN_CLIENT_CERT: terraformCert.certPem };
    const handshakes: number[] = [];
    const nodes: number[] = [];
    const firstCalls: number[] = [];
    for (let i = 0; i < starts; i++) {
      nodes.push(await timeStart(process.execPath, ['-e', '0'], { PATH: process.env.PATH }, true));
      handshakes.push(await timeStart(installed.executable, [], pluginEnv, false));
      firstCalls.push(await timeFirstCall(installed.executable, pluginEnv, terraformCert));
    }

    const workdir = (name: string, config: string) => {
      const path = join(dir, name);
      mkdirSync(path);
      writeFileSync(join(path, 'main.tf'), config);
      return path;
    };
    const applyArgs = ['apply', '-auto-approve', '-input=false', '-no-color'];

    const init = (cwd: string) => runCommand(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd, env: baseEnv });
    const started = workdir('started', keysConfig(endpoint, count, 'started'));
    const attached = workdir('attached', keysConfig(endpoint, count, 'attached'));
    const data = workdir('data', terraformDataConfig(count));
    for (const path of [started, attached, data]) await init(path);

    reattached = spawn(installed.executable, ['--reattach'], { env: { ...baseEnv, PLUGIN_UNIX_SOCKET_DIR: dir }, stdio: ['ignore', 'pipe', 'ignore'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      reattached?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      reattached?.on('exit', (code) => reject(new Error(`reattached provider exited ${code}`)));
    });
    const reattachEnv = { ...baseEnv, TF_REATTACH_PROVIDERS: /^TF_REATTACH_PROVIDERS='(.+)'$/.exec(line)?.[1] ?? '' };

    // Rounds interleave the three cases so drifting machine load affects them alike; each
    // apply creates everything afresh (destroyed, untimed, after it).
    const cases = [
      { what: `${count} keys, provider started by terraform`, cwd: started, env: baseEnv, seconds: [] as number[] },
      { what: `${count} keys, one provider attached through TF_REATTACH_PROVIDERS`, cwd: attached, env: reattachEnv, seconds: [] as number[] },
      { what: `${count} terraform_data`, cwd: data, env: baseEnv, seconds: [] as number[] },
    ];
    for (let round = 1; round <= rounds; round++) {
      for (const c of cases) {
        progress(`round ${round}/${rounds}: terraform apply of ${c.what}`);
        const result = await runCommand(TERRAFORM, applyArgs, { cwd: c.cwd, env: c.env });
        if (!result.output.includes(`${count} added`)) throw new Error(`${c.what}: apply did not add ${count} resources:\n${result.output.slice(-2000)}`);
        c.seconds.push(result.seconds);
        await runCommand(TERRAFORM, ['destroy', '-auto-approve', '-input=false', '-no-color'], { cwd: c.cwd, env: c.env });
      }
    }
    const [apply, applyReattached, applyData] = cases.map((c) => ({ seconds: median(c.seconds) })) as [{ seconds: number }, { seconds: number }, { seconds: number }];
    const handshakeMs = round(median(handshakes), 1);
    const nodeMs = round(median(nodes), 1);
    const firstCallMs = round(median(firstCalls), 1);
    const spread = (values: number[]) => `${round(Math.min(...values), 1)}–${round(Math.max(...values), 1)}`;
    progress(`handshake ${handshakeMs} ms (${spread(handshakes)}) vs node ${nodeMs} ms (${spread(nodes)}): ${round(handshakeMs / nodeMs, 2)}x, target < 1.5x`);
    progress(`first GetProviderSchema answered ${firstCallMs} ms (${spread(firstCalls)}) after start`);
    for (const c of cases) progress(`${c.what}: ${c.seconds.map((v) => round(v, 2)).join(', ')} s`);
    progress(`apply ${round(apply.seconds, 2)} s; reattached ${round(applyReattached.seconds, 2)} s vs terraform_data ${round(applyData.seconds, 2)} s (${round(applyReattached.seconds / applyData.seconds, 2)}x, target < 2.5x)`);
    return {
      bench: 'provider',
      handshakeMs,
      nodeMs,
      firstCallMs,
      apply100s: round(apply.seconds, 3),
      apply100ReattachS: round(applyReattached.seconds, 3),
      terraformData100s: round(applyData.seconds, 3),
    };
  } finally {
    if (reattached && reattached.exitCode === null) {
      const exited = new Promise((resolve) => reattached?.on('exit', resolve));
      reattached.kill('SIGTERM');
      await exited;
    }
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
