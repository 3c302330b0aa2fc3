// `keywarden up`, the main job on a fresh machine with nothing configured: start the embedded key
// service (SQLite under <project dir>/.keywarden), check the specs against policy, synthesize,
// plan and apply the environments this machine can reach alone (test mode, file delivery),
// say per skipped environment what it skipped and why, list the keys (masked) and verify one
// delivered key against the service. A second run changes nothing and says so. Reports go to
// stdout; progress to stderr.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KeywardenClient } from '../client/index.js';
import { checkPolicy } from '../policy/index.js';
import { loadSpecs } from '../spec/index.js';
import { PolicyBlockedError, StackError, synthesize, type SynthesizedStack } from '../stack/index.js';
import { startEmbeddedService, type EmbeddedService } from './embedded-service.js';
import { ReconcileError } from './errors.js';
import { appliedLine, hasChanges, renderPlan } from './plan-report.js';
import { Progress, type ProgressStream } from './progress.js';
import { partitionOffline } from './reachability.js';
import { stackPlan, terraformBinary } from './run-stacks.js';
import { ReconcileSession, type PlannedStack } from './session.js';

/** Options of `keywarden up`. */
export interface UpOptions {
  /** Project file. @default keywarden.yaml in the working directory */
  readonly project?: string;
  /** Store, pepper, state and provider mirror. @default <project dir>/.keywarden */
  readonly dataDir?: string;
  /** The terraform executable. @default KEYWARDEN_TERRAFORM, else `terraform` on PATH */
  readonly terraform?: string;
  /** The provider's executable entry, bundled into the mirror when missing. */
  readonly providerEntry: string;
  /** Provider mirror. @default <data dir>/terraform/mirror */
  readonly mirrorDir?: string;
}

export interface UpIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream & NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** What the run did, for callers and tests. */
export interface UpResult {
  readonly exitCode: number;
  readonly applied: readonly PlannedStack[];
  readonly skipped: readonly string[];
  /** Whether the run changed anything. */
  readonly changed: boolean;
}

/** Runs the main job; never throws on bad input or a failed step (the exit code says). */
export async function runUp(options: UpOptions, io: UpIo): Promise<UpResult> {
  const failed = (exitCode: number): UpResult => ({ exitCode, applied: [], skipped: [], changed: false });
  try {
    return await up(options, io);
  } catch (error) {
    if (error instanceof ReconcileError || error instanceof StackError) {
      io.stderr.write(`keywarden up: ${error.message}\n`);
      return failed(error instanceof ReconcileError ? error.exitCode : error instanceof PolicyBlockedError ? 1 : 2);
    }
    throw error;
  }
}

