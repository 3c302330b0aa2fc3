// A saved Terraform plan (`terraform show -json PLANFILE`) read as a summary per key: created,
// updated (naming the scopes and CIDRs that change), replaced (and which attribute forces it),
// revoked. Other resources (e.g. Secrets Manager secrets) are summarised by address. Values
// are shown for scopes and CIDRs only; of other attributes only the names.

/** Terraform's resource type of a key. */
export const KEY_RESOURCE_TYPE = 'keywarden_api_key';

export type ChangeAction = 'create' | 'update' | 'replace' | 'delete';

/** Members added to and removed from a set attribute. */
export interface SetChange {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface ResourceChange {
  /** Terraform address, e.g. `keywarden_api_key.development-order-bot`. */
  readonly address: string;
  readonly type: string;
  /** A keywarden_api_key, or another resource. */
  readonly kind: 'key' | 'resource';
  /** The key's name (its `name` attribute), else the address. */
  readonly name: string;
  readonly environment?: string;
  /** `delete` of a key revokes it. */
  readonly action: ChangeAction;
  /** The short non-secret prefix of an existing key. */
  readonly keyPrefix?: string;
  readonly scopes?: SetChange;
  readonly allowedCidrs?: SetChange;
  /** Other top-level attributes and blocks that change (names only). */
  readonly attributes: readonly string[];
  /** Attribute paths that force the replacement, e.g. `environment`. */
  readonly replacedBecause: readonly string[];
  /** Terraform's reason code, when it gives one (e.g. `delete_because_no_resource_config`). */
  readonly reason?: string;
}

export interface PlanSummary {
  readonly changes: readonly ResourceChange[];
  /** Managed resources the plan leaves as they are. */
  readonly unchanged: number;
}

/** Attributes the summary reports on their own (scopes, CIDRs) or never (computed bookkeeping). */
const REPORTED_APART = new Set(['scopes', 'allowed_cidrs', 'id', 'key_prefix', 'created_at', 'current_version']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface PlannedChange {
  address?: string;
  mode?: string;
  type?: string;
  action_reason?: string;
  change?: { actions?: string[]; before?: Json; after?: Json; after_unknown?: Json; replace_paths?: Json[][] };
}

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function strings(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function setChange(before: Json | undefined, after: Json | undefined): SetChange | undefined {
  const was = new Set(strings(before));
  const now = new Set(strings(after));
  const added = [...now].filter((v) => !was.has(v)).sort();
  const removed = [...was].filter((v) => !now.has(v)).sort();
  return added.length + removed.length === 0 ? undefined : { added, removed };
}

/** Canonical JSON (object keys sorted), for comparing values. */
function canonical(value: Json | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

function actionOf(actions: readonly string[]): ChangeAction | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  return undefined; // no-op, read
}

function pathText(path: readonly Json[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i === 0 ? '' : '.'}${String(step)}`)).join('');
}

function changedAttributes(before: Record<string, Json>, after: Record<string, Json>, unknown: Record<string, Json>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((name) => !REPORTED_APART.has(name))
    .filter((name) => unknown[name] === true || (unknown[name] === undefined && canonical(before[name]) !== canonical(after[name])))
    .sort();
}

/** Reads `terraform show -json PLANFILE` output. */
export function summarizePlan(showJson: string): PlanSummary {
  const plan = JSON.parse(showJson) as { resource_changes?: PlannedChange[] };
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== 'managed') continue;
    const action = actionOf(rc.change?.actions ?? []);
    if (action === undefined) {
      unchanged += 1;
      continue;
    }
    const before = isObject(rc.change?.before) ? rc.change.before : {};
    const after = isObject(rc.change?.after) ? rc.change.after : {};
    const unknown = isObject(rc.change?.after_unknown) ? rc.change.after_unknown : {};
    const type = rc.type ?? '';
    const address = rc.address ?? '';
    const kind = type === KEY_RESOURCE_TYPE ? 'key' : 'resource';
    const scopes = kind === 'key' && action !== 'delete' ? setChange(before.scopes, after.scopes) : undefined;
    const allowedCidrs = kind === 'key' && action !== 'delete' ? setChange(before.allowed_cidrs, after.allowed_cidrs) : undefined;
    const name = kind === 'key' ? (text(after.name) ?? text(before.name) ?? address) : address;
    const environment = kind === 'key' ? (text(after.environment) ?? text(before.environment)) : undefined;
    const keyPrefix = kind === 'key' ? text(before.key_prefix) : undefined;
    changes.push({
      address,
      type,
      kind,
      name,
      ...(environment !== undefined ? { environment } : {}),
      action,
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(scopes !== undefined ? { scopes } : {}),
      ...(allowedCidrs !== undefined ? { allowedCidrs } : {}),
      attributes: action === 'update' || action === 'replace' ? changedAttributes(before, after, unknown) : [],
      replacedBecause: (rc.change?.replace_paths ?? []).map(pathText).sort(),
      ...(rc.action_reason !== undefined ? { reason: rc.action_reason } : {}),
    });
  }
  return { changes, unchanged };
}

/** Counts per action, for summary lines and exit codes. */
export function countChanges(changes: readonly ResourceChange[]): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}
