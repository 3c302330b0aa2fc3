// In-process synthesis: load the specs of a project, check policy once, lay the environments
// out in stacks and write each stack's Terraform JSON (cdktf.out/stacks/<name>/cdk.tf.json).
// This is what `keywarden synth` and `keywarden plan/apply` use; `npx cdktf synth` runs the
// same KeysStack through app.ts.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { App } from 'cdktf';
import { checkPolicy, type PolicyResult } from '../policy/index.js';
import { loadSpecs, type LoadResult } from '../spec/index.js';
import type { Delivery, ProjectStackSettings } from '../spec/model.js';
import { STACK_DEFAULTS } from './defaults.js';
import { backendOf, blockingFindings, KeysStack, type StackBackend } from './keys-stack.js';
import { PolicyBlockedError, StackError } from './errors.js';
import { synthApp } from './synth-app.js';

export interface SynthOptions {
  /** Path of the project file (keywarden.yaml); its `specs` are loaded. */
  readonly project: string;
  /** Output directory; relative paths resolve against the project file's directory. @default STACK_DEFAULTS.outdir */
  readonly outdir?: string;
  /** One stack per environment, or one for all. @default the project file's `stack.split`, else STACK_DEFAULTS.split */
  readonly split?: 'environment' | 'single';
  /** Only these environments. @default every environment of the project file */
  readonly environments?: readonly string[];
  /** Local backend state directory; relative paths resolve against the project file's directory. @default STACK_DEFAULTS.stateDir */
  readonly stateDir?: string;
  /** The current time, for the expiry of policy exceptions. @default new Date() */
  readonly now?: Date;
}

export type DeliveryKind = 'aws_secrets_manager' | 'kubernetes_secret' | 'file';

export interface SynthesizedKey {
  /** Terraform address within its stack, e.g. `keywarden_api_key.production-order-bot`. */
  address: string;
  name: string;
  environment: string;
  integration: string;
  mode: 'live' | 'test';
  deliveries: DeliveryKind[];
}

export interface SynthesizedStack {
  readonly name: string;
  /** Directory that holds cdk.tf.json (run terraform here). */
  readonly directory: string;
  readonly environments: readonly string[];
  readonly keys: readonly SynthesizedKey[];
  /** Source addresses of the providers it requires, e.g. `registry.terraform.io/hashicorp/aws`. */
  readonly providers: readonly string[];
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: readonly SynthesizedStack[];
}

const DELIVERY_KINDS: Readonly<Record<Delivery['kind'], DeliveryKind>> = {
  awsSecretsManager: 'aws_secrets_manager',
  kubernetesSecret: 'kubernetes_secret',
  file: 'file',
};

/** `keywarden/keywarden` → `registry.terraform.io/keywarden/keywarden`; `aws` → `registry.terraform.io/hashicorp/aws`. */
export function providerAddress(source: string): string {
  const parts = source.split('/');
  if (parts.length === 3) return source;
  if (parts.length === 2) return `registry.terraform.io/${source}`;
  return `registry.terraform.io/hashicorp/${source}`;
}

/** What `declareStacks` needs: SynthOptions less where the output goes. */
export type StackLayoutOptions = Omit<SynthOptions, 'outdir'>;

/** Context every Keywarden app is created with (cdktf.json says the same for `npx cdktf synth`). */
export const APP_CONTEXT = { excludeStackIdFromLogicalIds: 'true', allowSepCharsInLogicalIds: 'true' } as const;

/** The specs of a project, checked, and how they are laid out in stacks. */
export interface StackLayout {
  readonly specs: LoadResult;
  readonly policy: PolicyResult;
  readonly backend: StackBackend;
  /** Each stack's name and environments, in the project file's order. */
  readonly stacks: readonly { readonly name: string; readonly environments: readonly string[] }[];
}

/**
 * Loads the project's specs, checks policy once and lays the environments out in stacks (one
 * per environment, or one for all). Throws PolicyBlockedError or StackError; writes nothing.
 */
export async function stackLayout(options: StackLayoutOptions): Promise<StackLayout> {
  const projectFile = path.resolve(options.project);
  const root = path.dirname(projectFile);
  const specs = await loadSpecs([], { projectFile, cwd: root });
  const policy = checkPolicy(specs, options.now !== undefined ? { now: options.now } : {});
  const blocking = blockingFindings(specs, policy);
  if (blocking.length > 0) throw new PolicyBlockedError(blocking);

  const project = specs.project;
  const known = Object.keys(project.environments);
  const environments = options.environments ?? known;
  const unknown = environments.filter((e) => !known.includes(e));
  if (unknown.length > 0) throw new StackError('unknownEnvironment', `${unknown.map((e) => `"${e}"`).join(', ')} not in ${options.project} (${known.join(', ')})`);
  const split = options.split ?? (project.stack as ProjectStackSettings).split ?? STACK_DEFAULTS.split;
  const backend = backendOf(project, options.stateDir ?? STACK_DEFAULTS.stateDir);

  // The project file's order, not the option's: stacks come out the same whatever the flags' order.
  const chosen = known.filter((e) => environments.includes(e));
  const stacks = split === 'single' ? [{ name: STACK_DEFAULTS.singleStackName, environments: chosen }] : chosen.map((e) => ({ name: e, environments: [e] }));
  return { specs, policy, backend, stacks };
}

/** Declares the KeysStacks of `layout` on `app`. */
export function declareStacks(app: App, layout: StackLayout): KeysStack[] {
  const { specs, policy, backend } = layout;
  return layout.stacks.map(({ name, environments }) => new KeysStack(app, name, { specs, policy, environments, backend }));
}

/** Synthesizes the project's keys into Terraform JSON, one stack per environment (or one for all). */
export async function synthesize(options: SynthOptions): Promise<SynthResult> {
  const root = path.dirname(path.resolve(options.project));
  const outdir = path.resolve(root, options.outdir ?? STACK_DEFAULTS.outdir);
  const layout = await stackLayout(options);
  await mkdir(outdir, { recursive: true });
  const app = new App({ outdir, context: { ...APP_CONTEXT } });
  synthApp(app, declareStacks(app, layout));

  const result: SynthesizedStack[] = [];
  for (const stack of app.node.children.filter((c): c is KeysStack => c instanceof KeysStack)) {
    const json = JSON.parse(await readFile(path.join(stack.directory, 'cdk.tf.json'), 'utf8')) as { terraform?: { required_providers?: Record<string, { source?: string }> } };
    const required = json.terraform?.required_providers ?? {};
    result.push({
      name: stack.node.id,
      directory: stack.directory,
      environments: stack.environments,
      keys: stack.keys.map(({ address, key }) => ({
        address,
        name: key.name,
        environment: key.environment,
        integration: key.integration,
        mode: key.mode,
        deliveries: [...new Set(key.delivery.map((d) => DELIVERY_KINDS[d.kind]))],
      })),
      providers: Object.entries(required).map(([local, p]) => providerAddress(p.source ?? local)).sort(),
    });
  }
  return { outdir, stacks: result };
}
