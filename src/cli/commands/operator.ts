// `keywarden operator`: runs the Kubernetes operator (controller, leader election, admission
// webhook, /metrics, /healthz, /readyz). Flags and environment variables map onto the
// operator's options (flags win); charts/keywarden/templates/deployment.yaml passes exactly these.
// Logs are JSON lines on standard error. SIGTERM/SIGINT stop gracefully: readiness fails, the
// workers finish, the Lease is released (another replica takes over at once), servers close.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { pino, type DestinationStream, type Logger } from 'pino';
import { parseDuration } from '../../spec/duration.js';
import { createOperator, OperatorMetrics, type Operator, type OperatorOptions } from '../../operator/index.js';
import { createOperatorHttpServer, type OperatorHttpServer } from '../../operator/http-server.js';
import { createWebhookServer, type WebhookServer } from '../../operator/webhook/index.js';
import type { AdmissionMode } from '../../operator/admission.js';
import { CliError } from '../errors.js';
import { EXIT_OK, EXIT_USAGE } from '../main.js';

/** Raw flag values as commander hands them over. */
export interface OperatorFlags {
  kubeconfig?: string;
  endpoint?: string;
  apiKeyFile?: string;
  caFile?: string;
  project?: string;
  watchNamespace?: string[];
  identity?: string;
  leaderElect?: string | boolean;
  leaseName?: string;
  leaseNamespace?: string;
  leaseDuration?: string;
  renewDeadline?: string;
  retryPeriod?: string;
  bindAddress?: string;
  metricsPort?: string;
  healthPort?: string;
  webhookPort?: string;
  webhookMode?: string;
  webhookCertDir?: string;
  webhookCertFile?: string;
  webhookKeyFile?: string;
  defaultDeletionPolicy?: string;
  maxKeyLifetime?: string;
  resync?: string;
  workers?: string;
  kubeRequestTimeout?: string;
  logLevel?: string;
}

/** Environment variables the command reads, each the twin of a flag or set by Kubernetes. */
export const OPERATOR_ENV = {
  kubeconfig: 'KUBECONFIG',
  endpoint: 'KEYWARDEN_ENDPOINT',
  apiKey: 'KEYWARDEN_API_KEY',
  apiKeyFile: 'KEYWARDEN_API_KEY_FILE',
  caFile: 'KEYWARDEN_CA_FILE',
  project: 'KEYWARDEN_PROJECT',
  watchNamespaces: 'KEYWARDEN_WATCH_NAMESPACES',
  logLevel: 'KEYWARDEN_LOG_LEVEL',
  /** The pod's name (downward API): this replica's identity on the Lease. */
  podName: 'POD_NAME',
  /** The pod's namespace (downward API): where the Lease lives when --lease-namespace is not given. */
  podNamespace: 'POD_NAMESPACE',
  /** Default region of Secrets Manager deliveries. */
  awsRegion: 'AWS_REGION',
} as const;

/** The namespace file of an in-cluster ServiceAccount. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Everything the command runs with, resolved from flags and environment. */
export interface OperatorCommandConfig {
  /** The operator's options without the parts built at run time (KubeConfig, logger, metrics). */
  readonly operator: Omit<OperatorOptions, 'kubeConfig' | 'logger' | 'metrics'>;
  /** Kubeconfig file; undefined: KUBECONFIG, ~/.kube/config, then the in-cluster ServiceAccount. */
  readonly kubeconfigFile?: string;
  readonly logLevel: string;
  readonly bindAddress: string;
  readonly metricsPort: number;
  readonly healthPort: number;
  /** Present when the admission webhook is to be served. */
  readonly webhook?: { readonly port: number; readonly mode: AdmissionMode; readonly certFile: string; readonly keyFile: string };
}

