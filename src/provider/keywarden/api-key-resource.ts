// Resource `keywarden_api_key`: one key in the key service. Create receives the plaintext
// secret once and writes it to every delivery destination itself; the secret is held by no
// attribute, so it never enters Terraform's plan, state or logs. Environment, mode and
// service replace the key; everything else is updated in place. A key revoked or deleted by
// hand disappears from state on refresh (the next apply creates a new one); other changes by
// hand show up as differences.
//
// Delivery blocks added to an existing key: a destination that already holds the key's current
// version (written by an earlier apply or by the operator, e.g. after `terraform import`) is
// adopted as it is; otherwise the key is rotated so that every destination holds the same new
// secret. A removed delivery block stops being managed and nothing is deleted there: the plan
// warns that the secret stays at that destination.
import type { EnvironmentMode } from '../../spec/model.js';
import type { Delivery } from '../../spec/model.js';
import { isUnknown, oneOf, t, UNKNOWN, type ConfiguredContext, type Resource, type TfObject, type TfValue } from '../plugin/index.js';
import { deliveriesOf, deliveryBlockName, deliveryIdentity, describeDelivery } from './delivery-targets.js';
import { createRequestOf, expiresAtOf, stateOfKey, updateRequestOf } from './key-state.js';
import type { KeywardenProviderData } from './provider-config.js';
import { isApiError, reportError } from './report-error.js';
import { cidrSet, duration, label, limitKeys, positiveInteger, scopeSet, timestamp } from './validators.js';

/** How long the previous secret stays valid when adding a destination rotates the key. */
export const DELIVERY_ROTATION_OVERLAP = '1h';

type Ctx = ConfiguredContext<KeywardenProviderData | undefined>;

const str = (v: TfValue | undefined): string | null => (typeof v === 'string' ? v : null);

