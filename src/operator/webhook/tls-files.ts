// The webhook's serving certificate, read from PEM files and re-read when they change (a
// Kubernetes Secret volume or cert-manager renews them in place). A pair that does not load
// (half-written, mismatched) is refused and the previous one stays in use.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface TlsFilesOptions {
  /** PEM certificate (chain). */
  readonly certFile: string;
  /** PEM private key. */
  readonly keyFile: string;
}

/** Reads the pair and proves that it makes a secure context; throws with a message naming the file otherwise. */
export function readTlsFiles(options: TlsFilesOptions): SecureContextOptions {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read the webhook ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const pair = { cert: read(options.certFile, 'certificate'), key: read(options.keyFile, 'private key') };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(`the webhook certificate ${options.certFile} and key ${options.keyFile} do not make a TLS pair: ${(err as Error).message}`);
  }
  return pair;
}

/** Polls both files every `intervalMs` (stat follows the symlinks a Secret volume swaps) and calls `onChange`; returns the stop function. */
export function watchTlsFiles(options: TlsFilesOptions, intervalMs: number, onChange: () => void): () => void {
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) onChange();
  };
  const files = [...new Set([options.certFile, options.keyFile])];
  for (const file of files) watchFile(file, { interval: intervalMs, persistent: false }, listener);
  return () => {
    for (const file of files) unwatchFile(file, listener);
  };
}
