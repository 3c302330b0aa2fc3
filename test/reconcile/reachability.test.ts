// Which stacks `keywarden up` applies offline, and the reasons it gives for the others; and
// where plan/apply find the key service credentials.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offlineBlockers, partitionOffline, resolveApiKey, resolveEndpoint } from '../../src/reconcile/index.js';
import type { SynthesizedKey, SynthesizedStack } from '../../src/stack/index.js';

const KEYWARDEN = 'registry.terraform.io/keywarden/keywarden';
const AWS = 'registry.terraform.io/hashicorp/aws';

function key(name: string, mode: 'live' | 'test', deliveries: SynthesizedKey['deliveries']): SynthesizedKey {
  return { address: `keywarden_api_key.${name}`, name, environment: 'e', integration: name, mode, deliveries };
}

function stack(name: string, keys: SynthesizedKey[], providers = [KEYWARDEN]): SynthesizedStack {
  return { name, directory: `/tmp/${name}`, environments: [name], keys, providers };
}

describe('offline reachability', () => {
  it('applies a test-mode stack with file delivery only, and an empty one', () => {
    expect(offlineBlockers(stack('development', [key('a', 'test', ['file'])]))).toEqual([]);
    expect(offlineBlockers(stack('empty', []))).toEqual([]);
  });

  it('names AWS, Kubernetes and live mode with their key counts, and no second line for hashicorp/aws', () => {
    const production = stack('production', [key('a', 'live', ['aws_secrets_manager', 'kubernetes_secret']), key('b', 'live', ['kubernetes_secret'])], [AWS, KEYWARDEN]);
    expect(offlineBlockers(production)).toEqual([
      'needs AWS Secrets Manager (1 key)',
      'needs a Kubernetes cluster (2 keys)',
      "live mode: 2 keys for the environment's own key service, not the embedded one",
    ]);
  });

  it('names a provider that must be downloaded when no delivery explains it', () => {
    expect(offlineBlockers(stack('odd', [key('a', 'test', ['file'])], [AWS, KEYWARDEN]))).toEqual([`needs ${AWS} from the Terraform registry (offline)`]);
  });

  it('keeps the reachable stacks in order and lists the others with their reasons', () => {
    const result = partitionOffline([stack('production', [key('a', 'live', ['kubernetes_secret'])]), stack('development', [key('b', 'test', ['file'])])]);
    expect(result.reachable.map((s) => s.name)).toEqual(['development']);
    expect(result.skipped).toEqual([{ stack: 'production', environments: ['production'], reasons: ['needs a Kubernetes cluster (1 key)', "live mode: 1 key for the environment's own key service, not the embedded one"] }]);
  });
});

describe('credentials', () => {
  it('takes the endpoint from the flag, then KEYWARDEN_ENDPOINT, then the one the project names', () => {
    expect(resolveEndpoint({ endpoint: 'https://flag' }, { KEYWARDEN_ENDPOINT: 'https://env' }, 's', ['https://project'])).toBe('https://flag');
    expect(resolveEndpoint({}, { KEYWARDEN_ENDPOINT: 'https://env' }, 's', ['https://project'])).toBe('https://env');
    expect(resolveEndpoint({}, {}, 's', ['https://project', undefined, 'https://project'])).toBe('https://project');
  });

  it('refuses a stack whose environments name different endpoints, or none', () => {
    expect(() => resolveEndpoint({}, {}, 'all', ['https://a', 'https://b'])).toThrow(/KWR003 .*stack all covers environments with different endpoints \(https:\/\/a, https:\/\/b\)/);
    expect(() => resolveEndpoint({}, {}, 'dev', [undefined])).toThrow(/KWR003 No key service endpoint: stack dev/);
  });

  it('reads the API key from a file (trimmed) before the environment, and says which is missing or empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-credentials-'));
    try {
      writeFileSync(join(dir, 'key'), 'kw_live_fromfile\n');
      writeFileSync(join(dir, 'empty'), '\n');
      expect(resolveApiKey({ apiKeyFile: join(dir, 'key') }, { KEYWARDEN_API_KEY: 'kw_live_fromenv' })).toBe('kw_live_fromfile');
      expect(resolveApiKey({}, { KEYWARDEN_API_KEY: 'kw_live_fromenv' })).toBe('kw_live_fromenv');
      expect(() => resolveApiKey({}, {})).toThrow(/KWR004 No API key: KEYWARDEN_API_KEY is not set/);
      expect(() => resolveApiKey({ apiKeyFile: join(dir, 'empty') }, {})).toThrow(/KWR004 .* is empty/);
      expect(() => resolveApiKey({ apiKeyFile: join(dir, 'missing') }, {})).toThrow(/KWR005 File cannot be read: --api-key-file .*missing: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
