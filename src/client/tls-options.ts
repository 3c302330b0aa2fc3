// TLS settings for talking to a key service behind HTTPS: a private CA, or (development
// only) no certificate verification at all.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

export interface TlsOptions {
  /** PEM file of the CA (or bundle) that signed the service's certificate. */
  readonly caFile?: string;
  /** PEM text of the CA, instead of caFile. */
  readonly ca?: string;
  /**
   * Skip certificate verification. Development only: anyone on the path can read the keys.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** An undici dispatcher for these TLS settings, or undefined when the defaults do. */
export function tlsDispatcher(tls: TlsOptions | undefined): Agent | undefined {
  if (!tls || (!tls.caFile && !tls.ca && !tls.insecureSkipVerify)) return undefined;
  const ca = tls.ca ?? (tls.caFile ? readFileSync(tls.caFile, 'utf8') : undefined);
  return new Agent({
    connect: {
      ...(ca ? { ca } : {}),
      rejectUnauthorized: !tls.insecureSkipVerify,
    },
  });
}
