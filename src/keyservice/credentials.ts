// Where a request carries its API key: `Authorization: Bearer <key>`, HTTP Basic with the key
// as username and an empty or absent password, or `X-API-Key: <key>`.
import type { IncomingHttpHeaders } from 'node:http';

/** The presented key, or a reason it could not be read. */
export type PresentedKey = { readonly key: string } | { readonly missing: true } | { readonly malformed: string };

const MAX_HEADER_KEY_LENGTH = 256;

export function readPresentedKey(headers: IncomingHttpHeaders): PresentedKey {
  const apiKey = headers['x-api-key'];
  const authorization = headers.authorization;
  if (apiKey !== undefined) {
    if (authorization !== undefined) return { malformed: 'send the key in one header only, not both X-API-Key and Authorization' };
    if (Array.isArray(apiKey)) return { malformed: 'X-API-Key appears more than once' };
    return checked(apiKey.trim(), 'X-API-Key');
  }
  if (authorization === undefined) return { missing: true };
  const space = authorization.indexOf(' ');
  const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return checked(value, 'Bearer token');
  if (scheme === 'basic') {
    if (value.length === 0 || value.length > 4 * MAX_HEADER_KEY_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      return { malformed: 'Basic credentials are not base64' };
    }
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (password.length > 0) return { malformed: 'send the key as the Basic username with an empty password' };
    return checked(username, 'Basic username');
  }
  return { malformed: 'Authorization scheme must be Bearer or Basic' };
}

function checked(key: string, where: string): PresentedKey {
  if (key.length === 0) return { malformed: `${where} is empty` };
  if (key.length > MAX_HEADER_KEY_LENGTH) return { malformed: `${where} is too long to be a key` };
  return { key };
}
