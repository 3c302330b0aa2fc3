import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InstalledProvider } from '../../../src/provider/install.js';
import { generateCertificate, type GeneratedCertificate } from '../../../src/provider/plugin/certificate.js';
import { serviceDefinitions } from '../../../src/provider/plugin/services.js';
import { installKwtest, startPlugin, type StartedPlugin } from './kwtest-install.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-handshake-'));
let installed: InstalledProvider;
const started: StartedPlugin[] = [];
const clients: grpc.Client[] = [];

beforeAll(async () => {
  installed = await installKwtest(join(dir, 'mirror'));
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const plugin of started.splice(0)) plugin.child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(env: NodeJS.ProcessEnv = {}): Promise<StartedPlugin> {
  // Sockets under the test's directory: a provider killed by the test leaves nothing in /tmp.
  const plugin = await startPlugin(installed.executable, { PLUGIN_UNIX_SOCKET_DIR: dir, ...env });
  started.push(plugin);
  return plugin;
}

function parseHandshake(line: string) {
  const match = /^1\|6\|unix\|([^|]+)\|grpc\|([A-Za-z0-9+/]*)$/.exec(line);
  if (!match) throw new Error(`not a go-plugin handshake line: ${line}`);
  const [, socketPath = '', cert = ''] = match;
  return { socketPath, certDer: Buffer.from(cert, 'base64') };
}

function client(socketPath: string, credentials: grpc.ChannelCredentials): grpc.Client {
  const c = new grpc.Client(`unix:${socketPath}`, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
  clients.push(c);
  return c;
}

function call(c: grpc.Client, service: grpc.ServiceDefinition, method: string, request: object = {}): Promise<Record<string, unknown>> {
  const definition = service[method];
  if (!definition) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    c.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, request, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response as Record<string, unknown>),
    );
  });
}

function pem(der: Buffer): Buffer {
  return Buffer.from(new X509Certificate(der).toString());
}

