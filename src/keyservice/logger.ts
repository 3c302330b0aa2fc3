// pino options of the service: JSON lines, secrets redacted wherever they could appear.
import type { FastifyServerOptions } from 'fastify';
import type { ResolvedOptions } from './options.js';

/** Paths pino replaces with [redacted]: credentials in headers, keys and secrets in bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'body.key',
  'body.secret',
  'key',
  'secret',
  '*.secret',
  'pepper',
  '*.pepper',
];

export function loggerOptions(options: ResolvedOptions): FastifyServerOptions['logger'] {
  return {
    level: options.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    stream: options.logStream ?? process.stderr,
  };
}