export const apiKeyResource: Resource<KeywardenProviderData | undefined> = {
  typeName: 'keywarden_api_key',
  schema: {
    version: 0,
    description:
      'An API key in the Keywarden key service. Its secret is written to the delivery destinations when the key is created and is never stored in Terraform state.',
    attributes: {
      id: { type: t.string, computed: true, planModifiers: ['useStateForUnknown'], description: 'The key\'s id in the key service.' },
      name: { type: t.string, required: true, validators: [label], description: 'Unique name of the key in its account, e.g. `production-order-bot`.' },
      environment: {
        type: t.string,
        required: true,
        planModifiers: ['requiresReplace'],
        validators: [label],
        description: 'Environment the key belongs to, e.g. `production`. Changing it replaces the key.',
      },
      integration: { type: t.string, optional: true, validators: [label], description: 'The integration (client) that uses the key.' },
      service: {
        type: t.string,
        optional: true,
        planModifiers: ['requiresReplace'],
        validators: [label],
        description: 'The API (audience) the key is for. Changing it replaces the key.',
      },
      mode: {
        type: t.string,
        optional: true,
        computed: true,
        planModifiers: ['requiresReplace', 'useStateForUnknown'],
        validators: [oneOf(['live', 'test'])],
        description: '`live` or `test`. Default: `test`. Changing it replaces the key. `file` delivery needs `test`.',
      },
      scopes: { type: t.set(t.string), optional: true, validators: [scopeSet], description: 'Scopes granted, e.g. `["invoices:read"]`. No wildcards.' },
      allowed_cidrs: { type: t.set(t.string), optional: true, validators: [cidrSet], description: 'Addresses or CIDRs the key may be used from. Default: anywhere.' },
      limits: { type: t.map(t.string), optional: true, validators: [limitKeys], description: 'Per-key limits the service enforces, e.g. `{ max_payout = "55.00" }`.' },
      expires_at: {
        type: t.string,
        optional: true,
        computed: true,
        planModifiers: ['useStateForUnknown'],
        validators: [timestamp],
        description: 'When the key stops working (RFC 3339). Set it, or `expires_after`; computed from `expires_after` otherwise.',
      },
      expires_after: {
        type: t.string,
        optional: true,
        validators: [duration],
        description: 'Lifetime from creation (or from the change of this attribute), e.g. `365d`. Conflicts with `expires_at`.',
      },
      enabled: { type: t.bool, optional: true, description: 'A disabled key fails verification but keeps its secret. Default: `true`.' },
      metadata: { type: t.map(t.string), optional: true, description: 'Free-form labels kept with the key.' },
      key_prefix: { type: t.string, computed: true, planModifiers: ['useStateForUnknown'], description: 'The short, non-secret prefix that identifies the key in logs.' },
      current_version: { type: t.string, computed: true, planModifiers: ['useStateForUnknown'], description: 'Id of the secret version in use.' },
      created_at: { type: t.string, computed: true, planModifiers: ['useStateForUnknown'], description: 'When the key was created (RFC 3339).' },
    },
    blocks: {
      rate_limit: {
        nesting: 'single',
        block: {
          description: 'Requests allowed per window.',
          attributes: {
            requests: { type: t.number, required: true, validators: [positiveInteger], description: 'Requests per window.' },
            per: { type: t.string, required: true, validators: [duration], description: 'Window, e.g. `1h`.' },
          },
        },
      },
      aws_secrets_manager: {
        nesting: 'list',
        block: {
          description: 'Write the secret to an AWS Secrets Manager secret (created when missing), as AWS rotation does: AWSPENDING, then AWSCURRENT.',
          attributes: {
            secret_id: { type: t.string, required: true, description: 'Name or ARN of the secret.' },
            region: { type: t.string, optional: true, description: 'Region. Default: the provider\'s `aws_region`.' },
          },
        },
      },
      kubernetes_secret: {
        nesting: 'list',
        block: {
          description: 'Write the secret into a Kubernetes Secret (created when missing; other keys of the Secret are kept).',
          attributes: {
            namespace: { type: t.string, required: true, description: 'Namespace of the Secret.' },
            name: { type: t.string, required: true, description: 'Name of the Secret.' },
            key: { type: t.string, required: true, description: 'Data key that holds the secret, e.g. `API_KEY`.' },
          },
        },
      },
      file: {
        nesting: 'list',
        block: {
          description: 'Write the secret to a local file (mode 0600, written atomically). Test-mode keys only.',
          attributes: { path: { type: t.string, required: true, description: 'File path.' } },
        },
      },
    },
  },

  validate(config, { diagnostics }) {
    if (str(config.expires_at) !== null && str(config.expires_after) !== null) {
      diagnostics.error('Conflicting expiry', 'Set expires_at or expires_after, not both.', ['expires_after']);
    }
    if (config.mode === 'live' && Array.isArray(config.file)) {
      config.file.forEach((_, i) =>
        diagnostics.error('File delivery needs a test key', 'A live key must not be written to a local file. Use aws_secrets_manager or kubernetes_secret, or mode = "test".', ['file', i, 'path']),
      );
    }
  },

  async modifyPlan({ config, prior, planned }, ctx) {
    const next: TfObject = { ...planned };
    if (prior === null && (config.mode ?? null) === null) next.mode = 'test';
    if ((config.expires_at ?? null) === null) {
      if ((config.expires_after ?? null) === null) next.expires_at = null;
      else if (prior === null || prior.expires_after !== config.expires_after) next.expires_at = UNKNOWN;
    }
    if (prior === null) return next;
    const { added, removed } = deliveryChanges(prior, planned);
    for (const gone of removed) {
      ctx.diagnostics.warning(
        'Delivery removed: the secret stays at its destination',
        `Terraform stops managing ${describeDelivery(gone)} and deletes nothing there; workloads reading it keep a working key. ` +
          `Delete the secret there yourself if it must go, and rotate or replace the key (terraform apply -replace=...) so that copy stops working.`,
        [deliveryBlockName(gone)],
      );
    }
    if (added.length > 0 && !(await holdCurrentVersion(added, prior, ctx))) next.current_version = UNKNOWN;
    return next;
  },

  async create({ planned }, ctx) {
    const data = configured(ctx);
    const name = str(planned.name) ?? '';
    const deliveries = deliveriesOf(planned);
    let created;
    try {
      created = await data.client.createKey(createRequestOf({ ...planned, expires_at: expiresAtOf(planned, new Date()) }));
    } catch (error) {
      reportError(error, `create key "${name}"`, data.endpoint, ctx.diagnostics);
      return planned;
    }
    data.keys.invalidate();
    const { key, version, secret } = created;
    try {
      await data.delivery.deliver(deliveries, key.mode as EnvironmentMode, { keyId: key.id, versionId: version.id, secret });
    } catch (error) {
      // Nothing may exist that Terraform does not know about: take the undelivered key back.
      reportError(error, `deliver the secret of key "${name}" (${key.displayPrefix}…)`, data.endpoint, ctx.diagnostics);
      await data.client.revokeKey(key.id).catch((revokeError: unknown) =>
        reportError(revokeError, `revoke the undelivered key ${key.id}; revoke it by hand`, data.endpoint, ctx.diagnostics),
      );
      return planned;
    }
    return stateOfKey(key, planned);
  },

  async read({ state }, ctx) {
    const data = configured(ctx);
    const id = str(state.id) ?? '';
    try {
      const key = await data.keys.get(id);
      if (key.status === 'revoked') return null;
      return stateOfKey(key, state);
    } catch (error) {
      if (isApiError(error, 404)) return null;
      reportError(error, `read key ${id}`, data.endpoint, ctx.diagnostics);
      return state;
    }
  },

  async update({ planned, prior }, ctx) {
    const data = configured(ctx);
    const id = str(prior.id) ?? '';
    const resolved = { ...planned, expires_at: expiresAtOf(planned, new Date()) };
    data.keys.invalidate();
    try {
      const patch = updateRequestOf(resolved, prior);
      let key = patch === undefined ? await data.client.getKey(id) : await data.client.updateKey(id, patch);
      // Unknown in the plan: a new destination does not hold the current version yet.
      if (isUnknown(planned.current_version)) {
        // The secret of the current version is gone (the service shows it once): a new
        // destination gets a new version, and so do the others, so all hold the same secret.
        const rotated = await data.client.rotateKey(id, { overlap: DELIVERY_ROTATION_OVERLAP });
        if (rotated.secret === undefined) throw new Error('the key service replayed an earlier rotation without its secret; apply again');
        await data.delivery.deliver(deliveriesOf(planned), rotated.key.mode as EnvironmentMode, { keyId: id, versionId: rotated.version.id, secret: rotated.secret });
        key = { ...rotated.key, etag: rotated.etag };
      }
      return stateOfKey(key, resolved);
    } catch (error) {
      reportError(error, `update key ${id}`, data.endpoint, ctx.diagnostics);
      return prior;
    } finally {
      data.keys.invalidate();
    }
  },

  async delete({ prior }, ctx) {
    const data = configured(ctx);
    const id = str(prior.id) ?? '';
    data.keys.invalidate();
    try {
      await data.client.revokeKey(id);
    } catch (error) {
      if (isApiError(error, 404)) return; // already gone
      reportError(error, `revoke key ${id}`, data.endpoint, ctx.diagnostics);
    } finally {
      data.keys.invalidate();
    }
  },

  async importState(idOrName, ctx) {
    const data = configured(ctx);
    try {
      const key = await data.client.getKey(idOrName).catch(async (error: unknown) => {
        if (isApiError(error, 404) || isApiError(error, 400)) return data.client.getKeyByName(idOrName);
        throw error;
      });
      if (key === undefined || key.status === 'revoked') return null;
      return stateOfKey(key, null);
    } catch (error) {
      reportError(error, `import key "${idOrName}"`, data.endpoint, ctx.diagnostics);
      return null;
    }
  },
};

