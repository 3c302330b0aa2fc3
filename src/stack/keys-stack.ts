// KeysStack: the resolved keys of some environments as one Terraform stack. It refuses to
// exist when loading or the policy check found errors, declares one `keywarden_api_key` per
// key and, for Secrets Manager deliveries, the `aws_secretsmanager_secret` the key is
// delivered into. The Keywarden provider block carries no endpoint and no API key: they come
// from KEYWARDEN_ENDPOINT / KEYWARDEN_API_KEY when Terraform runs, so no secret is synthesized.
import path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret/index.js';
import { App, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { checkPolicy, type PolicyOptions, type PolicyResult } from '../policy/index.js';
import type { Finding } from '../policy/finding.js';
import type { LoadResult } from '../spec/index.js';
import type { ProjectEnvironment, ProjectStackSettings, ResolvedKey } from '../spec/model.js';
import { apiKeyConfigOf } from './api-key-config.js';
import { secretConfigOf, type SecretsManagerDelivery } from './aws-secret.js';
import { ApiKey, KeywardenProvider } from './bindings/index.js';
import { STACK_DEFAULTS } from './defaults.js';
import { PolicyBlockedError, StackError } from './errors.js';
import { stackJson } from './stack-json.js';

/** Where Terraform keeps the stack's state. */
export type StackBackend =
  | {
      readonly kind: 'local';
      /** Directory of the state files (`<stateDir>/<stack>.tfstate`), absolute. */
      readonly stateDir: string;
    }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      /** State object is `<keyPrefix>/<stack>.tfstate`. @default STACK_DEFAULTS.s3KeyPrefix */
      readonly keyPrefix?: string;
      readonly profile?: string;
      /** @default STACK_DEFAULTS.s3Encrypt */
      readonly encrypt?: boolean;
      readonly kmsKeyId?: string;
      /** DynamoDB lock table; without it the S3 lock file (`use_lockfile`) locks the state. */
      readonly dynamodbTable?: string;
    };

export interface KeysStackProps {
  /** Loaded specs and project (from the spec module's `loadSpecs` or `loadFromStrings`). */
  readonly specs: LoadResult;
  /**
   * Environments this stack declares keys for, in the order given.
   * @default every environment of the project file, in its order
   */
  readonly environments?: readonly string[];
  /**
   * The policy check of `specs`, when the caller ran it already (one check for several stacks).
   * @default checkPolicy(specs, policyOptions)
   */
  readonly policy?: PolicyResult;
  /** Options of the policy check run when `policy` is not given. @default {} */
  readonly policyOptions?: PolicyOptions;
  /**
   * Where the state lives.
   * @default the project file's `stack.backend.s3` when set, else local state in STACK_DEFAULTS.stateDir next to the project file
   */
  readonly backend?: StackBackend;
}

/** What a stack declared for one key. */
export interface DeclaredKey {
  /** Terraform address, e.g. `keywarden_api_key.production-order-bot`. */
  readonly address: string;
  readonly key: ResolvedKey;
}

/** Every blocking problem of a load and its policy check: load errors, policy-pack errors and error findings. */
export function blockingFindings(specs: LoadResult, policy: PolicyResult): Finding[] {
  return [...specs.errors.filter((f) => f.severity === 'error'), ...policy.errors.filter((f) => f.severity === 'error'), ...policy.findings.filter((f) => f.severity === 'error')];
}

/** The backend a project file asks for, with local state under `stateDir` (relative to the project root) otherwise. */
export function backendOf(project: LoadResult['project'], stateDir: string = STACK_DEFAULTS.stateDir): StackBackend {
  const s3 = (project.stack as ProjectStackSettings).backend?.s3;
  if (s3 !== undefined) return { kind: 's3', ...s3 };
  return { kind: 'local', stateDir: path.resolve(project.root, stateDir) };
}

