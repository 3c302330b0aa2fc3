// `npm run bench -- check [--runs N]`: the cost of `keywarden check` on a large repository.
// Generates 1,000 spec files (two ApiKey documents each, five environments: 10,000 resolved
// keys) and a project with five CEL rules into a temp dir, then times, in the same process:
//   seconds    — the full path: loadSpecs from disk + checkPolicy with the default pack and
//                the five CEL rules (what `keywarden check` does before reporting);
//   ajvSeconds — the floor: read the same files, parse them with `yaml`, validate every
//                document with ajv against the published schema (schemas/apikey.schema.json).
// Each is run --runs times (default 5) after one warm-up; the medians are reported.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseAllDocuments } from 'yaml';
import { checkPolicy } from '../src/policy/index.js';
import { loadSpecs } from '../src/spec/index.js';

const FILES = 1000;
const DOCUMENTS_PER_FILE = 2;
const ENVIRONMENTS = [
  { name: 'production', mode: 'live', region: 'eu-west-1' },
  { name: 'production-us', mode: 'live', region: 'us-east-1' },
  { name: 'staging', mode: 'live', region: 'eu-west-1' },
  { name: 'qa', mode: 'test', region: 'eu-west-1' },
  { name: 'development', mode: 'test', region: 'eu-west-1' },
] as const;
const SERVICES = {
  billing: ['invoices:read', 'invoices:write', 'payouts:read', 'payouts:write', 'customers:read'],
  contacts: ['contacts:read', 'contacts:write', 'companies:read'],
  events: ['events:read', 'events:export'],
  search: ['search:query', 'search:index'],
} as const;
const TEAMS = ['payments', 'growth', 'data', 'platform', 'support', 'risk'];

/** Five custom rules, written as a team would: each reads a different part of the key. */
export const CEL_RULES = `
  - id: ACME001
    title: Live keys rotate at least every 60 days
    severity: error
    match: { modes: [live] }
    expression: "!has(key.rotation) || !has(key.rotation.everySeconds) || key.rotation.everySeconds <= seconds('60d')"
    message: live keys must rotate at least every 60 days
    field: rotation
  - id: ACME002
    title: Keys name their team
    severity: warning
    expression: "'team' in key.labels && key.labels.team != ''"
    message: label the key with its owning team (metadata.labels.team)
  - id: ACME003
    title: Owners use the company domain
    severity: error
    expression: "has(key.owner) && key.owner.endsWith('@example.com')"
    message: owners must be example.com addresses
    field: owner
  - id: ACME004
    title: At most five scopes per key
    severity: warning
    expression: "size(key.scopes) <= 5"
    messageExpression: "'the key has ' + string(size(key.scopes)) + ' scopes; split it by task'"
    field: scopes
  - id: ACME005
    title: Live allowlists are no wider than /16
    severity: error
    match: { modes: [live] }
    expression: "!has(key.allowedCidrs) || key.allowedCidrs.all(c, cidrPrefix(c) >= (c.contains(':') ? 32 : 16))"
    message: live keys may be used from networks no wider than /16 (IPv4) or /32 (IPv6)
    field: allowedCidrs
`;

function projectFile(): string {
  const envs = ENVIRONMENTS.map((e) => `  ${e.name}:\n    mode: ${e.mode}\n    awsRegion: ${e.region}`).join('\n');
  const catalogs = Object.entries(SERVICES)
    .map(([service, scopes]) => `  ${service}: [${scopes.join(', ')}]`)
    .join('\n');
  return [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: Project',
    'name: bench',
    'environments:',
    envs,
    'naming:',
    '  template: "{environment}-{integration}-{service}"',
    'integrators: [deploy-bot]',
    'scopeCatalogs:',
    catalogs,
    'specs: [keys]',
    'policy:',
    '  customRules:',
    CEL_RULES.replace(/^ {2}/gm, '    ').trimEnd(),
    '',
  ].join('\n');
}

/** One ApiKey document for integration number `i`, service `service`. */
function apiKeyDocument(i: number, service: keyof typeof SERVICES): string {
  const integration = `integration-${String(i).padStart(4, '0')}`;
  const team = TEAMS[i % TEAMS.length]!;
  const scopes = SERVICES[service].slice(0, 2 + (i % 2));
  const octet = i % 250;
  const lines = [
    'apiVersion: keywarden.dev/v1alpha1',
    'kind: ApiKey',
    'metadata:',
    `  name: ${integration}-${service}`,
    '  labels:',
    `    team: ${team}`,
    'spec:',
    `  integration: ${integration}`,
    `  service: ${service}`,
    `  owner: ${team}-team@example.com`,
    `  scopes: [${scopes.join(', ')}]`,
    '  limits:',
    `    max_batch: ${100 + (i % 900)}`,
    `  rateLimit: { requests: ${1000 * (1 + (i % 20))}, per: 1h }`,
    '  expiresAfter: 365d',
    '  rotation: { every: 30d, overlap: 24h }',
    '  environments:',
  ];
  for (const env of ENVIRONMENTS) {
    lines.push(`    ${env.name}:`);
    if (env.mode === 'live') {
      lines.push(`      allowedCidrs: [203.0.${octet}.0/24, 2001:db8:${i.toString(16)}::/48]`);
      lines.push('      delivery:');
      lines.push(`        - awsSecretsManager: { name: ${env.name}/${integration}/${service}, region: ${env.region} }`);
      lines.push(`        - kubernetesSecret: { namespace: ${team}-${env.name}, name: ${integration}-${service}, key: API_KEY }`);
    } else {
      lines.push(`      expiresAfter: 90d`);
      lines.push('      delivery:');
      lines.push(`        - file: { path: .keywarden/secrets/${env.name}-${integration}-${service} }`);
    }
  }
  return lines.join('\n');
}