async function up(options: UpOptions, io: UpIo): Promise<UpResult> {
  const project = resolve(io.cwd, options.project ?? 'keywarden.yaml');
  const root = dirname(project);
  const dataDir = resolve(io.cwd, options.dataDir ?? join(root, '.keywarden'));
  const shown = (path: string) => relative(io.cwd, path) || '.';
  const log = (text: string) => io.stderr.write(`${text}\n`);
  const say = (text: string) => io.stdout.write(`${text}\n`);

  // 1. The policy check, as `keywarden check` runs it (synthesis refuses errors anyway; this reports the count).
  const specs = await loadSpecs([], { projectFile: project, cwd: root });
  const policy = checkPolicy(specs);
  const findings = [...specs.errors, ...policy.errors, ...policy.findings];
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  say(`Policy: ${specs.keys.length} keys in ${specs.documents.length} specs checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);

  // 2. Synthesis (refuses policy errors with the findings), and what this machine can reach.
  log(`Synthesizing ${shown(project)}…`);
  const synth = await synthesize({ project, stateDir: join(dataDir, 'state') });
  const { reachable, skipped } = partitionOffline(synth.stacks);
  if (reachable.length === 0) throw new ReconcileError('nothingReachable', `every environment of ${shown(project)} needs something this machine lacks`);

  // 3. The embedded key service with a run-scoped admin key.
  log(`Starting the embedded key service (${shown(join(dataDir, 'keywarden.db'))})…`);
  const embedded: EmbeddedService = await startEmbeddedService({ dataDir, logStream: io.stderr });
  let session: ReconcileSession | undefined;
  try {
    say(`Key service: ${embedded.credentials.endpoint} (embedded, SQLite ${shown(embedded.databaseFile)}${embedded.firstRun ? ', created' : ''}).`);
    session = await ReconcileSession.open({
      terraformDir: join(dataDir, 'terraform'),
      ...(options.mirrorDir !== undefined ? { mirrorDir: options.mirrorDir } : {}),
      providerEntry: options.providerEntry,
      credentials: embedded.credentials,
      env: io.env,
      ...terraformBinary(options, io.env),
    });

    // 4. Plan every reachable stack, show the plan, apply what changes.
    const planned: PlannedStack[] = [];
    for (const stack of reachable) {
      log(`Planning ${stack.name}…`);
      planned.push(await session.plan(stack));
    }
    const report = { stacks: planned.map(stackPlan), skipped };
    io.stdout.write(renderPlan('text', report));
    const changed = hasChanges(report);
    if (changed) {
      const progress = new Progress(io.stderr, session.terraform.redact);
      for (const plan of planned) if (plan.summary.changes.length > 0) await session.apply(plan, progress);
      say(appliedLine(false, planned.flatMap((p) => p.summary.changes)));
    }

    // 5. The keys, masked, and one delivered key verified against the service.
    const client = new KeywardenClient({ endpoint: embedded.credentials.endpoint, apiKey: embedded.credentials.apiKey, retry: { retries: 0 } });
    await listKeys(client, reachable, say);
    await verifyDelivered(client, reachable, shown, say);
    return { exitCode: 0, applied: planned, skipped: skipped.map((s) => s.stack), changed };
  } finally {
    await session?.close();
    await embedded.stop();
  }
}

async function listKeys(client: KeywardenClient, stacks: readonly SynthesizedStack[], say: (text: string) => void): Promise<void> {
  const rows: string[][] = [];
  for (const key of stacks.flatMap((s) => s.keys)) {
    const found = await client.getKeyByName(key.name);
    if (found !== undefined) rows.push([found.name, `${found.displayPrefix}…`, found.status, found.scopes.join(', ')]);
  }
  if (rows.length === 0) return;
  say(`Keys (${rows.length}):`);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) say(`  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd());
}

interface FileDeliveredKey {
  readonly name: string;
  readonly path: string;
  readonly cidr?: string;
}

/** The first key of the stacks delivered to a file, with its path and first CIDR, from the synthesized JSON. */
export function firstFileDelivery(stacks: readonly SynthesizedStack[]): FileDeliveredKey | undefined {
  for (const stack of stacks) {
    const config = JSON.parse(readFileSync(join(stack.directory, 'cdk.tf.json'), 'utf8')) as {
      resource?: { keywarden_api_key?: Record<string, { name?: string; file?: { path?: string }[]; allowed_cidrs?: string[] }> };
    };
    for (const key of stack.keys) {
      if (!key.deliveries.includes('file')) continue;
      const resource = config.resource?.keywarden_api_key?.[key.address.slice(key.address.indexOf('.') + 1)];
      const path = resource?.file?.[0]?.path;
      if (path !== undefined) return { name: key.name, path, ...(resource?.allowed_cidrs?.[0] !== undefined ? { cidr: resource.allowed_cidrs[0] } : {}) };
    }
  }
  return undefined;
}

async function verifyDelivered(client: KeywardenClient, stacks: readonly SynthesizedStack[], shown: (path: string) => string, say: (text: string) => void): Promise<void> {
  const target = firstFileDelivery(stacks);
  if (target === undefined) return;
  let secret: string;
  try {
    secret = readFileSync(target.path, 'utf8').trim();
  } catch (error) {
    throw new ReconcileError('verificationFailed', `${target.name}: cannot read ${shown(target.path)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  // A key with an allowlist is verified as used from its first allowed network.
  const ip = target.cidr?.split('/')[0];
  const result = await client.verify({ key: secret, ...(ip !== undefined ? { ip } : {}) });
  if (!result.valid) throw new ReconcileError('verificationFailed', `${target.name}: the key in ${shown(target.path)} was answered ${result.code}`);
  say(`Verified: ${target.name}, read from ${shown(target.path)}, is valid (${result.mode ?? 'test'} key, scopes ${(result.scopes ?? []).join(', ')}).`);
}