/** The provider data, or an exception when configure failed (Terraform stops before this after its diagnostics). */
export function configured(ctx: Ctx): KeywardenProviderData {
  if (ctx.providerData === undefined) throw new Error('the keywarden provider is not configured; see the provider configuration errors');
  return ctx.providerData;
}

/** The deliveries `after` has and `before` has not (added), and the other way round (removed). */
function deliveryChanges(before: TfObject, after: TfObject): { added: Delivery[]; removed: Delivery[] } {
  const was = deliveriesOf(before);
  const is = deliveriesOf(after);
  const wasIds = was.map(deliveryIdentity);
  const isIds = is.map(deliveryIdentity);
  // Every plan of an unchanged key lands here: the same entries in the same order need no sets.
  if (wasIds.length === isIds.length && wasIds.every((id, i) => id === isIds[i])) return { added: [], removed: [] };
  const wasSet = new Set(wasIds);
  const isSet = new Set(isIds);
  return { added: is.filter((_, i) => !wasSet.has(isIds[i] as string)), removed: was.filter((_, i) => !isSet.has(wasIds[i] as string)) };
}

/**
 * Whether every one of `deliveries` already holds the key's current version (Keywarden wrote
 * it there: an earlier apply, the operator, or before an import), so adding them needs no new
 * secret. Unreachable destinations count as not holding it (the apply then rotates and writes).
 */
async function holdCurrentVersion(deliveries: readonly Delivery[], prior: TfObject, ctx: Ctx): Promise<boolean> {
  const version = str(prior.current_version);
  const mode = str(prior.mode);
  if (version === null || (mode !== 'live' && mode !== 'test')) return false;
  try {
    const destinations = await configured(ctx).delivery.destinations(deliveries, mode);
    const current = await Promise.all(destinations.map((d) => d.current()));
    return current.every((id) => id === version);
  } catch (error) {
    ctx.log.debug('delivery destination not readable while planning; the key will be rotated', { error: error instanceof Error ? error.name : typeof error });
    return false;
  }
}