/** A Terraform identifier made of `text`: letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function terraformId(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_-]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

export class KeysStack extends TerraformStack {
  /** The environments this stack declares, in order. */
  readonly environments: readonly string[];
  /** The keys declared, in spec order. */
  readonly keys: readonly DeclaredKey[];
  /** The directory `app.synth()` writes this stack's cdk.tf.json into. */
  readonly directory: string;

  private readonly awsProviders = new Map<string, AwsProvider>();

  constructor(scope: Construct, name: string, props: KeysStackProps) {
    super(scope, name);
    const { specs } = props;
    const project = specs.project;
    const policy = props.policy ?? checkPolicy(specs, props.policyOptions ?? {});
    const blocking = blockingFindings(specs, policy);
    if (blocking.length > 0) throw new PolicyBlockedError(blocking);

    const environments = props.environments ?? Object.keys(project.environments);
    for (const environment of environments) {
      if (!Object.hasOwn(project.environments, environment)) {
        throw new StackError('unknownEnvironment', `"${environment}" is not an environment of ${project.file ?? 'the default project'} (${Object.keys(project.environments).join(', ')})`);
      }
    }
    this.environments = environments;
    this.directory = path.join(App.of(this).outdir, 'stacks', name);

    const backend = props.backend ?? backendOf(project);
    if (backend.kind === 'local') {
      new LocalBackend(this, { path: path.relative(this.directory, path.join(backend.stateDir, `${name}.tfstate`)) });
    } else {
      const s3 = new S3Backend(this, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix ?? STACK_DEFAULTS.s3KeyPrefix}/${name}.tfstate`,
        region: backend.region,
        encrypt: backend.encrypt ?? STACK_DEFAULTS.s3Encrypt,
        ...(backend.profile !== undefined ? { profile: backend.profile } : {}),
        ...(backend.kmsKeyId !== undefined ? { kmsKeyId: backend.kmsKeyId } : {}),
        ...(backend.dynamodbTable !== undefined ? { dynamodbTable: backend.dynamodbTable } : {}),
      });
      // cdktf 0.21 has no property for it; Terraform >= 1.10 locks with a lock file next to the state.
      if (backend.dynamodbTable === undefined) s3.addOverride('use_lockfile', true);
    }

    new KeywardenProvider(this, 'keywarden');

    const wanted = new Set(environments);
    const keys = specs.keys.filter((k) => wanted.has(k.environment));
    const several = environments.length > 1;
    const declared: DeclaredKey[] = [];
    const ids = new Map<string, ResolvedKey>();
    const secrets = new Map<string, ResolvedKey>();
    for (const key of keys) {
      const id = terraformId(key.name);
      const clash = ids.get(id);
      if (clash !== undefined) {
        throw new StackError('duplicateKey', `${key.document.file}: key "${key.name}" (${key.environment}) and key "${clash.name}" (${clash.environment}, ${clash.document.file}) both become keywarden_api_key.${id}`);
      }
      ids.set(id, key);
      const environment = project.environments[key.environment] as ProjectEnvironment;
      const resource = new ApiKey(
        this,
        id,
        apiKeyConfigOf(key, {
          secretOf: (delivery) => {
            const secretId = terraformId(`secret-${several ? `${key.environment}-` : ''}${delivery.region ?? 'default'}-${delivery.name}`);
            const other = secrets.get(secretId);
            if (other !== undefined) {
              throw new StackError('duplicateSecret', `keys "${other.name}" and "${key.name}" both deliver to Secrets Manager secret "${delivery.name}"${delivery.region !== undefined ? ` in ${delivery.region}` : ''}`);
            }
            secrets.set(secretId, key);
            this.declareSecret(secretId, key, delivery, environment, several);
            // Written as Terraform references rather than through the construct's `arn`/`region`
            // getters: each getter makes a cdktf token that captures a stack trace, a fifth of
            // the synthesis of thousands of keys; the logical id is fixed above, so the text is exact.
            const attribute = (name: string): string => `\${${SecretsmanagerSecret.tfResourceType}.${secretId}.${name}}`;
            return { secretId: attribute('arn'), region: delivery.region ?? attribute('region') };
          },
          // Absolute: the provider resolves relative paths against its own working directory,
          // which is the stack directory or, for an attached provider, the caller's.
          filePathOf: (file) => path.resolve(project.root, file),
        }),
      );
      resource.overrideLogicalId(id);
      declared.push({ address: `keywarden_api_key.${id}`, key });
    }
    this.keys = declared;
  }

  /** The stack's Terraform JSON: cdktf's, with one resolve pass instead of two (see stack-json.ts). */
  override toTerraform(): any {
    return stackJson(this) ?? super.toTerraform();
  }

  private declareSecret(id: string, key: ResolvedKey, delivery: SecretsManagerDelivery, environment: ProjectEnvironment, aliased: boolean): SecretsmanagerSecret {
    const secret = new SecretsmanagerSecret(this, id, { ...secretConfigOf(key, delivery), provider: this.awsProviderOf(environment, aliased) });
    secret.overrideLogicalId(id);
    return secret;
  }

  /** The AWS provider of an environment (region and profile from the project file), declared on first use; aliased by environment when the stack holds several. */
  private awsProviderOf(environment: ProjectEnvironment, aliased: boolean): AwsProvider {
    let provider = this.awsProviders.get(environment.name);
    if (provider === undefined) {
      provider = new AwsProvider(this, `aws-${terraformId(environment.name)}`, {
        ...(aliased ? { alias: terraformId(environment.name) } : {}),
        ...(environment.awsRegion !== undefined ? { region: environment.awsRegion } : {}),
        ...(environment.awsProfile !== undefined ? { profile: environment.awsProfile } : {}),
      });
      this.awsProviders.set(environment.name, provider);
    }
    return provider;
  }
}
