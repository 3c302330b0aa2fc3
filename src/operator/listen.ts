// Starting and stopping the operator's servers (probes and metrics over HTTP, the webhook over
// HTTPS) the same way: listen resolves to the base URL or rejects (port taken); close stops
// accepting, lets requests in flight finish for a moment, then cuts what is left.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0 = any free port); resolves to `<scheme>://host:port`. */
export async function listenOn(server: HttpServer, port: number, host: string, scheme: 'http' | 'https'): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `${scheme}://${shown}:${address.port}`, port: address.port };
}

/** Closes the server: idle connections at once, the rest after `graceMs`. */
export async function closeServer(server: HttpServer, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(cut);
}
