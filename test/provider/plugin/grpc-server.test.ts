// The provider's own gRPC-over-HTTP/2 server, in process, driven by @grpc/grpc-js as an
// independent client: answers, status codes and messages for what it refuses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPluginServer, frame, percentEncode, unframe, type PluginServer } from '../../../src/provider/plugin/grpc-server.js';
import { Listener } from '../../../src/provider/plugin/handshake.js';
import { ProviderServer } from '../../../src/provider/plugin/provider-server.js';
import { serviceDefinitions } from '../../../src/provider/plugin/services.js';
import { kwtestProvider } from '../../fixtures/provider/kwtest/provider.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-grpc-server-'));
const socketPath = join(dir, 'plugin.sock');
const listener = new Listener();
let server: PluginServer;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  server = createPluginServer(new ProviderServer(kwtestProvider), { onShutdown: () => undefined, onClientGone: () => undefined });
  listener.serve(server);
  await listener.listen(socketPath);
});
afterAll(async () => {
  for (const c of clients) c.close();
  listener.stop();
  await server.close(100);
  rmSync(dir, { recursive: true, force: true });
});

function unary(path: string, body: Buffer, options: grpc.ChannelOptions = {}): Promise<{ error: grpc.ServiceError | null; response?: Buffer }> {
  const client = new grpc.Client(`unix:${socketPath}`, grpc.credentials.createInsecure(), options);
  clients.push(client);
  return new Promise((resolve) =>
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + 10_000 }, (error, response) => resolve({ error, ...(response ? { response } : {}) })),
  );
}

describe('gRPC over node:http2', () => {
  it('answers a unary call with the encoded response message', async () => {
    const method = serviceDefinitions().provider.GetMetadata;
    const { error, response } = await unary('/tfplugin6.Provider/GetMetadata', Buffer.alloc(0));
    expect(error).toBeNull();
    expect(method?.responseDeserialize(response as Buffer)).toMatchObject({ resources: [{ type_name: 'kwtest_note' }] });
  });

  it('refuses compressed messages with UNIMPLEMENTED, saying to send them uncompressed', async () => {
    const { error } = await unary('/tfplugin6.Provider/GetMetadata', Buffer.from('x'.repeat(2000)), { 'grpc.default_compression_algorithm': 2 });
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error?.details).toBe('compressed messages are not supported; send them uncompressed');
  });

  it('refuses a request that is not a valid message with INVALID_ARGUMENT', async () => {
    const { error } = await unary('/tfplugin6.Provider/ValidateResourceConfig', Buffer.from([0x0a, 0xff]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^decoding the request: protobuf: truncated/);
  });

  it('frames one message and takes exactly one back', () => {
    const framed = frame(Buffer.from('abc'));
    expect([...framed]).toEqual([0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    expect(unframe(framed)).toEqual(Buffer.from('abc'));
    expect(unframe(Buffer.concat([framed, framed]))).toBe('a unary request must hold exactly one message');
    expect(unframe(Buffer.from([1, 0, 0, 0, 0]))).toBe('compressed messages are not supported; send them uncompressed');
  });

  it('percent-encodes grpc-message as gRPC specifies', () => {
    expect(percentEncode('café 100% ok\n')).toBe('caf%C3%A9 100%25 ok%0A');
  });
});
