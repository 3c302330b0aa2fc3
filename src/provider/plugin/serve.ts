// Serving a provider: started by Terraform (go-plugin handshake, automatic mutual TLS, exit on
// Shutdown or when Terraform goes away) or long-running for TF_REATTACH_PROVIDERS.
//
// Start-up order matters: Terraform waits for the handshake line, and a provider process starts
// 3–4 times per Terraform command. The handshake (handshake.ts) needs only node built-ins and
// the certificate code; HTTP/2, the gRPC server and the provider itself load after the line,
// while Terraform connects (its connection waits, unread, until the server takes it). Installed
// providers run the handshake even earlier, from a CommonJS launcher (launcher.ts).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderDefinition } from './definitions.js';
import type { PluginServer, PluginServerHooks } from './grpc-server.js';
import {
  handshake,
  Listener,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  offeredProtocols,
  PROTOCOL_VERSION,
  socketDirectory,
  startedByTerraform,
  takeHandoff,
  type MutualTls,
} from './handshake.js';

export { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION } from './handshake.js';

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

async function pluginServer<D>(definition: ProviderDefinition<D>, hooks: PluginServerHooks, tls?: MutualTls): Promise<PluginServer> {
  const [{ createPluginServer }, { ProviderServer }] = await Promise.all([import('./grpc-server.js'), import('./provider-server.js')]);
  return createPluginServer(new ProviderServer(definition), hooks, tls);
}

/**
 * Serves one provider process as Terraform starts it: checks the magic cookie and protocol
 * version (else explains on stderr and exits 1), listens on a private unix socket with mutual
 * TLS when PLUGIN_CLIENT_CERT is set, prints the handshake line (unless a launcher already
 * did), then exits on GRPCController.Shutdown, when Terraform's connection or held streams go
 * away, or when Terraform is gone (the process was re-parented). SIGINT is ignored: Terraform
 * drives the shutdown (StopProvider, then Shutdown).
 */
export async function serve<D>(source: ProviderSource<D>, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const stderr = options.stderr ?? process.stderr;
  const handedOver = takeHandoff();
  if (!handedOver && !startedByTerraform(env)) {
    const definition = await definitionOf(source);
    if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
      stderr.write(
        `This is terraform-provider-${definition.typeName}, a Terraform plugin. It is not meant to be run by hand:\n` +
          `Terraform starts it when a configuration uses the provider "${definition.address}".\n` +
          `To keep one provider process running for many Terraform commands, start it with --reattach\n` +
          `and export the TF_REATTACH_PROVIDERS value it prints.\n`,
      );
    } else {
      stderr.write(
        `terraform-provider-${definition.typeName} speaks plugin protocol ${PROTOCOL_VERSION}; this Terraform offers ${offeredProtocols(env).join(', ')}. Use Terraform 1.0 or later.\n`,
      );
    }
    process.exit(1);
  }
  const stdout = options.stdout;
  let started;
  try {
    started = await (handedOver ?? handshake(env, stdout ? (line) => stdout.write(line) : undefined));
  } catch (error) {
    stderr.write(`terraform-provider: cannot listen for Terraform: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const { listener, tls, exit } = started;
  let server: PluginServer | undefined;
  // Graceful on Shutdown, so its answer reaches Terraform; cut off if a connection lingers.
  const hooks: PluginServerHooks = {
    onShutdown: () => {
      listener.stop();
      void (server ? server.close(500) : Promise.resolve()).then(() => exit());
    },
    onClientGone: () => exit(),
  };
  try {
    server = await pluginServer(await definitionOf(source), hooks, tls);
  } catch (error) {
    stderr.write(`terraform-provider: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(1);
    return;
  }
  listener.serve(server);
}

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
