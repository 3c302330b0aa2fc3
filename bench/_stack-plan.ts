// The plan half of `npm run bench -- stack` (called from bench/stack.ts; not a bench of its own).
//   plan300s              — a no-change `terraform plan` of the 300 keys of a generated project's
//                           development stack (synthesized by synthesize()), with the keywarden
//                           provider served from this process and attached through
//                           TF_REATTACH_PROVIDERS, as keywarden plan/apply/up run it: 300 reads
//                           from the key service (SQLite in memory, in this process). Every case
//                           runs keywarden plan's own invocation (planArguments: -json, -out).
//   terraformDataPlan300s — a no-change `terraform plan` of 300 built-in terraform_data
//                           resources in the same run: the floor.
//   sameValuesPlan300s    — with --same-values-floor only: a no-change plan of 300 terraform_data
//                           whose `input` holds each key's resource configuration (the same values
//                           as the keys' configuration, no provider): how much of plan300s is
//                           Terraform's own cost of those values. Not a target; printed and returned.
// Medians of --plan-runs (default 3), interleaved. Target: plan300s within 3× the floor.
// Standard error also shows each plan's CPU time, Terraform's (from /proc/self/stat: the CPU of
// waited-for children, Linux) and this process's (provider and key service): steadier than
// wall-clock time on a shared machine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bootstrapAdmin, createKeyService } from '../src/keyservice/index.js';
import { planArguments, Progress, ReconcileSession } from '../src/reconcile/index.js';
import { synthesize } from '../src/stack/index.js';
import { generateBenchProject } from './stack.js';

const PEPPER = 'bench-pepper-0123456789abcdef';
const ENTRY = fileURLToPath(new URL('../src/provider/main.ts', import.meta.url));
const TERRAFORM = process.env.KEYWARDEN_TERRAFORM ?? 'terraform';
const KEYS = 300;

const progress = (message: string) => process.stderr.write(`[bench stack/plan] ${message}\n`);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const seconds = (ms: number): number => Math.round(ms) / 1000;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

/** CPU milliseconds of the children this process has waited for (terraform runs), or NaN where /proc is missing. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name; cutime and cstime are fields 16 and 17, in USER_HZ (100 a second).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}
const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** True when `terraform plan -json` output reports a plan without changes (its change_summary line). */
function noChanges(stdout: string): boolean {
  for (const line of stdout.split('\n')) {
    if (!line.includes('"change_summary"')) continue;
    const { changes } = JSON.parse(line) as { changes?: Record<string, unknown> };
    return ['add', 'change', 'import', 'remove'].every((k) => (changes?.[k] ?? 0) === 0);
  }
  return false;
}

/** 300 terraform_data resources holding each keywarden_api_key's configuration (from the stack's cdk.tf.json) as `input`. */
function sameValuesConfig(stackDirectory: string): unknown {
  const synthesized = JSON.parse(readFileSync(join(stackDirectory, 'cdk.tf.json'), 'utf8')) as { resource: { keywarden_api_key: Record<string, Record<string, unknown>> } };
  const keys = Object.values(synthesized.resource.keywarden_api_key);
  return { resource: { terraform_data: Object.fromEntries(keys.map(({ '//': _, ...config }, i) => [`k${i}`, { input: config }])) } };
}

