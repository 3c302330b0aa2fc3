// AWS Secrets Manager requires a ClientRequestToken of 32–64 characters; it becomes the
// VersionId. Key-service version ids are mapped to tokens deterministically and reversibly,
// so a retried PutSecretValue reuses the token (a no-op) and the current AWS version can be
// read back as a key-service version id:
//   - an id of 32–64 characters from [A-Za-z0-9_-] (a UUID, say) is its own token;
//   - any other id of up to 29 UTF-8 bytes becomes `kwv-<hex of its bytes>` padded with
//     `-0…` to 32 characters; hex never contains `-`, so the padding is unambiguous.
// Ids that fit neither rule are refused (KW_DELIVERY_INVALID_VERSION_ID).

const TOKEN_SAFE = /^[A-Za-z0-9_-]{32,64}$/;
const PREFIX = 'kwv-';
const MIN = 32;
const MAX_ENCODED_BYTES = 29;

/** The ClientRequestToken for a version id, or undefined when the id cannot be mapped. */
export function versionToken(versionId: string): string | undefined {
  if (TOKEN_SAFE.test(versionId) && !versionId.startsWith(PREFIX)) return versionId;
  const bytes = Buffer.from(versionId, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_ENCODED_BYTES) return undefined;
  const token = PREFIX + bytes.toString('hex');
  return token.length >= MIN ? token : `${token}-`.padEnd(MIN, '0');
}

/** The version id a token stands for (tokens not made by `versionToken` are returned as they are). */
export function versionIdFromToken(token: string): string {
  if (!token.startsWith(PREFIX)) return token;
  const hex = token.slice(PREFIX.length).split('-')[0]!;
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return token;
  return Buffer.from(hex, 'hex').toString('utf8');
}
