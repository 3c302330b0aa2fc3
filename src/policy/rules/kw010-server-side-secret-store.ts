import type { PathSegment } from '../../spec/model.js';
import type { Finding } from '../finding.js';
import type { BuiltinRule } from '../rule.js';
import { findSecret } from '../secret-scan.js';

/** Calls `visit` with every string in `data` (values, not keys) and its path (valid during the call only). */
function forEachString(data: unknown, path: PathSegment[], visit: (value: string, path: PathSegment[]) => void): void {
  if (typeof data === 'string') {
    visit(data, path);
  } else if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      path.push(i);
      forEachString(data[i], path, visit);
      path.pop();
    }
  } else if (data !== null && typeof data === 'object') {
    for (const field in data) {
      path.push(field);
      forEachString((data as Record<string, unknown>)[field], path, visit);
      path.pop();
    }
  }
}

export interface Kw010Params {
  /** Shortest run of token characters treated as a possible random secret. @default 32 */
  readonly minSecretLength: number;
  /** Lowest Shannon entropy (bits per character) of a random-looking secret. @default 4 */
  readonly minSecretEntropy: number;
}

export const kw010 = {
  id: 'KW010',
  title: 'Secrets go to a server-side store, never into the spec',
  severity: 'error',
  help:
    'Deliver every key to AWS Secrets Manager (`awsSecretsManager`) or a Kubernetes Secret (`kubernetesSecret`); a local `file` is allowed only in test-mode environments. Never write a secret into a spec file: if one was committed, revoke it in the key service and remove it from the file and from git history.',
  rationale:
    'Secrets belong in a store with access control and audit, not on disks or in git, where every clone and CI log keeps them forever.',
  params: { minSecretLength: 32, minSecretEntropy: 4 },
  paramsSchema: {
    minSecretLength: { type: 'integer', minimum: 16 },
    minSecretEntropy: { type: 'number', minimum: 0, maximum: 8 },
  },
  check(ctx) {
    const findings: Finding[] = [];
    for (const key of ctx.keys) {
      if (key.delivery.length === 0) {
        findings.push(
          ctx.finding(
            key.locate('delivery'),
            `key ${key.name} is delivered nowhere: add a delivery to awsSecretsManager or kubernetesSecret`,
            key,
          ),
        );
        continue;
      }
      if (key.mode !== 'live') continue;
      key.delivery.forEach((delivery, i) => {
        if (delivery.kind === 'file') {
          findings.push(
            ctx.finding(
              key.locate('delivery', i),
              `live key ${key.name} is delivered to the local file ${delivery.path}: deliver it to awsSecretsManager or kubernetesSecret (files are for test environments only)`,
              key,
            ),
          );
        }
      });
    }
    const scan = { minLength: ctx.params.minSecretLength, minEntropy: ctx.params.minSecretEntropy };
    // Walk the plain data and locate only the hits: positions are costly and hits are rare.
    for (const document of ctx.documents) {
      forEachString(document.data, [], (value, path) => {
        const secret = findSecret(value, scan);
        if (!secret) return;
        findings.push(
          ctx.finding(
            document.locate([...path]),
            `this value looks like ${secret.kind} (${secret.preview}): never put secrets in a spec file; revoke it and let Keywarden deliver it to a secret store`,
            document,
          ),
        );
      });
    }
    return findings;
  },
} satisfies BuiltinRule<Kw010Params>;
