// Everything that differs between SQLite and PostgreSQL, in one place.
import type { ColumnDataType } from 'kysely';

export type DialectKind = 'sqlite' | 'postgres';

/** Column type of an auto-incrementing 64-bit primary key. */
export function autoIncrementType(kind: DialectKind): ColumnDataType {
  return kind === 'sqlite' ? 'integer' : 'bigserial';
}

/** Bind parameter placeholder number `n` (1-based) for hand-written SQL. */
export function placeholder(kind: DialectKind, n: number): string {
  return kind === 'sqlite' ? '?' : `$${n}`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A unique constraint or primary key was violated (SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key was violated (SQLite SQLITE_CONSTRAINT_FOREIGNKEY, PostgreSQL 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'terminating connection',
];

/**
 * True when `error` means the database cannot serve us right now (rather than a bug or bad
 * input): connection refused/lost/timed out, server shutting down or starting (SQLSTATE class
 * 08, 57P01–57P03), too many connections (53300), statement timeout (57014), SQLite busy/locked
 * past its busy timeout or failing I/O.
 */
export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code)) return true;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code.startsWith('SQLITE_IOERR')) return true;
  }
  const message = error instanceof Error ? error.message : '';
  if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  // pg wraps some socket failures in AggregateError (IPv4 + IPv6 attempts).
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== error && isUnavailable(cause);
}
