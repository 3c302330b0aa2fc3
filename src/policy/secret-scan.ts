// Recognising values that look like secrets, for KW010. Known token formats first, then long
// random-looking runs of characters. Only a short prefix of a match is ever reported.

export interface SecretScanOptions {
  /** Shortest run of token characters treated as a candidate random secret. @default 32 */
  readonly minLength: number;
  /** Lowest Shannon entropy, in bits per character, of a random-looking secret. @default 4 */
  readonly minEntropy: number;
}

export interface SecretMatch {
  /** What it looks like, e.g. `a live Stripe-style secret key`. */
  readonly kind: string;
  /** A short, safe-to-print prefix of the match followed by `…`. */
  readonly preview: string;
}

const KNOWN: readonly { readonly kind: string; readonly pattern: RegExp; readonly previewLength: number }[] = [
  { kind: 'a live Keywarden key', pattern: /kw_live_[A-Za-z0-9_-]{8,}/, previewLength: 8 },
  { kind: 'a live secret key', pattern: /\b[sr]k_live_[A-Za-z0-9]{8,}/, previewLength: 8 },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, previewLength: 4 },
  { kind: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/, previewLength: 4 },
  { kind: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, previewLength: 5 },
  { kind: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, previewLength: 11 },
];

/** Cheap test that must pass before the known formats are tried one by one. */
const KNOWN_HINT = /live_|AKIA|ASIA|gh[pousr]_|xox|PRIVATE KEY/;
const TOKEN_RUN = /[A-Za-z0-9+/=_-]+/g;

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The first thing in `value` that looks like a secret, or undefined. */
export function findSecret(value: string, options: SecretScanOptions): SecretMatch | undefined {
  if (value.length < 8) return undefined;
  for (const known of KNOWN_HINT.test(value) ? KNOWN : []) {
    const m = known.pattern.exec(value);
    if (m) return { kind: known.kind, preview: `${m[0].slice(0, known.previewLength)}…` };
  }
  if (value.length < options.minLength) return undefined;
  for (const m of value.matchAll(TOKEN_RUN)) {
    const run = m[0];
    // Random tokens mix upper case, lower case and digits; names, paths and UUIDs do not.
    if (run.length < options.minLength || !/[a-z]/.test(run) || !/[A-Z]/.test(run) || !/[0-9]/.test(run)) continue;
    if (shannonEntropy(run) >= options.minEntropy) return { kind: 'a random-looking secret', preview: `${run.slice(0, 4)}…` };
  }
  return undefined;
}
