// Serving a provider: started by Terraform (go-plugin handshake, automatic mutual TLS, exit on
// Shutdown or when Terraform goes away) or long-running for TF_REATTACH_PROVIDERS.
//
// Start-up order matters: Terraform waits for the handshake line, and a provider process starts
// 3–4 times per Terraform command. This module loads only node built-ins Node has already
// booted plus the certificate code; it listens on the socket (connections are accepted paused),
// prints the line, and only then loads HTTP/2, the gRPC server and the provider itself. A
// connection Terraform opens in between waits, unread, until the server takes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificate } from './certificate.js';
import type { ProviderDefinition } from './definitions.js';
import type { MutualTls, PluginServer, PluginServerHooks } from './grpc-server.js';

/** go-plugin's handshake cookie for Terraform providers: proves Terraform started the process. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** go-plugin's core protocol version (first field of the handshake line). */
const CORE_PROTOCOL_VERSION = 1;
/** Terraform plugin protocol major version served. */
export const PROTOCOL_VERSION = 6;

/**
 * The provider to serve: its definition, or a function that loads it (e.g.
 * `() => import('./provider.js').then((m) => m.provider)`), which the handshake does not wait for.
 */
export type ProviderSource<D> = ProviderDefinition<D> | (() => ProviderDefinition<D> | Promise<ProviderDefinition<D>>);

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

async function definitionOf<D>(source: ProviderSource<D>): Promise<ProviderDefinition<D>> {
  return typeof source === 'function' ? source() : source;
}

function socketDirectory(env: NodeJS.ProcessEnv): string {
  // go-plugin's variable for where plugins put their sockets; short paths keep under the 107-byte limit.
  return mkdtempSync(join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), 'kw-plugin-'));
}

/** A unix-socket listener whose connections wait, unread, until a server takes them. */
class Listener {
  private readonly net: NetServer;
  private readonly waiting: Socket[] = [];
  private server: PluginServer | undefined;

  constructor() {
    this.net = createNetServer({ pauseOnConnect: true }, (socket) => {
      if (this.server) this.server.accept(socket);
      else this.waiting.push(socket);
    });
  }

  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(socketPath, () => {
        this.net.off('error', reject);
        resolve();
      });
    });
  }

  /** Hands the waiting connections, and every later one, to `server`. */
  serve(server: PluginServer): void {
    this.server = server;
    for (const socket of this.waiting.splice(0)) server.accept(socket);
  }

  /** Stops accepting connections (open ones stay). */
  stop(): void {
    this.net.close();
  }
}

async function pluginServer<D>(definition: ProviderDefinition<D>, hooks: PluginServerHooks, tls?: MutualTls): Promise<PluginServer> {
  const [{ createPluginServer }, { ProviderServer }] = await Promise.all([import('./grpc-server.js'), import('./provider-server.js')]);
  return createPluginServer(new ProviderServer(definition), hooks, tls);
}

/**
 * Serves one provider process as Terraform starts it: checks the magic cookie and protocol
 * version (else explains on stderr and exits 1), listens on a private unix socket with mutual
 * TLS when PLUGIN_CLIENT_CERT is set, prints the handshake line, then exits on
 * GRPCController.Shutdown, when Terraform's connection or held streams go away, or when
 * Terraform is gone (the process was re-parented). SIGINT is ignored: Terraform drives the
 * shutdown (StopProvider, then Shutdown).
 */
export async function serve<D>(source: ProviderSource<D>, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    const definition = await definitionOf(source);
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
    const definition = await definitionOf(source);
    stderr.write(
      `terraform-provider-${definition.typeName} speaks plugin protocol ${PROTOCOL_VERSION}; this Terraform offers ${offered.join(', ')}. Use Terraform 1.0 or later.\n`,
    );
    process.exit(1);
  }
  process.on('SIGINT', () => undefined);

  const directory = socketDirectory(env);
  const socketPath = join(directory, 'plugin.sock');
  const listener = new Listener();
  let server: PluginServer | undefined;
  let exiting = false;
  const exit = (code = 0) => {
    if (exiting) return;
    exiting = true;
    rmSync(directory, { recursive: true, force: true });
    process.exit(code);
  };
  // Graceful on Shutdown, so its answer reaches Terraform; cut off if a connection lingers.
  const hooks: PluginServerHooks = {
    onShutdown: () => {
      listener.stop();
      void (server ? server.close(500) : Promise.resolve()).then(() => exit());
    },
    onClientGone: () => exit(),
  };
  // Terraform ends a provider that missed Shutdown with a signal: leave no socket directory behind.
  process.once('SIGTERM', () => exit());
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));

  const clientCert = env.PLUGIN_CLIENT_CERT;
  let tls: MutualTls | undefined;
  let certField = '';
  if (clientCert) {
    const certificate = generateCertificate();
    tls = { key: certificate.keyPem, cert: certificate.certPem, clientCert };
    certField = certificate.der.toString('base64').replace(/=+$/, '');
  }
  await listener.listen(socketPath);
  stdout.write(`${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certField}\n`);
  // Terraform killed before it connected leaves no connection to lose: notice being orphaned instead.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit();
  }, ORPHAN_CHECK_MS).unref();

  try {
    server = await pluginServer(await definitionOf(source), hooks, tls);
  } catch (error) {
    stderr.write(`terraform-provider: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
    return;
  }
  listener.serve(server);
}

/** How often a provider started by Terraform checks that Terraform still exists. */
const ORPHAN_CHECK_MS = 1000;

/**
 * Serves a provider for TF_REATTACH_PROVIDERS: one process answers every Terraform command that
 * has the returned value in its environment. Reattached providers speak plaintext gRPC (the
 * reattach configuration carries no certificate), so the socket sits in a directory only this
 * user can enter. Terraform neither stops nor shuts it down; call close().
 */
export async function serveReattach<D>(source: ProviderSource<D>, options: Pick<ServeOptions, 'env'> = {}): Promise<ReattachHandle> {
  const env = options.env ?? process.env;
  const definition = await definitionOf(source);
  const server = await pluginServer(definition, { onShutdown: () => undefined, onClientGone: () => undefined });
  const directory = socketDirectory(env);
  const socketPath = join(directory, 'plugin.sock');
  const listener = new Listener();
  listener.serve(server);
  await listener.listen(socketPath);
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
    close: async () => {
      listener.stop();
      // Graceful first; a Terraform still connected after 2 s is cut off.
      await server.close(2000);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The executable's entry point: `--reattach` serves long-running and prints
 * `TF_REATTACH_PROVIDERS='…'` on stdout (stops on SIGINT/SIGTERM); otherwise serves Terraform.
 */
export async function main<D>(source: ProviderSource<D>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (!argv.includes('--reattach')) return serve(source);
  const definition = await definitionOf(source);
  const handle = await serveReattach(definition);
  // Handlers before the line: whoever reads it may signal at once.
  const stop = () => void handle.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`TF_REATTACH_PROVIDERS='${handle.reattachProviders}'\n`);
  process.stderr.write(`terraform-provider-${definition.typeName}: serving on ${handle.socketPath}; export the line above, stop with Ctrl-C.\n`);
}