/** Maps flags and environment onto the configuration; collects every problem instead of stopping at the first. */
export function operatorConfig(
  flags: OperatorFlags,
  env: NodeJS.ProcessEnv,
  options: { readonly serviceAccountNamespaceFile?: string } = {},
): { config?: OperatorCommandConfig; problems: CliError[] } {
  const problems: CliError[] = [];
  const bad = (detail: string): void => {
    problems.push(new CliError('badFlagValue', detail));
  };
  const port = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(Number.isInteger(value) && value >= 0 && value <= 65535)) bad(`--${flag} ${text}: give a TCP port (0-65535)`);
    return value;
  };
  const seconds = (flag: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const parsed = parseDuration(text);
    if (parsed === undefined || parsed.seconds <= 0) bad(`--${flag} ${text}: give a duration such as 15s, 2m or 1h`);
    return parsed?.seconds ?? fallback;
  };
  const readSecretFile = (flag: string, file: string): string | undefined => {
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text === '') bad(`--${flag} ${file}: the file is empty`);
      return text;
    } catch (err) {
      bad(`--${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return undefined;
    }
  };

  // The key service.
  const endpoint = flags.endpoint ?? env[OPERATOR_ENV.endpoint];
  if (!endpoint) problems.push(new CliError('missingEndpoint', `no key-service endpoint (--endpoint or ${OPERATOR_ENV.endpoint})`));
  else if (!/^https?:\/\/[^/]/.test(endpoint)) problems.push(new CliError('badEndpoint', `--endpoint ${endpoint}: not an http:// or https:// URL`));
  const apiKeyFile = flags.apiKeyFile ?? env[OPERATOR_ENV.apiKeyFile];
  if (apiKeyFile !== undefined && env[OPERATOR_ENV.apiKey]) {
    problems.push(new CliError('conflictingFlags', `both --api-key-file (or ${OPERATOR_ENV.apiKeyFile}) and ${OPERATOR_ENV.apiKey} are set`));
  }
  const apiKey = apiKeyFile !== undefined ? readSecretFile('api-key-file', apiKeyFile) : env[OPERATOR_ENV.apiKey];
  if (apiKeyFile === undefined && !apiKey) {
    problems.push(new CliError('missingApiKey', `no key-service API key for the operator (${OPERATOR_ENV.apiKey} or --api-key-file)`));
  }
  const caFile = flags.caFile ?? env[OPERATOR_ENV.caFile];
  if (caFile !== undefined && !existsSync(caFile)) bad(`--ca-file ${caFile}: no such file`);

  // The project file (environments, naming, scope catalogs) shared by the controller and the webhook.
  const projectFile = flags.project ?? env[OPERATOR_ENV.project];
  let project: string | undefined;
  if (projectFile !== undefined) {
    try {
      project = readFileSync(projectFile, 'utf8');
    } catch (err) {
      bad(`--project ${projectFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  // What to watch, and who this replica is.
  const namespaces =
    flags.watchNamespace && flags.watchNamespace.length > 0
      ? flags.watchNamespace
      : (env[OPERATOR_ENV.watchNamespaces] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const ns of namespaces) if (!DNS_LABEL.test(ns)) bad(`--watch-namespace ${ns}: not a namespace name`);
  const identity = flags.identity ?? env[OPERATOR_ENV.podName] ?? hostname();

  // Leader election.
  const electText = flags.leaderElect === undefined ? 'false' : String(flags.leaderElect);
  if (!['true', 'false'].includes(electText)) bad(`--leader-elect=${electText}: give true or false`);
  const elect = electText === 'true';
  const leaseDurationSeconds = seconds('lease-duration', flags.leaseDuration, 15);
  const renewDeadlineSeconds = seconds('renew-deadline', flags.renewDeadline, 10);
  const retryPeriodSeconds = seconds('retry-period', flags.retryPeriod, 2);
  let leaseNamespace = flags.leaseNamespace ?? env[OPERATOR_ENV.podNamespace];
  const saFile = options.serviceAccountNamespaceFile ?? SERVICE_ACCOUNT_NAMESPACE_FILE;
  if (leaseNamespace === undefined && elect && existsSync(saFile)) leaseNamespace = readFileSync(saFile, 'utf8').trim();
  if (elect) {
    if (leaseNamespace === undefined || leaseNamespace === '') bad(`--leader-elect needs --lease-namespace (or ${OPERATOR_ENV.podNamespace}, or an in-cluster ServiceAccount)`);
    else if (!DNS_LABEL.test(leaseNamespace)) bad(`--lease-namespace ${leaseNamespace}: not a namespace name`);
    if (flags.leaseName !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(flags.leaseName)) bad(`--lease-name ${flags.leaseName}: not a resource name`);
    // client-go's rules: the lease outlives the renew deadline, which outlives a retry.
    if (leaseDurationSeconds <= renewDeadlineSeconds) bad(`--lease-duration (${leaseDurationSeconds}s) must be longer than --renew-deadline (${renewDeadlineSeconds}s)`);
    if (renewDeadlineSeconds <= retryPeriodSeconds) bad(`--renew-deadline (${renewDeadlineSeconds}s) must be longer than --retry-period (${retryPeriodSeconds}s)`);
  }

  // Policy for deletions and lifetimes.
  const deletion = flags.defaultDeletionPolicy ?? 'Retain';
  if (deletion !== 'Retain' && deletion !== 'Revoke') bad(`--default-deletion-policy ${deletion}: give Retain or Revoke`);
  const maxKeyLifetimeSeconds = flags.maxKeyLifetime === undefined || flags.maxKeyLifetime === '' ? undefined : seconds('max-key-lifetime', flags.maxKeyLifetime, 0);
  const resyncSeconds = seconds('resync', flags.resync, 300);
  const kubeRequestTimeoutSeconds = seconds('kube-request-timeout', flags.kubeRequestTimeout, 30);
  const workers = flags.workers === undefined ? 4 : Number(flags.workers);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) bad(`--workers ${flags.workers}: give a whole number from 1 to 64`);

  // Served endpoints.
  const logLevel = flags.logLevel ?? env[OPERATOR_ENV.logLevel] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) bad(`--log-level ${logLevel}: give one of ${LOG_LEVELS.join(', ')}`);
  const metricsPort = port('metrics-port', flags.metricsPort, 8080);
  const healthPort = port('health-port', flags.healthPort, 8081);
  let webhook: OperatorCommandConfig['webhook'];
  const webhookWanted = [flags.webhookPort, flags.webhookMode, flags.webhookCertDir, flags.webhookCertFile, flags.webhookKeyFile].some((v) => v !== undefined);
  if (webhookWanted) {
    const mode = flags.webhookMode ?? 'Fail';
    if (mode !== 'Fail' && mode !== 'Warn') bad(`--webhook-mode ${mode}: give Fail or Warn`);
    const certFile = flags.webhookCertFile ?? (flags.webhookCertDir !== undefined ? `${flags.webhookCertDir}/tls.crt` : undefined);
    const keyFile = flags.webhookKeyFile ?? (flags.webhookCertDir !== undefined ? `${flags.webhookCertDir}/tls.key` : undefined);
    if (certFile === undefined || keyFile === undefined) bad('the webhook needs its serving certificate: --webhook-cert-dir (tls.crt, tls.key) or --webhook-cert-file and --webhook-key-file');
    webhook = { port: port('webhook-port', flags.webhookPort, 9443), mode: mode as AdmissionMode, certFile: certFile ?? '', keyFile: keyFile ?? '' };
  }

  if (problems.length > 0) return { problems };
  const awsRegion = env[OPERATOR_ENV.awsRegion];
  return {
    problems,
    config: {
      operator: {
        keyService: { endpoint: endpoint!, apiKey: apiKey!, ...(caFile !== undefined ? { tls: { caFile } } : {}) },
        ...(namespaces.length > 0 ? { namespaces } : {}),
        identity,
        leaderElection: elect
          ? { leaseNamespace: leaseNamespace!, ...(flags.leaseName !== undefined ? { leaseName: flags.leaseName } : {}), leaseDurationSeconds, renewDeadlineSeconds, retryPeriodSeconds }
          : false,
        ...(awsRegion ? { aws: { defaultRegion: awsRegion } } : {}),
        ...(project !== undefined ? { project } : {}),
        defaultDeletionPolicy: deletion as 'Retain' | 'Revoke',
        ...(maxKeyLifetimeSeconds !== undefined ? { maxKeyLifetimeSeconds } : {}),
        resyncSeconds,
        workers,
        kubeRequestTimeoutMs: kubeRequestTimeoutSeconds * 1000,
      },
      ...(flags.kubeconfig ?? env[OPERATOR_ENV.kubeconfig] ? { kubeconfigFile: (flags.kubeconfig ?? env[OPERATOR_ENV.kubeconfig])! } : {}),
      logLevel,
      bindAddress: flags.bindAddress ?? '0.0.0.0',
      metricsPort,
      healthPort,
      ...(webhook !== undefined ? { webhook } : {}),
    },
  };
}

/** Where the command writes and how it learns to stop; the process's in production, a test's otherwise. */
export interface OperatorIo {
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Resolves with a reason when the command should stop. @default SIGTERM or SIGINT */
  readonly shutdown?: Promise<string>;
  /** Told the listening URLs once everything has started (tests use the ports). */
  readonly onStarted?: (urls: { metrics: string; health: string; webhook?: string }) => void;
}

/** The running parts, stopped in order: readiness fails first, then the operator (Lease released), then the servers. */
interface Running {
  operator?: Operator;
  webhook?: WebhookServer;
  servers: OperatorHttpServer[];
}

async function stopAll(running: Running, log: Logger): Promise<void> {
  try {
    await running.operator?.stop();
  } catch (err) {
    log.error({ err }, 'the operator did not stop cleanly');
  }
  await running.webhook?.close();
  for (const server of running.servers) await server.close();
}

/** Runs the operator until SIGTERM/SIGINT (or io.shutdown); resolves to the exit code. */
export async function runOperator(flags: OperatorFlags, io: OperatorIo): Promise<number> {
  const { config, problems } = operatorConfig(flags, io.env);
  if (config === undefined) {
    io.stderr.write(problems.map((p) => `keywarden operator: ${p.message}\n`).join(''));
    return EXIT_USAGE;
  }
  const log = pino(
    { level: config.logLevel, base: { component: 'keywarden-operator', identity: config.operator.identity }, redact: { paths: ['apiKey', '*.apiKey', 'secret', '*.secret'], censor: '[redacted]' } },
    io.stderr as DestinationStream,
  );
  const kubeConfig = new KubeConfig();
  try {
    if (config.kubeconfigFile !== undefined) kubeConfig.loadFromFile(config.kubeconfigFile);
    else kubeConfig.loadFromDefault();
    if (kubeConfig.getCurrentCluster() === null) throw new Error('it names no current cluster');
  } catch (err) {
    io.stderr.write(`keywarden operator: ${new CliError('badFlagValue', `cannot load the kubeconfig${config.kubeconfigFile ? ` ${config.kubeconfigFile}` : ''}: ${(err as Error).message}`).message}\n`);
    return EXIT_USAGE;
  }

  const metrics = new OperatorMetrics({ defaultMetrics: true });
  const running: Running = { servers: [] };
  let stopping = false;
  const shutdown = io.shutdown ?? signalled();
  try {
    const operator = createOperator({ ...config.operator, kubeConfig, logger: log, metrics });
    running.operator = operator;
    if (config.webhook !== undefined) {
      running.webhook = createWebhookServer({
        ...config.webhook,
        host: config.bindAddress,
        ...(config.operator.project !== undefined ? { project: () => config.operator.project } : {}),
        policy: () => operator.policy,
        registry: metrics.registry,
        logger: log.child({ component: 'webhook' }),
      });
    }
    const liveness = { operator: () => operator.healthy };
    const readiness = {
      informers: () => operator.ready && !stopping,
      ...(running.webhook !== undefined ? { webhook: () => running.webhook!.listening } : {}),
    };
    const probes = { liveness, readiness };
    const servers =
      config.metricsPort === config.healthPort && config.metricsPort !== 0
        ? [createOperatorHttpServer({ host: config.bindAddress, port: config.metricsPort, registries: [metrics.registry], ...probes, logger: log })]
        : [
            createOperatorHttpServer({ host: config.bindAddress, port: config.metricsPort, registries: [metrics.registry], logger: log }),
            createOperatorHttpServer({ host: config.bindAddress, port: config.healthPort, ...probes, logger: log }),
          ];
    const urls: string[] = [];
    for (const server of servers) {
      urls.push(await server.listen());
      running.servers.push(server);
    }
    const webhookUrl = await running.webhook?.listen();
    log.info({ leaderElection: config.operator.leaderElection !== false, namespaces: config.operator.namespaces ?? 'all' }, 'starting the operator');
    const started = operator.start();
    const first = await Promise.race([started.then(() => 'started' as const), shutdown]);
    if (first === 'started') {
      log.info('informers synced; the operator is ready');
      io.onStarted?.({ metrics: urls[0]!, health: urls[urls.length - 1]!, ...(webhookUrl !== undefined ? { webhook: webhookUrl } : {}) });
      const reason = await shutdown;
      log.info({ reason }, 'shutting down');
    } else log.info({ reason: first }, 'shutting down before the informers synced');
    stopping = true;
    await stopAll(running, log);
    log.info('stopped');
    return EXIT_OK;
  } catch (err) {
    stopping = true;
    log.error({ err }, 'the operator cannot run');
    io.stderr.write(`keywarden operator: cannot start: ${(err as Error).message}\n`);
    await stopAll(running, log);
    return EXIT_USAGE;
  }
}

/** Resolves with the signal's name at the first SIGTERM or SIGINT. */
function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('operator')
    .description('Run the Kubernetes operator: ApiKey controller, leader election, admission webhook, /metrics, /healthz, /readyz. Logs JSON lines to stderr.')
    .option('--kubeconfig <file>', `kubeconfig file [${OPERATOR_ENV.kubeconfig}] (default ~/.kube/config, else the in-cluster ServiceAccount)`)
    .option('--endpoint <url>', `key service URL [${OPERATOR_ENV.endpoint}]`)
    .option('--api-key-file <file>', `file holding the operator's key-service API key [${OPERATOR_ENV.apiKeyFile}; or the key itself in ${OPERATOR_ENV.apiKey}]`)
    .option('--ca-file <file>', `PEM CA that signed the key service's certificate [${OPERATOR_ENV.caFile}]`)
    .option('--project <file>', `the project file (environments, naming, scope catalogs) [${OPERATOR_ENV.project}] (default built-in defaults)`)
    .option('--watch-namespace <ns>', `watch ApiKeys in this namespace; repeatable [${OPERATOR_ENV.watchNamespaces}, comma-separated] (default all)`, collect)
    .option('--identity <name>', `this replica's name on the Lease [${OPERATOR_ENV.podName}] (default the host name)`)
    .option('--leader-elect [enabled]', 'elect a leader on a Lease so only one replica acts (true|false) (default false)')
    .option('--lease-name <name>', 'name of the Lease (default keywarden-operator)')
    .option('--lease-namespace <ns>', `namespace of the Lease [${OPERATOR_ENV.podNamespace}] (default the ServiceAccount's)`)
    .option('--lease-duration <duration>', 'how long a Lease holds without renewal (default 15s)')
    .option('--renew-deadline <duration>', 'how long the leader tries to renew before it steps down (default 10s)')
    .option('--retry-period <duration>', 'pause between attempts to take or renew the Lease (default 2s)')
    .option('--bind-address <host>', 'interface of the metrics, health and webhook servers (default 0.0.0.0)')
    .option('--metrics-port <port>', '/metrics port (default 8080)')
    .option('--health-port <port>', '/healthz and /readyz port; the same as --metrics-port serves all three on one (default 8081)')
    .option('--webhook-port <port>', 'serve the admission webhook (HTTPS, /validate-apikey) on this port (default 9443 when any webhook flag is given)')
    .option('--webhook-mode <mode>', 'Fail refuses a non-compliant ApiKey, Warn admits it with warnings (default Fail)')
    .option('--webhook-cert-dir <dir>', 'directory with tls.crt and tls.key (a kubernetes.io/tls Secret volume), re-read when they change')
    .option('--webhook-cert-file <file>', 'PEM serving certificate (instead of --webhook-cert-dir)')
    .option('--webhook-key-file <file>', 'PEM private key (instead of --webhook-cert-dir)')
    .option('--default-deletion-policy <policy>', 'Retain or Revoke the keys of a deleted ApiKey whose annotation does not say (default Retain)')
    .option('--max-key-lifetime <duration>', 'no secret version stays current longer than this, e.g. 90d (default no cap)')
    .option('--resync <duration>', 'reconcile every ApiKey again this often (default 5m)')
    .option('--workers <n>', 'reconciles at once (default 4)')
    .option('--kube-request-timeout <duration>', 'deadline of each Kubernetes API request (not watches) (default 30s)')
    .option('--log-level <level>', `${LOG_LEVELS.join('|')} [${OPERATOR_ENV.logLevel}] (default info)`)
    .action(async (flags: OperatorFlags) => {
      process.exitCode = await runOperator(flags, { stderr: process.stderr, env: process.env });
    });
}
