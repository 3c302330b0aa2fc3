// Store-generated ids: a type prefix and 22 random base62 characters (≈131 bits).
import { randomBase62 } from '../base62.js';

export type IdKind = 'acct' | 'key' | 'kver';

/** A new random id such as `key_4Fh…`. Ids are not secrets. */
export function newId(kind: IdKind): string {
  return `${kind}_${randomBase62(22)}`;
}
