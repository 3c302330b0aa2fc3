// Shared helpers of the policy tests: load YAML fixtures with the real loader, check them with
// the real engine, and reduce findings to what the tests assert (rule, line, column).
import { checkPolicy, type PolicyOptions, type PolicyResult } from '../../src/policy/index.js';
import type { Finding } from '../../src/policy/finding.js';
import { loadFromStrings, type LoadResult } from '../../src/spec/index.js';

/** The injected clock of every policy test. */
export const NOW = new Date('2026-11-22T12:00:00Z');

/** Lines joined into a YAML text, so fixtures show their line numbers plainly. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Loads `files` (and an optional project file text); fails the test on load errors. */
export function load(files: Record<string, string>, project?: string): LoadResult {
  const result = loadFromStrings(files, project === undefined ? {} : { project });
  if (result.errors.length > 0) {
    throw new Error(`fixture does not load:\n${result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.ruleId} ${e.message}`).join('\n')}`);
  }
  return result;
}

/** Loads and checks `files` at NOW. */
export function check(files: Record<string, string>, project?: string, options: PolicyOptions = {}): PolicyResult {
  return checkPolicy(load(files, project), { now: NOW, ...options });
}

/** `RULE file:line:column` of each finding (of `ruleId` only, when given). */
export function at(findings: readonly Finding[], ruleId?: string): string[] {
  return findings.filter((f) => ruleId === undefined || f.ruleId === ruleId).map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`);
}

/** A spec that every built-in rule accepts under the default project; lines are numbered in the comments. */
export const COMPLIANT = yaml(
  'apiVersion: keywarden.dev/v1alpha1', // 1
  'kind: ApiKey', // 2
  'metadata:', // 3
  '  name: order-bot-billing', // 4
  'spec:', // 5
  '  integration: order-bot', // 6
  '  service: billing', // 7
  '  owner: payments@example.com', // 8
  '  scopes: [invoices:read, payouts:write]', // 9
  '  rateLimit: { requests: 100, per: 1m }', // 10
  '  expiresAfter: 180d', // 11
  '  rotation: { every: 30d, overlap: 1h }', // 12
  '  environments:', // 13
  '    production:', // 14
  '      allowedCidrs: [203.0.113.0/24]', // 15
  '      delivery:', // 16
  '        - awsSecretsManager: { name: prod/order-bot/billing, region: eu-west-1 }', // 17
  '    development:', // 18
  '      delivery:', // 19
  '        - file: { path: .secrets/development-order-bot }', // 20
);
