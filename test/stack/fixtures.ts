// Specs and project files for the stack tests, loaded in memory (loadFromStrings).
import { App, Testing } from 'cdktf';
import { loadFromStrings, type LoadResult } from '../../src/spec/index.js';
import { KeysStack, type KeysStackProps } from '../../src/stack/index.js';

export const PROJECT = `apiVersion: keywarden.dev/v1alpha1
kind: Project
environments:
  production: { mode: live, awsRegion: eu-west-1, awsProfile: acme-prod }
  staging: { mode: live, awsRegion: eu-central-1 }
  development: { mode: test }
`;

/** One document that sets every field, overriding some per environment. */
export const ORDER_BOT = `apiVersion: keywarden.dev/v1alpha1
kind: ApiKey
metadata:
  name: order-bot-billing
  labels: { team: payments }
spec:
  integration: order-bot
  service: billing
  owner: payments-team@example.com
  scopes: [invoices:read, invoices:write]
  limits: { max_payout: "55.00", max_items: 20, refunds: true }
  rateLimit: { requests: 10000, per: 1h }
  expiresAfter: 365d
  rotation: { every: 30d, overlap: 24h }
  environments:
    production:
      allowedCidrs: [203.0.113.0/24, 2001:db8:100::/48]
      delivery:
        - awsSecretsManager:
            name: prod/order-bot/billing
            kmsKeyId: alias/keywarden-prod
            recoveryWindowDays: 7
            replicaRegions: [eu-central-1, us-east-1]
            policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:DeleteSecret","Resource":"*"}]}'
        - kubernetesSecret: { namespace: orders, name: billing-api-key, key: API_KEY }
    staging:
      scopes: [invoices:read]
      allowedCidrs: [198.51.100.0/24]
      rotation: { schedule: "0 3 * * 0", window: 2h, overlap: 1h }
      delivery:
        - awsSecretsManager: { name: staging/order-bot/billing, region: us-west-2 }
    development:
      limits: { max_payout: "5.00" }
      labels: { tier: sandbox }
      delivery:
        - file: { path: .keywarden/secrets/development-order-bot }
`;

/** Loads `files` (name → YAML) against `project`, failing the test on load errors. */
export function load(files: Readonly<Record<string, string>> = { 'keys/order-bot.yaml': ORDER_BOT }, project: string = PROJECT): LoadResult {
  return loadFromStrings(files, { project });
}

/** A KeysStack named `name` on a testing app, and its synthesized JSON (Testing.synth). */
export function synthStack(name: string, props: KeysStackProps, app: App = Testing.app()): { stack: KeysStack; json: string } {
  const stack = new KeysStack(app, name, props);
  return { stack, json: Testing.synth(stack) };
}
