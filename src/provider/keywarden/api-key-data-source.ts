// Data source `keywarden_api_key`: one key of the account, looked up by id or by name (never its secret).
import type { ApiKey } from '../../client/index.js';
import { t, type DataSource, type TfObject } from '../plugin/index.js';
import { configured } from './api-key-resource.js';
import { stateOfKey } from './key-state.js';
import type { KeywardenProviderData } from './provider-config.js';
import { isApiError, reportError } from './report-error.js';

const computedString = (description: string) => ({ type: t.string, computed: true, description });

export const apiKeyDataSource: DataSource<KeywardenProviderData | undefined> = {
  typeName: 'keywarden_api_key',
  schema: {
    description: 'Reads a key of the account by `id` or by `name` (a key that is not revoked). The secret is never readable.',
    attributes: {
      id: { type: t.string, optional: true, computed: true, description: 'The key\'s id. Set `id` or `name`.' },
      name: { type: t.string, optional: true, computed: true, description: 'The key\'s name. Set `id` or `name`.' },
      environment: computedString('Environment.'),
      integration: computedString('Integration.'),
      service: computedString('Service (audience).'),
      mode: computedString('`live` or `test`.'),
      status: computedString('`active`, `disabled`, `expired` or `revoked`.'),
      scopes: { type: t.set(t.string), computed: true, description: 'Scopes granted.' },
      allowed_cidrs: { type: t.set(t.string), computed: true, description: 'Allowed addresses and CIDRs (empty: anywhere).' },
      limits: { type: t.map(t.string), computed: true, description: 'Per-key limits.' },
      rate_limit: { type: t.object({ requests: t.number, per: t.string }), computed: true, description: 'Requests per window, or null.' },
      expires_at: computedString('Expiry (RFC 3339), or null.'),
      enabled: { type: t.bool, computed: true, description: 'Whether the key is enabled.' },
      metadata: { type: t.map(t.string), computed: true, description: 'Labels kept with the key.' },
      key_prefix: computedString('Short non-secret prefix.'),
      current_version: computedString('Id of the secret version in use.'),
      created_at: computedString('Creation time (RFC 3339).'),
    },
  },
  validate(config, { diagnostics }) {
    const hasId = (config.id ?? null) !== null;
    const hasName = (config.name ?? null) !== null;
    if (hasId === hasName) diagnostics.error('Set id or name', 'Give exactly one of id and name to look the key up.', [hasId ? 'name' : 'id']);
  },
  async read({ config }, ctx) {
    const data = configured(ctx);
    const id = typeof config.id === 'string' ? config.id : undefined;
    const name = typeof config.name === 'string' ? config.name : '';
    try {
      const key = id !== undefined ? await data.client.getKey(id) : await data.client.getKeyByName(name);
      if (key === undefined) {
        ctx.diagnostics.error('Key not found', `No key that is not revoked is named "${name}" in the provider's account.`, ['name']);
        return config;
      }
      return dataOfKey(key);
    } catch (error) {
      if (isApiError(error, 404)) {
        ctx.diagnostics.error('Key not found', `No key has the id "${id}" in the provider's account.`, ['id']);
      } else reportError(error, `read key ${id ?? `"${name}"`}`, data.endpoint, ctx.diagnostics);
      return config;
    }
  },
};

/** The resource's view of the key, with concrete values where the resource keeps nulls (empty sets, enabled). */
function dataOfKey(key: ApiKey): TfObject {
  const { expires_after: _after, aws_secrets_manager: _aws, kubernetes_secret: _kube, file: _file, rate_limit, ...common } = stateOfKey(key, null);
  const stringMap = (m: Record<string, string | number | boolean | null>) =>
    Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
  return {
    ...common,
    status: key.status,
    scopes: [...key.scopes].sort(),
    allowed_cidrs: [...key.allowedCidrs].sort(),
    limits: stringMap(key.limits),
    metadata: stringMap(key.metadata),
    rate_limit: rate_limit ?? null,
    enabled: key.enabled,
  };
}
