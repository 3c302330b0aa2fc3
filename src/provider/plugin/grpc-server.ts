// gRPC over node:http2, just what a provider process serves: unary calls, the two streams
// go-plugin holds open (GRPCStdio.StreamStdio, GRPCBroker.StartStream) and
// GRPCController.Shutdown. The wire format is gRPC's documented HTTP/2 mapping: a POST per call
// with `content-type: application/grpc`, messages framed as 1 byte compressed-flag + 4 bytes
// big-endian length + bytes, the status in `grpc-status` / `grpc-message` trailers (or in the
// headers of a trailers-only answer). Written here instead of using @grpc/grpc-js because a
// provider process starts 3–4 times per Terraform command and answers hundreds of calls per
// apply: grpc-js's loading, channelz, interceptors and metadata objects cost more than the
// calls themselves. RPCs not in the table (ephemeral resources, functions, newer protocol
// additions) answer UNIMPLEMENTED.
import {
  constants,
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { MutualTls } from './handshake.js';
import type { ProviderServer } from './provider-server.js';
import { rpcTable, SERVICE_NAMES, type Rpc } from './services.js';

/** What the transport tells its owner about. */
export interface PluginServerHooks {
  /** GRPCController.Shutdown was called and its answer sent. */
  readonly onShutdown: () => void;
  /** Terraform went away: a held-open stream was reset or its connection closed without Shutdown. */
  readonly onClientGone: () => void;
}

export interface PluginServer {
  /** Serves one accepted connection (a socket from a net.Server created with pauseOnConnect). */
  accept(socket: Socket): void;
  /** Ends the held streams and closes every connection gracefully; cuts them off after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** gRPC status codes used here. */
export const GRPC_STATUS = { OK: 0, UNKNOWN: 2, INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** Largest request message accepted, as gRPC's default receive limit. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

type Message = Record<string, unknown>;
type Unary = (request: Message) => Message | Promise<Message>;

const RESPONSE_HEADERS = { [constants.HTTP2_HEADER_STATUS]: 200, [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc+proto' };

/** A server for `provider`'s RPCs; plaintext (h2c with prior knowledge), or mutual TLS when `tls` is given. */
export function createPluginServer<D>(provider: ProviderServer<D>, hooks: PluginServerHooks, tls?: MutualTls): PluginServer {
  const rpcs = rpcTable();
  const unary = new Map<string, Unary>(
    Object.entries({
      GetMetadata: () => provider.getMetadata(),
      GetProviderSchema: () => provider.getProviderSchema(),
      ValidateProviderConfig: (r: Message) => provider.validateProviderConfig(r),
      ValidateResourceConfig: (r: Message) => provider.validateResourceConfig(r),
      ValidateDataResourceConfig: (r: Message) => provider.validateDataResourceConfig(r),
      UpgradeResourceState: (r: Message) => provider.upgradeResourceState(r),
      ConfigureProvider: (r: Message) => provider.configureProvider(r),
      ReadResource: (r: Message) => provider.readResource(r),
      PlanResourceChange: (r: Message) => provider.planResourceChange(r),
      ApplyResourceChange: (r: Message) => provider.applyResourceChange(r),
      ImportResourceState: (r: Message) => provider.importResourceState(r),
      ReadDataSource: (r: Message) => provider.readDataSource(r),
      StopProvider: () => provider.stopProvider(),
    }).map(([name, handler]) => [`/${SERVICE_NAMES.provider}/${name}`, handler]),
  );
  const shutdownPath = `/${SERVICE_NAMES.controller}/Shutdown`;
  const heldPaths = new Set([`/${SERVICE_NAMES.stdio}/StreamStdio`, `/${SERVICE_NAMES.broker}/StartStream`]);

  const sessions = new Set<ServerHttp2Session>();
  // Streams Terraform holds open for the whole session; ended on Shutdown.
  const held = new Set<ServerHttp2Stream>();
  // Connections on which Terraform opened its held streams: its own.
  const holding = new WeakSet<ServerHttp2Session>();
  let closing = false;
  let gone = false;
  const clientGone = () => {
    if (closing || gone) return;
    gone = true;
    hooks.onClientGone();
  };

  const hold = (stream: ServerHttp2Stream) => {
    held.add(stream);
    if (stream.session) holding.add(stream.session as ServerHttp2Session);
    // Headers now: the client sees the stream established before any data flows.
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_STATUS.OK) }));
    // Broker messages (and the stdio request) are read and ignored: providers open no extra connections.
    stream.on('data', () => undefined);
    stream.on('close', () => {
      held.delete(stream);
      if (stream.rstCode !== undefined && stream.rstCode !== constants.NGHTTP2_NO_ERROR) clientGone();
    });
  };

  const answer = (stream: ServerHttp2Stream, rpc: Rpc, message: Message) => {
    if (stream.destroyed || stream.closed) return;
    let bytes: Buffer;
    try {
      bytes = rpc.encodeResponse(message);
    } catch (error) {
      trailersOnly(stream, GRPC_STATUS.INTERNAL, `encoding the response: ${errorText(error)}`);
      return;
    }
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GRPC_STATUS.OK) }));
    stream.end(frame(bytes));
  };

  const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => undefined); // a reset stream: nothing to answer
    const path = headers[constants.HTTP2_HEADER_PATH];
    const contentType = headers[constants.HTTP2_HEADER_CONTENT_TYPE];
    if (headers[constants.HTTP2_HEADER_METHOD] !== 'POST' || typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      stream.respond({ [constants.HTTP2_HEADER_STATUS]: 415 }, { endStream: true });
      return;
    }
    const rpc = typeof path === 'string' ? rpcs.get(path) : undefined;
    if (rpc === undefined) {
      trailersOnly(stream, GRPC_STATUS.UNIMPLEMENTED, `method ${String(path)} is not implemented by this provider`);
      return;
    }
    if (heldPaths.has(rpc.path)) {
      hold(stream);
      return;
    }
    const handler = rpc.path === shutdownPath ? () => ({}) : unary.get(rpc.path);
    if (handler === undefined) {
      trailersOnly(stream, GRPC_STATUS.UNIMPLEMENTED, `method ${rpc.path} is not implemented by this provider`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_MESSAGE_BYTES + 5) chunks.push(chunk);
    });
    stream.once('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const parsed = size > MAX_MESSAGE_BYTES + 5 ? 'the request is larger than 4 MiB' : unframe(body);
      if (typeof parsed === 'string') {
        trailersOnly(stream, parsed.startsWith('compressed') ? GRPC_STATUS.UNIMPLEMENTED : GRPC_STATUS.INVALID_ARGUMENT, parsed);
        return;
      }
      let request: Message;
      try {
        request = rpc.decodeRequest(parsed);
      } catch (error) {
        trailersOnly(stream, GRPC_STATUS.INVALID_ARGUMENT, `decoding the request: ${errorText(error)}`);
        return;
      }
      if (rpc.path === shutdownPath) {
        // Held streams end first, so the session can close once this answer is out.
        closing = true;
        for (const s of held) if (!s.closed) s.end();
        held.clear();
        stream.once('close', () => hooks.onShutdown());
        answer(stream, rpc, {});
        return;
      }
      Promise.resolve()
        .then(() => handler(request))
        .then(
          (response) => answer(stream, rpc, response),
          (error: unknown) => {
            if (!stream.destroyed && !stream.closed) trailersOnly(stream, GRPC_STATUS.INTERNAL, errorText(error));
          },
        );
    });
  };

  const onSession = (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('error', () => undefined);
    session.on('close', () => {
      sessions.delete(session);
      // The connection dropped without Shutdown while Terraform held its streams on it.
      if (holding.has(session)) clientGone();
    });
  };

  let server: Http2Server | Http2SecureServer;
  if (tls) {
    server = createSecureServer({ key: tls.key, cert: tls.cert, ca: tls.clientCert, requestCert: true, rejectUnauthorized: true, allowHTTP1: false });
  } else {
    server = createServer();
  }
  server.on('session', onSession);
  server.on('stream', onStream);
  server.on('sessionError', () => undefined);
  // A TLS client that fails the handshake (no or another certificate) is simply disconnected.
  server.on('tlsClientError', () => undefined);

  return {
    accept(socket) {
      socket.on('error', () => undefined);
      server.emit('connection', socket);
      // TLS reads through its own wrap; a plaintext HTTP/2 session reads the socket as it flows.
      if (!tls) socket.resume();
    },
    close(graceMs = 500) {
      closing = true;
      for (const s of held) if (!s.closed) s.end();
      held.clear();
      return new Promise<void>((resolve) => {
        let pending = sessions.size;
        if (pending === 0) {
          resolve();
          return;
        }
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
          resolve();
        }, graceMs);
        force.unref();
        for (const s of sessions) {
          s.close(() => {
            pending -= 1;
            if (pending === 0) {
              clearTimeout(force);
              resolve();
            }
          });
        }
      });
    },
  };
}

/** One gRPC message frame: uncompressed flag, big-endian length, bytes. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** The single message of a unary request body, or what is wrong with it. */
export function unframe(body: Buffer): Buffer | string {
  if (body.length < 5) return 'a unary request must hold exactly one message';
  if (body[0] !== 0) return 'compressed messages are not supported; send them uncompressed';
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) return 'a unary request must hold exactly one message';
  return body.subarray(5);
}

/** An answer without a message: the status in the response headers, ending the stream. */
function trailersOnly(stream: ServerHttp2Stream, status: number, message: string): void {
  if (stream.destroyed || stream.closed || stream.headersSent) {
    if (!stream.destroyed) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond({ ...RESPONSE_HEADERS, 'grpc-status': String(status), 'grpc-message': percentEncode(message) }, { endStream: true });
}

/** gRPC's percent-encoding of grpc-message: printable ASCII except `%` stays, everything else as UTF-8 %XX. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
