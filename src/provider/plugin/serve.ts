// Serving a provider: started by Terraform (go-plugin handshake, automatic mutual TLS, exit on
// Shutdown or when Terraform goes away) or long-running for TF_REATTACH_PROVIDERS.
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificate } from './certificate.js';
import type { ProviderDefinition } from './definitions.js';
import { createPluginServer } from './grpc-server.js';
import { ProviderServer } from './provider-server.js';

/** go-plugin's handshake cookie for Terraform providers: proves Terraform started the process. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** go-plugin's core protocol version (first field of the handshake line). */
const CORE_PROTOCOL_VERSION = 1;
/** Terraform plugin protocol major version served. */
export const PROTOCOL_VERSION = 6;

/** Where the process talks: its environment and output streams. */
export interface ServeOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives the handshake line (Terraform) or the TF_REATTACH_PROVIDERS line. @default process.stdout */
  readonly stdout?: NodeJS.WritableStream;
  /** Receives human messages. @default process.stderr */
  readonly stderr?: NodeJS.WritableStream;
}

/** A long-running provider that Terraform attaches to. */
export interface ReattachHandle {
  /** The value for the TF_REATTACH_PROVIDERS environment variable. */
  readonly reattachProviders: string;
  readonly socketPath: string;
  /** Stops serving and removes the socket. */
  close(): Promise<void>;
}

function socketDirectory(env: NodeJS.ProcessEnv): string {
  // go-plugin's variable for where plugins put their sockets; short paths keep under the 107-byte limit.
  return mkdtempSync(join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), 'kw-plugin-'));
}

function bind(server: grpc.Server, socketPath: string, credentials: grpc.ServerCredentials): Promise<void> {
  return new Promise((resolve, reject) => server.bindAsync(`unix:${socketPath}`, credentials, (error) => (error ? reject(error) : resolve())));
}

/**
 * Serves one provider process as Terraform starts it: checks the magic cookie and protocol
 * version (else explains on stderr and exits 1), listens on a private unix socket with mutual
 * TLS when PLUGIN_CLIENT_CERT is set, prints the handshake line, then exits on
 * GRPCController.Shutdown, when Terraform's streams are cancelled, or when Terraform is gone
 * (the process was re-parented). SIGINT is ignored:
 * Terraform drives the shutdown (StopProvider, then Shutdown).
 */
export async function serve<D>(definition: ProviderDefinition<D>, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    stderr.write(
      `This is terraform-provider-${definition.typeName}, a Terraform plugin. It is not meant to be run by hand:\n` +
        `Terraform starts it when a configuration uses the provider "${definition.address}".\n` +
        `To keep one provider process running for many Terraform commands, start it with --reattach\n` +
        `and export the TF_REATTACH_PROVIDERS value it prints.\n`,
    );
    process.exit(1);
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(',').map((v) => Number(v.trim()));
  if (!offered.includes(PROTOCOL_VERSION)) {
    stderr.write(
      `terraform-provider-${definition.typeName} speaks plugin protocol ${PROTOCOL_VERSION}; this Terraform offers ${offered.join(', ')}. Use Terraform 1.0 or later.\n`,
    );
    process.exit(1);
  }
  process.on('SIGINT', () => undefined);

  const provider = new ProviderServer(definition);
  const directory = socketDirectory(env);
  const socketPath = join(directory, 'plugin.sock');
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    server.forceShutdown();
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  };
  // Graceful on Shutdown, so its answer reaches Terraform; forced if a connection lingers.
  const shutdown = () => {
    server.tryShutdown(exit);
    setTimeout(exit, 500).unref();
  };
  const server = createPluginServer(provider, { onShutdown: shutdown, onClientGone: exit });
  // Terraform ends a provider that missed Shutdown with a signal: leave no socket directory behind.
  process.once('SIGTERM', exit);
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));

  const clientCert = env.PLUGIN_CLIENT_CERT;
  let credentials = grpc.ServerCredentials.createInsecure();
  let certField = '';
  if (clientCert) {
    const certificate = generateCertificate();
    credentials = grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(certificate.keyPem), cert_chain: Buffer.from(certificate.certPem) }], true);
    certField = certificate.der.toString('base64').replace(/=+$/, '');
  }
  await bind(server, socketPath, credentials);
  stdout.write(`${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certField}\n`);
  // Terraform killed before it connected leaves no stream to cancel: notice being orphaned instead.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit();
  }, ORPHAN_CHECK_MS).unref();
}

/** How often a provider started by Terraform checks that Terraform still exists. */
const ORPHAN_CHECK_MS = 1000;

/**
 * Serves a provider for TF_REATTACH_PROVIDERS: one process answers every Terraform command that
 * has the returned value in its environment. Reattached providers speak plaintext gRPC (the
 * reattach configuration carries no certificate), so the socket sits in a directory only this
 * user can enter. Terraform neither stops nor shuts it down; call close().
 */
export async function serveReattach<D>(definition: ProviderDefinition<D>, options: Pick<ServeOptions, 'env'> = {}): Promise<ReattachHandle> {
  const env = options.env ?? process.env;
  const provider = new ProviderServer(definition);
  const directory = socketDirectory(env);
  const socketPath = join(directory, 'plugin.sock');
  const server = createPluginServer(provider, { onShutdown: () => undefined, onClientGone: () => undefined });
  await bind(server, socketPath, grpc.ServerCredentials.createInsecure());
  const reattachProviders = JSON.stringify({
    [definition.address]: {
      Protocol: 'grpc',
      ProtocolVersion: PROTOCOL_VERSION,
      Pid: process.pid,
      // Test mode: Terraform leaves the process running when a command ends.
      Test: true,
      Addr: { Network: 'unix', String: socketPath },
    },
  });
  return {
    reattachProviders,
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        let closed = false;
        const finish = () => {
          if (closed) return;
          closed = true;
          clearTimeout(force);
          rmSync(directory, { recursive: true, force: true });
          resolve();
        };
        // Graceful first; a Terraform still connected after 2 s is cut off.
        const force = setTimeout(() => {
          server.forceShutdown();
          finish();
        }, 2000);
        force.unref();
        server.tryShutdown(finish);
      }),
  };
}

/**
 * The executable's entry point: `--reattach` serves long-running and prints
 * `TF_REATTACH_PROVIDERS='…'` on stdout (stops on SIGINT/SIGTERM); otherwise serves Terraform.
 */
export async function main<D>(definition: ProviderDefinition<D>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (!argv.includes('--reattach')) return serve(definition);
  const handle = await serveReattach(definition);
  process.stdout.write(`TF_REATTACH_PROVIDERS='${handle.reattachProviders}'\n`);
  process.stderr.write(`terraform-provider-${definition.typeName}: serving on ${handle.socketPath}; export the line above, stop with Ctrl-C.\n`);
  const stop = () => void handle.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
