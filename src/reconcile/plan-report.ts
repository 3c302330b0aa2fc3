// Renders the plan of every stack: text for a terminal or a log, markdown for a pull-request
// comment, JSON for tools. No secret can appear: the summaries hold none (see plan-summary.ts).
import { countChanges, type ChangeAction, type PlanSummary, type ResourceChange, type SetChange } from './plan-summary.js';

export const PLAN_FORMATS = ['text', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export function isPlanFormat(value: string): value is PlanFormat {
  return (PLAN_FORMATS as readonly string[]).includes(value);
}

/** The plan of one stack. */
export interface StackPlan {
  readonly stack: string;
  readonly environments: readonly string[];
  readonly summary: PlanSummary;
}

/** A stack left out, and why (e.g. it needs AWS and the run is offline). */
export interface SkippedStack {
  readonly stack: string;
  readonly environments: readonly string[];
  readonly reasons: readonly string[];
}

export interface PlanReport {
  readonly stacks: readonly StackPlan[];
  readonly skipped: readonly SkippedStack[];
}

/** True when some stack would change something. */
export function hasChanges(report: PlanReport): boolean {
  return report.stacks.some((s) => s.summary.changes.length > 0);
}

const VERB: Record<ChangeAction, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'revoke' };
const SIGN: Record<ChangeAction, string> = { create: '+', update: '~', replace: '±', delete: '-' };
const REASONS: Record<string, string> = {
  delete_because_no_resource_config: 'no longer in the specs',
  delete_because_no_module: 'no longer in the specs',
  replace_because_tainted: 'marked tainted',
  replace_by_request: 'replacement requested',
};

function verb(change: ResourceChange): string {
  return change.kind === 'key' ? VERB[change.action] : change.action === 'delete' ? 'destroy' : change.action;
}

function setText(label: string, set: SetChange | undefined, all: boolean): string | undefined {
  if (set === undefined) return undefined;
  if (all) return `${label} ${set.added.join(', ')}`;
  return `${label} ${[...set.added.map((v) => `+${v}`), ...set.removed.map((v) => `-${v}`)].join(', ')}`;
}

/** The details of one change, e.g. `scopes +invoices:write; cidrs -10.0.0.0/8; also limits`. */
export function changeDetails(change: ResourceChange): string {
  const created = change.action === 'create';
  const parts = [setText('scopes', change.scopes, created), setText('cidrs', change.allowedCidrs, created)].filter((p): p is string => p !== undefined);
  if (change.replacedBecause.length > 0) parts.unshift(`because ${change.replacedBecause.join(', ')} changes`);
  const others = change.attributes.filter((a) => !change.replacedBecause.includes(a));
  if (others.length > 0) parts.push(`${change.action === 'update' || change.action === 'replace' ? 'also ' : ''}${others.join(', ')}`);
  if (change.action === 'delete') parts.push(REASONS[change.reason ?? ''] ?? 'destroyed');
  else if (change.reason !== undefined && REASONS[change.reason] !== undefined) parts.push(REASONS[change.reason]!);
  return parts.join('; ');
}

function countsText(changes: readonly ResourceChange[]): string {
  const c = countChanges(changes);
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to revoke`;
}

function label(change: ResourceChange): string {
  return change.keyPrefix === undefined ? change.name : `${change.name} (${change.keyPrefix}…)`;
}

function renderText(report: PlanReport): string {
  const lines: string[] = [];
  for (const stack of report.stacks) {
    const { changes, unchanged } = stack.summary;
    lines.push(`${stack.stack}: ${changes.length === 0 ? 'no changes' : countsText(changes)}${unchanged > 0 ? ` (${unchanged} unchanged)` : ''}`);
    const width = Math.max(0, ...changes.map((c) => label(c).length));
    for (const change of changes) {
      const details = changeDetails(change);
      lines.push(`  ${SIGN[change.action]} ${label(change).padEnd(width)}  ${verb(change).padEnd(7)}${details === '' ? '' : `  ${details}`}`.trimEnd());
    }
  }
  for (const skipped of report.skipped) lines.push(`${skipped.stack}: skipped: ${skipped.reasons.join('; ')}`);
  if (report.stacks.length > 0) lines.push(hasChanges(report) ? `Plan: ${countsText(report.stacks.flatMap((s) => s.summary.changes))}.` : 'No changes: the key service matches the specs.');
  return `${lines.join('\n')}\n`;
}

const cell = (value: string): string => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(report: PlanReport): string {
  const all = report.stacks.flatMap((s) => s.summary.changes);
  const lines = ['### Keywarden plan', '', hasChanges(report) ? `**${countsText(all)}**` : '**No changes**: the key service matches the specs.', ''];
  for (const stack of report.stacks) {
    const { changes, unchanged } = stack.summary;
    lines.push(`#### \`${stack.stack}\`${changes.length === 0 ? ': no changes' : ''}${unchanged > 0 ? ` (${unchanged} unchanged)` : ''}`, '');
    if (changes.length === 0) continue;
    lines.push('| | key | change | details |', '|---|---|---|---|');
    for (const change of changes) {
      lines.push(`| ${SIGN[change.action]} | \`${cell(change.name)}\`${change.keyPrefix ? ` (\`${cell(change.keyPrefix)}…\`)` : ''} | ${verb(change)} | ${cell(changeDetails(change))} |`);
    }
    lines.push('');
  }
  if (report.skipped.length > 0) {
    lines.push('<details><summary>Skipped</summary>', '');
    for (const skipped of report.skipped) lines.push(`- \`${skipped.stack}\`: ${cell(skipped.reasons.join('; '))}`);
    lines.push('', '</details>', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderJson(report: PlanReport): string {
  const all = report.stacks.flatMap((s) => s.summary.changes);
  return `${JSON.stringify({ changed: hasChanges(report), totals: countChanges(all), stacks: report.stacks, skipped: report.skipped }, null, 2)}\n`;
}

export function renderPlan(format: PlanFormat, report: PlanReport): string {
  if (format === 'markdown') return renderMarkdown(report);
  if (format === 'json') return renderJson(report);
  return renderText(report);
}

/** The closing line after an apply or destroy, e.g. `Applied: 1 created, 0 updated, 0 replaced, 2 revoked.` */
export function appliedLine(destroy: boolean, changes: readonly ResourceChange[]): string {
  const c = countChanges(changes);
  return `${destroy ? 'Destroyed' : 'Applied'}: ${c.create} created, ${c.update} updated, ${c.replace} replaced, ${c.delete} revoked.`;
}
