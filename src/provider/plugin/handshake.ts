// The go-plugin handshake of a provider process Terraform started: a private unix socket
// (connections accepted paused, so they wait unread until the gRPC server takes them), a fresh
// certificate for automatic mutual TLS when Terraform sent its own, and the one handshake line
// on stdout. It needs only node built-ins and the certificate code, so the launcher
// (launcher.ts) runs it before anything else is loaded; serve.ts runs it when there is no
// launcher. The process's lifetime rules live here too: SIGINT ignored, the socket directory
// removed on exit or SIGTERM, exit when re-parented (Terraform died before connecting).
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificate } from './certificate.js';

/** go-plugin's handshake cookie for Terraform providers: proves Terraform started the process. */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** go-plugin's core protocol version (first field of the handshake line). */
const CORE_PROTOCOL_VERSION = 1;
/** Terraform plugin protocol major version served. */
export const PROTOCOL_VERSION = 6;
/** How often a provider started by Terraform checks that Terraform still exists. */
const ORPHAN_CHECK_MS = 1000;

/** Whether `env` is that of a Terraform starting a protocol-6 provider (else the process must explain and exit). */
export function startedByTerraform(env: NodeJS.ProcessEnv): boolean {
  return env[MAGIC_COOKIE_KEY] === MAGIC_COOKIE_VALUE && offeredProtocols(env).includes(PROTOCOL_VERSION);
}

/** The plugin protocol versions Terraform offers (PLUGIN_PROTOCOL_VERSIONS). */
export function offeredProtocols(env: NodeJS.ProcessEnv): number[] {
  return (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(',').map((v) => Number(v.trim()));
}

/** Takes connections: the gRPC server, once loaded. */
export interface ConnectionSink {
  accept(socket: Socket): void;
}

/** A unix-socket listener whose connections wait, unread, until a sink takes them. */
export class Listener {
  private readonly net: NetServer;
  private readonly waiting: Socket[] = [];
  private sink: ConnectionSink | undefined;

  constructor() {
    this.net = createNetServer({ pauseOnConnect: true }, (socket) => {
      if (this.sink) this.sink.accept(socket);
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

  /** Hands the waiting connections, and every later one, to `sink`. */
  serve(sink: ConnectionSink): void {
    this.sink = sink;
    for (const socket of this.waiting.splice(0)) sink.accept(socket);
  }

  /** Stops accepting connections (open ones stay). */
  stop(): void {
    this.net.close();
  }
}

/** Mutual TLS: the server's certificate and key, and the one client certificate accepted (all PEM). */
export interface MutualTls {
  readonly key: string;
  readonly cert: string;
  readonly clientCert: string;
}

/** A provider process after its handshake line, waiting for its gRPC server. */
export interface HandshakeDone {
  readonly listener: Listener;
  readonly socketPath: string;
  /** Set when Terraform asked for automatic mutual TLS. */
  readonly tls: MutualTls | undefined;
  /** Removes the socket directory and exits the process. */
  exit(code?: number): void;
}

/** A private directory for the socket; go-plugin's PLUGIN_UNIX_SOCKET_DIR, else the temp directory (short paths: sockets have a 107-byte limit). */
export function socketDirectory(env: NodeJS.ProcessEnv): string {
  return mkdtempSync(join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), 'kw-plugin-'));
}

/**
 * Listens, prints the handshake line with `writeLine` (default: straight to file descriptor 1,
 * before Node builds its stdout stream), and sets up the process's lifetime rules.
 */
export async function handshake(env: NodeJS.ProcessEnv, writeLine: (line: string) => void = (line) => writeSync(1, line)): Promise<HandshakeDone> {
  process.on('SIGINT', () => undefined);
  const directory = socketDirectory(env);
  const socketPath = join(directory, 'plugin.sock');
  let exiting = false;
  const exit = (code = 0) => {
    if (exiting) return;
    exiting = true;
    rmSync(directory, { recursive: true, force: true });
    process.exit(code);
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
  const listener = new Listener();
  await listener.listen(socketPath);
  writeLine(`${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certField}\n`);
  // Terraform killed before it connected leaves no connection to lose: notice being orphaned instead.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exit();
  }, ORPHAN_CHECK_MS).unref();
  return { listener, socketPath, tls, exit };
}

/** Where the launcher leaves its finished handshake for serve() in the bundle it then loads. */
const HANDOFF = Symbol.for('keywarden.plugin.handshake');

/** Called by the launcher: the handshake under way, for serve() to continue. */
export function handOver(done: Promise<HandshakeDone>): void {
  (globalThis as Record<symbol, unknown>)[HANDOFF] = done;
}

/** Called by serve(): the launcher's handshake, if a launcher ran one (taken once). */
export function takeHandoff(): Promise<HandshakeDone> | undefined {
  const global = globalThis as Record<symbol, unknown>;
  const done = global[HANDOFF] as Promise<HandshakeDone> | undefined;
  delete global[HANDOFF];
  return done;
}
