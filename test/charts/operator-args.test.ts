// The contract between the chart's operator Deployment and `keywarden operator`: the arguments
// the template renders (for several value sets) parse with the real command and map onto the
// operator's options without a problem, and every environment variable it sets is one the
// command reads. A flag renamed on either side fails here.
import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { register, operatorConfig, OPERATOR_ENV, type OperatorFlags } from '../../src/cli/commands/operator.js';
import { chartFile, chartYaml } from './chart-files.js';

type Values = Record<string, unknown>;
const defaults = chartYaml('values.yaml') as Values;

const lookup = (values: Values, path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Values | undefined)?.[key], values);

/** Renders the lines of one block of the operator container (`args:` or `env:`) with these values: if/range/end and simple actions. */
function renderBlock(block: 'args' | 'env', values: Values): string[] {
  const lines = chartFile('templates/deployment.yaml').split('\n');
  const start = lines.findIndex((l) => l.trim() === `${block}:`);
  const end = lines.findIndex((l, i) => i > start && /^ {10}[a-zA-Z]+:/.test(l));
  const out: string[] = [];
  const stack: Array<{ on: boolean; items?: unknown[]; body?: string[] }> = [];
  const active = (): boolean => stack.every((s) => s.on);
  const substitute = (line: string, item?: unknown): string =>
    line
      .replace(/\{\{ \.Values\.([\w.]+) \}\}/g, (_m, path: string) => String(lookup(values, path)))
      .replace(/\{\{ \.Release\.Namespace \}\}/g, 'keywarden')
      .replace(/\{\{ \. \}\}/g, String(item))
      .replace(/\{\{ include "keywarden\.keyServiceUrl" \. \| quote \}\}/g, '"https://keys.example"')
      .replace(/\{\{ (\.Values\.[\w.]+) \| quote \}\}/g, (_m, path: string) => JSON.stringify(lookup(values, path.slice(8))));
  for (const line of lines.slice(start + 1, end)) {
    const control = /\{\{-? (if|range|end)\b ?(?:\.Values\.([\w.]+))? ?\}\}/.exec(line);
    if (control?.[1] === 'if') stack.push({ on: Boolean(lookup(values, control[2]!)) && (!Array.isArray(lookup(values, control[2]!)) || (lookup(values, control[2]!) as unknown[]).length > 0) });
    else if (control?.[1] === 'range') stack.push({ on: true, items: (lookup(values, control[2]!) as unknown[]) ?? [], body: [] });
    else if (control?.[1] === 'end') {
      const done = stack.pop()!;
      if (done.items !== undefined && active()) for (const item of done.items) out.push(...done.body!.map((l) => substitute(l, item)));
    } else if (stack.length > 0 && stack[stack.length - 1]!.body !== undefined) stack[stack.length - 1]!.body!.push(line);
    else if (active()) out.push(substitute(line));
  }
  expect(out.join('\n')).not.toMatch(/\{\{/);
  return out;
}

const args = (values: Values): string[] => renderBlock('args', values).map((l) => l.trim().replace(/^- /, ''));
const envNames = (values: Values): string[] => renderBlock('env', values).flatMap((l) => /^\s*- name: (\S+)/.exec(l)?.[1] ?? []);

async function parse(argv: string[]): Promise<OperatorFlags> {
  const program = new Command().exitOverride();
  register(program);
  let flags: OperatorFlags | undefined;
  program.commands.find((c) => c.name() === 'operator')!.action((f: OperatorFlags) => {
    flags = f;
  });
  await program.parseAsync(['node', 'keywarden', ...argv]);
  return flags!;
}

const merge = (base: Values, over: Values): Values =>
  Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => {
    const a = base[k];
    const b = over[k];
    return [k, typeof a === 'object' && a !== null && !Array.isArray(a) && typeof b === 'object' && b !== null && !Array.isArray(b) ? merge(a as Values, b as Values) : (b ?? a)];
  }));

const env = { KEYWARDEN_ENDPOINT: 'https://keys.example', KEYWARDEN_API_KEY: 'kw_live_operator', POD_NAME: 'keywarden-operator-7d9f-abcde', AWS_REGION: 'eu-west-1' };

describe('the operator Deployment and `keywarden operator`', () => {
  it('with the default values: election on a Lease in the release namespace, the webhook in Fail mode, the ports of values.yaml', async () => {
    const rendered = args(defaults);
    expect(rendered[0]).toBe('operator');
    const { config, problems } = operatorConfig(await parse(rendered), env);
    expect(problems.map((p) => p.message)).toEqual([]);
    expect(config!.operator).toMatchObject({
      identity: 'keywarden-operator-7d9f-abcde',
      keyService: { endpoint: 'https://keys.example', apiKey: 'kw_live_operator' },
      leaderElection: { leaseNamespace: 'keywarden', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
      defaultDeletionPolicy: 'Retain',
      aws: { defaultRegion: 'eu-west-1' },
    });
    expect(config!.operator.namespaces).toBeUndefined();
    expect(config).toMatchObject({ metricsPort: 8080, healthPort: 8081, logLevel: 'info', webhook: { port: 9443, mode: 'Fail', certFile: '/etc/keywarden/webhook-tls/tls.crt', keyFile: '/etc/keywarden/webhook-tls/tls.key' } });
  });

  it('with namespaces, a lifetime cap, Warn mode and no election', async () => {
    const values = merge(defaults, {
      operator: { watchNamespaces: ['orders', 'billing'], maxKeyLifetime: '90d', defaultDeletionPolicy: 'Revoke', leaderElection: { enabled: false }, logLevel: 'debug' },
      webhook: { mode: 'Warn' },
    });
    const { config, problems } = operatorConfig(await parse(args(values)), env);
    expect(problems.map((p) => p.message)).toEqual([]);
    expect(config!.operator).toMatchObject({ namespaces: ['orders', 'billing'], maxKeyLifetimeSeconds: 90 * 86400, defaultDeletionPolicy: 'Revoke', leaderElection: false });
    expect(config).toMatchObject({ logLevel: 'debug', webhook: { mode: 'Warn' } });
  });

  it('without the webhook, no webhook flag is passed and none is served', async () => {
    const { config, problems } = operatorConfig(await parse(args(merge(defaults, { webhook: { enabled: false } }))), env);
    expect(problems).toEqual([]);
    expect(config!.webhook).toBeUndefined();
  });

  it('with a project ConfigMap, passes the mounted file to --project', async () => {
    const rendered = args(merge(defaults, { operator: { projectConfigMap: 'keywarden-project' } }));
    expect(rendered).toContain('--project=/etc/keywarden/project/keywarden.yaml');
    expect(chartFile('templates/deployment.yaml')).toMatch(/mountPath: \/etc\/keywarden\/project\n/);
  });

  it('sets only environment variables the command reads', () => {
    const all = merge(defaults, { operator: { keyServiceCaSecret: 'keys-tls', aws: { region: 'eu-west-1' } } });
    const names = envNames(all);
    expect(names).toEqual(expect.arrayContaining(['KEYWARDEN_ENDPOINT', 'KEYWARDEN_API_KEY', 'POD_NAME', 'AWS_REGION', 'KEYWARDEN_CA_FILE']));
    const read = new Set<string>(Object.values(OPERATOR_ENV));
    expect(names.filter((n) => !read.has(n))).toEqual([]);
  });
});
