// `npm run bench -- stack [--specs N] [--runs N] [--plan-runs N] [--same-values-floor]`: the cost of the stack.
//   synth3000s            — synthesize() of 1,000 specs × 3 environments (3,000 keys: production
//                           and staging live with Secrets Manager and Kubernetes deliveries,
//                           development test with file delivery) from disk into cdktf.out:
//                           load, policy check, three KeysStacks, app.synth(). Median of --runs
//                           (default 3) after one warm-up. Target: under 3 s.
//   plan300s, terraformDataPlan300s — a no-change `terraform plan` of 300 keys against one of
//                           300 terraform_data resources (added by the plan half of the bench;
//                           --same-values-floor adds sameValuesPlan300s, see bench/_stack-plan.ts).
// Progress and the breakdown (load + policy alone, the floor of synthesis) go to stderr.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkPolicy } from '../src/policy/index.js';
import { loadSpecs } from '../src/spec/index.js';
import { synthesize } from '../src/stack/index.js';
import { measurePlan300 } from './_stack-plan.js';

const SERVICES = {
  billing: ['invoices:read', 'invoices:write', 'payouts:read', 'payouts:write', 'customers:read'],
  contacts: ['contacts:read', 'contacts:write', 'companies:read'],
  events: ['events:read', 'events:export'],
} as const;
const TEAMS = ['payments', 'growth', 'data', 'platform', 'support'];

function projectFile(): string {
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: Project',
    'name: bench',
    'environments:',
    '  production: { mode: live, awsRegion: eu-west-1 }',
    '  staging: { mode: live, awsRegion: eu-west-1 }',
    '  development: { mode: test, endpoint: "http://127.0.0.1:8080" }',
    'scopeCatalogs:',
    ...Object.entries(SERVICES).map(([service, scopes]) => `  ${service}: [${scopes.join(', ')}]`),
    'specs: [keys]',
    '',
  ].join('\n');
}

function specFile(i: number): string {
  const services = Object.keys(SERVICES) as (keyof typeof SERVICES)[];
  const service = services[i % services.length] as keyof typeof SERVICES;
  const scopes = SERVICES[service].slice(0, 1 + (i % SERVICES[service].length));
  const team = TEAMS[i % TEAMS.length] as string;
  const integration = `integration-${i}`;
  const net = `10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`;
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: ApiKey',
    'metadata:',
    `  name: ${integration}-${service}`,
    `  labels: { team: ${team} }`,
    'spec:',
    `  integration: ${integration}`,
    `  service: ${service}`,
    `  owner: ${team}-team@example.com`,
    `  scopes: [${scopes.join(', ')}]`,
    '  limits: { max_items: 500 }',
    '  rateLimit: { requests: 1000, per: 1m }',
    '  expiresAfter: 365d',
    '  rotation: { every: 30d, overlap: 24h }',
    '  environments:',
    '    production:',
    `      allowedCidrs: [${net}]`,
    '      delivery:',
    `        - awsSecretsManager: { name: prod/${integration}/${service}, kmsKeyId: alias/keywarden, recoveryWindowDays: 7 }`,
    `        - kubernetesSecret: { namespace: ${team}, name: ${integration}-${service}, key: API_KEY }`,
    '    staging:',
    `      allowedCidrs: [${net}]`,
    '      delivery:',
    `        - awsSecretsManager: { name: staging/${integration}/${service} }`,
    '    development:',
    '      delivery:',
    `        - file: { path: .keywarden/secrets/development-${integration} }`,
    '',
  ].join('\n');
}

/**
 * Writes a project of `n` specs × 3 environments (production and staging live, development
 * test with file delivery only, so its stack needs no provider but Keywarden's) into `dir`.
 * Returns the path of its project file.
 */
export async function generateBenchProject(dir: string, n: number): Promise<string> {
  await mkdir(join(dir, 'keys'), { recursive: true });
  for (let i = 0; i < n; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, j) => writeFile(join(dir, 'keys', `spec-${String(i + j).padStart(5, '0')}.yaml`), specFile(i + j))));
  }
  const project = join(dir, 'keywarden.yaml');
  await writeFile(project, projectFile());
  return project;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const seconds = (ms: number): number => Math.round(ms) / 1000;
/** CPU time of this process so far, in ms (all threads: the garbage collector's too). */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const specs = option(args, '--specs', 1000);
  const runs = option(args, '--runs', 3);
  const dir = await mkdtemp(join(tmpdir(), 'kw-bench-stack-'));
  try {
    const project = await generateBenchProject(dir, specs);
    process.stderr.write(`stack: ${specs} specs × 3 environments in ${dir}\n`);
    const synth: number[] = [];
    const floor: number[] = [];
    let keys = 0;
    for (let r = 0; r <= runs; r++) {
      let t0 = performance.now();
      const load = await loadSpecs([], { projectFile: project, cwd: dir });
      checkPolicy(load);
      const loadMs = performance.now() - t0;
      t0 = performance.now();
      const cpu0 = cpuMs();
      const result = await synthesize({ project, outdir: join(dir, 'cdktf.out') });
      const synthMs = performance.now() - t0;
      const synthCpuMs = cpuMs() - cpu0;
      keys = result.stacks.reduce((n, s) => n + s.keys.length, 0);
      if (r === 0) {
        process.stderr.write(`  warm-up: synthesize ${seconds(synthMs)} s (CPU ${seconds(synthCpuMs)} s)\n`);
        continue;
      }
      floor.push(loadMs);
      synth.push(synthMs);
      process.stderr.write(`  run ${r}: synthesize ${seconds(synthMs)} s (CPU ${seconds(synthCpuMs)} s; load + policy alone ${seconds(loadMs)} s), ${keys} keys\n`);
    }
    process.stderr.write(`stack: synthesize median ${seconds(median(synth))} s, load + policy median ${seconds(median(floor))} s (${(median(synth) / median(floor)).toFixed(2)}×)\n`);
    return {
      bench: 'stack',
      synth3000s: seconds(median(synth)),
      // The plan half of the bench (bench/_stack-plan.ts) fills these two.
      ...(await measurePlan300(args)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