export async function measurePlan300(args: string[]): Promise<{ plan300s: number; terraformDataPlan300s: number; sameValuesPlan300s?: number }> {
  const runs = option(args, '--plan-runs', 3);
  const sameValues = args.includes('--same-values-floor');
  const dir = mkdtempSync(join(tmpdir(), 'kw-bench-plan-'));
  const service = await createKeyService({
    databaseUrl: 'sqlite::memory:',
    pepper: PEPPER,
    port: 0,
    defaultRateLimit: { requests: 1_000_000, perSeconds: 3600 },
    logStream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  let session: ReconcileSession | undefined;
  try {
    const admin = await bootstrapAdmin({ store: service.store, pepper: PEPPER });
    const endpoint = await service.listen();
    const project = await generateBenchProject(join(dir, 'project'), KEYS);
    const synth = await synthesize({ project, environments: ['development'] });
    const stack = synth.stacks.find((s) => s.name === 'development');
    if (stack === undefined || stack.keys.length !== KEYS) throw new Error(`expected a development stack of ${KEYS} keys`);
    session = await ReconcileSession.open({
      terraformDir: join(dir, 'terraform'),
      mirrorDir: join(tmpdir(), 'kw-bench-provider-mirror'),
      providerEntry: ENTRY,
      credentials: { endpoint, apiKey: admin.secret },
      terraformBinary: TERRAFORM,
    });
    progress(`creating ${KEYS} keys (untimed)`);
    const created = await session.plan(stack);
    await session.apply(created, new Progress({ write: () => true }));

    const data = join(dir, 'terraform-data');
    mkdirSync(data);
    const resources = Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`d${i}`, { input: `value-${i}` }]));
    writeFileSync(join(data, 'main.tf.json'), JSON.stringify({ resource: { terraform_data: resources } }));
    await session.terraform.check(['init', '-input=false', '-no-color'], { cwd: data, attach: false });
    await session.terraform.check(['apply', '-input=false', '-no-color', '-auto-approve'], { cwd: data });

    const cases = [
      { what: `${KEYS} keys, provider attached`, cwd: stack.directory, ms: [] as number[], terraformCpu: [] as number[], ownCpu: [] as number[] },
      { what: `${KEYS} terraform_data`, cwd: data, ms: [] as number[], terraformCpu: [] as number[], ownCpu: [] as number[] },
    ];
    if (sameValues) {
      const same = join(dir, 'terraform-data-same-values');
      mkdirSync(same);
      writeFileSync(join(same, 'main.tf.json'), JSON.stringify(sameValuesConfig(stack.directory)));
      await session.terraform.check(['init', '-input=false', '-no-color'], { cwd: same, attach: false });
      await session.terraform.check(['apply', '-input=false', '-no-color', '-auto-approve'], { cwd: same });
      cases.push({ what: `${KEYS} terraform_data holding the keys' values`, cwd: same, ms: [], terraformCpu: [], ownCpu: [] });
    }
    for (let round = 0; round <= runs; round++) {
      for (const c of cases) {
        const [cpu0, own0, t0] = [childrenCpuMs(), ownCpuMs(), performance.now()];
        const result = await session.terraform.check(planArguments(join(dir, 'bench.tfplan')), { cwd: c.cwd });
        const [ms, terraformCpu, ownCpu] = [performance.now() - t0, childrenCpuMs() - cpu0, ownCpuMs() - own0];
        if (!noChanges(result.stdout)) throw new Error(`${c.what}: the plan is not empty:\n${result.stdout.slice(-2000)}`);
        if (round === 0) continue; // warm-up
        c.ms.push(ms);
        c.terraformCpu.push(terraformCpu);
        c.ownCpu.push(ownCpu);
        progress(`run ${round}: no-change plan of ${c.what}: ${seconds(ms)} s (CPU: terraform ${seconds(terraformCpu)} s, this process ${seconds(ownCpu)} s)`);
      }
    }
    const [keys, floor, sameFloor] = cases.map((c) => median(c.ms)) as [number, number, number | undefined];
    progress(`no-change plan: ${seconds(keys)} s for ${KEYS} keys vs ${seconds(floor)} s for ${KEYS} terraform_data (${(keys / floor).toFixed(2)}×, target ≤ 3×)`);
    const [keysCpu, floorCpu] = cases.map((c) => median(c.terraformCpu)) as [number, number];
    progress(`terraform CPU: ${seconds(keysCpu)} s for ${KEYS} keys vs ${seconds(floorCpu)} s for ${KEYS} terraform_data (${(keysCpu / floorCpu).toFixed(2)}×); this process (provider, key service): ${seconds(median(cases[0]?.ownCpu ?? []))} s`);
    if (sameFloor !== undefined) progress(`same values in terraform_data: ${seconds(sameFloor)} s (keys ${(keys / sameFloor).toFixed(2)}× that)`);
    return { plan300s: seconds(keys), terraformDataPlan300s: seconds(floor), ...(sameFloor !== undefined ? { sameValuesPlan300s: seconds(sameFloor) } : {}) };
  } finally {
    await session?.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