describe('go-plugin handshake', () => {
  it('explains itself on stderr and exits 1 when started by hand (no magic cookie)', () => {
    const result = spawnSync(installed.executable, [], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('It is not meant to be run by hand');
    expect(result.stderr).toContain('--reattach');
  });

  it('refuses a Terraform that offers no protocol 6', () => {
    const result = spawnSync(installed.executable, [], {
      env: { PATH: process.env.PATH, TF_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PLUGIN_PROTOCOL_VERSIONS: '4,5' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('speaks plugin protocol 6');
  });

  it('prints exactly one handshake line, first on stdout, naming a unix socket and its certificate', async () => {
    const terraformCert = generateCertificate();
    const plugin = await start({ PLUGIN_CLIENT_CERT: terraformCert.certPem });
    expect(plugin.stdoutSoFar).toBe(`${plugin.handshake}\n`);
    const { socketPath, certDer } = parseHandshake(plugin.handshake);
    expect(plugin.handshake.endsWith('=')).toBe(false);
    expect(existsSync(socketPath)).toBe(true);
    const certificate = new X509Certificate(certDer);
    expect(certificate.subjectAltName).toBe('DNS:localhost');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
  });

  it('serves plaintext with an empty certificate field when Terraform sends no client certificate', async () => {
    const plugin = await start();
    const { socketPath, certDer } = parseHandshake(plugin.handshake);
    expect(certDer.length).toBe(0);
    const response = await call(client(socketPath, grpc.credentials.createInsecure()), serviceDefinitions().provider, 'GetMetadata');
    expect(response.resources).toEqual([{ type_name: 'kwtest_note' }]);
  });
});

describe('automatic mutual TLS', () => {
  let terraformCert: GeneratedCertificate;
  let plugin: StartedPlugin;
  let socketPath: string;
  let serverPem: Buffer;

  beforeAll(() => {
    terraformCert = generateCertificate();
  });
  afterEach(() => undefined);

  async function startWithTls() {
    plugin = await start({ PLUGIN_CLIENT_CERT: terraformCert.certPem });
    const parsed = parseHandshake(plugin.handshake);
    socketPath = parsed.socketPath;
    serverPem = pem(parsed.certDer);
  }

  it('accepts a client presenting the certificate Terraform announced', async () => {
    await startWithTls();
    const credentials = grpc.credentials.createSsl(serverPem, Buffer.from(terraformCert.keyPem), Buffer.from(terraformCert.certPem));
    const response = (await call(client(socketPath, credentials), serviceDefinitions().provider, 'GetProviderSchema')) as { resource_schemas: object };
    expect(Object.keys(response.resource_schemas)).toEqual(['kwtest_note']);
  });

  it('refuses a TLS client without a client certificate', async () => {
    await startWithTls();
    const credentials = grpc.credentials.createSsl(serverPem);
    await expect(call(client(socketPath, credentials), serviceDefinitions().provider, 'GetProviderSchema')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses a client presenting some other certificate', async () => {
    await startWithTls();
    const stranger = generateCertificate();
    const credentials = grpc.credentials.createSsl(serverPem, Buffer.from(stranger.keyPem), Buffer.from(stranger.certPem));
    await expect(call(client(socketPath, credentials), serviceDefinitions().provider, 'GetProviderSchema')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses a plaintext client', async () => {
    await startWithTls();
    await expect(call(client(socketPath, grpc.credentials.createInsecure()), serviceDefinitions().provider, 'GetMetadata')).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
  });
});

describe('process lifetime', () => {
  async function plaintext() {
    const plugin = await start();
    const { socketPath } = parseHandshake(plugin.handshake);
    return { plugin, socketPath, c: client(socketPath, grpc.credentials.createInsecure()) };
  }

  it('answers RPCs it does not implement with UNIMPLEMENTED', async () => {
    const { c } = await plaintext();
    const unknown = await new Promise<grpc.ServiceError>((resolve) =>
      c.makeUnaryRequest('/tfplugin6.Provider/GetFunctions', () => Buffer.alloc(0), (b: Buffer) => b, {}, (error) => resolve(error as grpc.ServiceError)),
    );
    expect(unknown.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it('ignores SIGINT (Terraform drives the shutdown)', async () => {
    const { plugin, c } = await plaintext();
    plugin.child.kill('SIGINT');
    const stop = await call(c, serviceDefinitions().provider, 'StopProvider');
    expect(stop.Error ?? '').toBe('');
    expect(plugin.child.exitCode).toBeNull();
  });

  it('exits 0 and removes its socket on GRPCController.Shutdown', async () => {
    const { plugin, socketPath, c } = await plaintext();
    await call(c, serviceDefinitions().controller, 'Shutdown');
    expect(await plugin.exited).toBe(0);
    expect(existsSync(dirname(socketPath))).toBe(false);
  });

  it('exits when the process that started it dies before ever connecting', async () => {
    // A shell stands in for Terraform: it starts the provider, prints its pid once the
    // handshake is out, and exits without connecting.
    const shell = spawnSync(
      '/bin/sh',
      ['-c', `"$0" > "$1" 2>/dev/null & pid=$!; while [ ! -s "$1" ]; do sleep 0.05; done; echo $pid`, installed.executable, join(dir, 'orphan-handshake.txt')],
      {
        env: { PATH: process.env.PATH, TF_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PLUGIN_UNIX_SOCKET_DIR: dir },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    const pid = Number(shell.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waited = 0; alive() && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive()).toBe(false);
  });

  it('exits when Terraform goes away and its held-open stdio stream is cancelled', async () => {
    const { plugin, socketPath } = await plaintext();
    // A stand-in for Terraform in its own process: opens the stdio stream, then is killed.
    const terraform = spawn(
      process.execPath,
      [
        '-e',
        `const grpc = require('@grpc/grpc-js');
         const c = new grpc.Client('unix:' + process.argv[1], grpc.credentials.createInsecure());
         const s = c.makeServerStreamRequest('/plugin.GRPCStdio/StreamStdio', () => Buffer.alloc(0), (b) => b, {});
         s.on('error', () => {});
         s.on('metadata', () => console.log('open'));`,
        socketPath,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((resolve) => terraform.stdout.once('data', resolve));
    expect(plugin.child.exitCode).toBeNull();
    terraform.kill('SIGKILL');
    expect(await plugin.exited).toBe(0);
  });
});