/** Writes the project into a new temp dir; returns its path and the number of keys it holds. */
export async function generateProject(): Promise<{ dir: string; keys: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'keywarden-bench-check-'));
  await mkdir(join(dir, 'keys'));
  await writeFile(join(dir, 'keywarden.yaml'), projectFile());
  const services = Object.keys(SERVICES) as Array<keyof typeof SERVICES>;
  for (let i = 0; i < FILES; i++) {
    const docs: string[] = [];
    for (let d = 0; d < DOCUMENTS_PER_FILE; d++) docs.push(apiKeyDocument(i, services[(i + d) % services.length]!));
    await writeFile(join(dir, 'keys', `integration-${String(i).padStart(4, '0')}.yaml`), `${docs.join('\n---\n')}\n`);
  }
  return { dir, keys: FILES * DOCUMENTS_PER_FILE * ENVIRONMENTS.length };
}

async function fullCheck(dir: string): Promise<{ keys: number; findings: number; errors: string[]; rules: string[] }> {
  const load = await loadSpecs([], { cwd: dir, projectFile: 'keywarden.yaml' });
  const policy = checkPolicy(load, { now: new Date('2026-01-01T00:00:00Z') });
  return {
    keys: load.keys.length,
    findings: policy.findings.length,
    errors: [...load.errors, ...policy.errors].map((e) => `${e.file}:${e.line}:${e.column} ${e.ruleId} ${e.message}`),
    rules: policy.rules.map((r) => r.id),
  };
}

/** The floor: read, parse with `yaml`, validate with ajv; no positions, expansion or rules. */
async function floorCheck(dir: string, validate: (data: unknown) => boolean): Promise<{ documents: number; invalid: number }> {
  const files = (await readdir(join(dir, 'keys'))).filter((f) => f.endsWith('.yaml')).sort();
  let documents = 0;
  let invalid = 0;
  const texts = await Promise.all(files.map((f) => readFile(join(dir, 'keys', f), 'utf8')));
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      documents++;
      if (!validate(doc.toJS())) invalid++;
    }
  }
  return { documents, invalid };
}

/** Wall-clock seconds, and CPU seconds of this process (user + system: a busy machine inflates the first, not the second). */
async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; result: T }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, result };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1]) || 5) : 5;
  const log = (text: string): void => {
    process.stderr.write(`bench check: ${text}\n`);
  };

  const { dir, keys } = await generateProject();
  try {
    log(`generated ${FILES} files, ${keys} keys in ${dir}`);
    const schema = JSON.parse(await readFile(new URL('../schemas/apikey.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);

    // Warm-up (module loading, JIT) and a sanity check: the generated project must load cleanly.
    const warm = await fullCheck(dir);
    if (warm.keys !== keys || warm.errors.length > 0) {
      throw new Error(`bench project did not load as intended: ${warm.keys} keys; ${warm.errors.slice(0, 5).join('; ')}`);
    }
    const celRules = warm.rules.filter((id) => id.startsWith('ACME'));
    if (celRules.length !== 5) throw new Error(`expected the five CEL rules in force, got ${celRules.join(', ')}`);
    const floorWarm = await floorCheck(dir, validate);
    if (floorWarm.invalid > 0) throw new Error(`${floorWarm.invalid} generated documents fail the published schema`);
    log(`warm-up: ${warm.keys} keys, ${warm.rules.length} rules (${celRules.join(', ')}), ${warm.findings} findings; floor: ${floorWarm.documents} documents valid`);

    const full: number[] = [];
    const floor: number[] = [];
    const fullCpu: number[] = [];
    const floorCpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      // Interleaved, so both see the same machine state.
      const f = await time(() => fullCheck(dir));
      const a = await time(() => floorCheck(dir, validate));
      full.push(f.seconds);
      fullCpu.push(f.cpuSeconds);
      floor.push(a.seconds);
      floorCpu.push(a.cpuSeconds);
      log(`run ${r + 1}/${runs}: full ${f.seconds.toFixed(3)} s (cpu ${f.cpuSeconds.toFixed(3)} s), floor ${a.seconds.toFixed(3)} s (cpu ${a.cpuSeconds.toFixed(3)} s)`);
    }
    log(`median cpu: full ${median(fullCpu).toFixed(3)} s, floor ${median(floorCpu).toFixed(3)} s, ratio ${(median(fullCpu) / median(floorCpu)).toFixed(2)}`);
    const seconds = median(full);
    const ajvSeconds = median(floor);
    return { bench: 'check', keys, seconds: round(seconds), ajvSeconds: round(ajvSeconds), ratio: round(seconds / ajvSeconds, 2) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
