// Opaque keyset-pagination cursors: base64url JSON of the last row's sort key, tagged with
// the listing it belongs to so a cursor of one listing is refused by another.
import { InvalidCursorError } from './errors.js';

/** Cursor of the (created_at, id) ordering. */
export interface TimeIdCursor {
  readonly createdAt: number;
  readonly id: string;
}

export function encodeTimeIdCursor(listing: string, position: TimeIdCursor): string {
  return Buffer.from(JSON.stringify([listing, position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor of `listing`; throws InvalidCursorError on anything else. */
export function decodeTimeIdCursor(listing: string, cursor: string): TimeIdCursor {
  const value = decode(cursor);
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== listing) throw new InvalidCursorError();
  const [, createdAt, id] = value as [unknown, unknown, unknown];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || typeof id !== 'string' || id.length > 64) {
    throw new InvalidCursorError();
  }
  return { createdAt, id };
}

/** Cursor of an ordering by an increasing integer id (newest first). */
export function encodeSequenceCursor(listing: string, id: number): string {
  return Buffer.from(JSON.stringify([listing, id]), 'utf8').toString('base64url');
}

export function decodeSequenceCursor(listing: string, cursor: string): number {
  const value = decode(cursor);
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== listing) throw new InvalidCursorError();
  const id = value[1] as unknown;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new InvalidCursorError();
  return id;
}

function decode(cursor: string): unknown {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
}
