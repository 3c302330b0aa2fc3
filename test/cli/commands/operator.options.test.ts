// `keywarden operator` flags and environment → the operator's options: defaults, precedence, and
// every problem reported at once with its CLI error code.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorConfig } from '../../../src/cli/commands/operator.js';

const env = { KEYWARDEN_ENDPOINT: 'http://127.0.0.1:8420', KEYWARDEN_API_KEY: 'kw_test_operator' };
const noServiceAccount = { serviceAccountNamespaceFile: '/nonexistent/namespace' };

describe('operatorConfig', () => {
  it('runs with the endpoint and key alone: no election, all namespaces, no webhook, metrics 8080, probes 8081', () => {
    const { config, problems } = operatorConfig({}, { ...env, POD_NAME: 'pod-a' }, noServiceAccount);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      operator: {
        keyService: { endpoint: 'http://127.0.0.1:8420', apiKey: 'kw_test_operator' },
        identity: 'pod-a',
        leaderElection: false,
        defaultDeletionPolicy: 'Retain',
        resyncSeconds: 300,
        workers: 4,
        kubeRequestTimeoutMs: 30_000,
      },
      logLevel: 'info',
      bindAddress: '0.0.0.0',
      metricsPort: 8080,
      healthPort: 8081,
    });
  });

  it('prefers flags to environment variables and reads the API key and project from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-operator-flags-'));
    try {
      writeFileSync(join(dir, 'key'), 'kw_test_from_file\n');
      writeFileSync(join(dir, 'keywarden.yaml'), 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\n');
      const { config, problems } = operatorConfig(
        { endpoint: 'https://keys.example', apiKeyFile: join(dir, 'key'), project: join(dir, 'keywarden.yaml'), watchNamespace: ['a', 'b'], logLevel: 'warn', identity: 'me' },
        { KEYWARDEN_ENDPOINT: 'http://ignored', KEYWARDEN_WATCH_NAMESPACES: 'x,y', KEYWARDEN_LOG_LEVEL: 'debug', POD_NAME: 'pod' },
        noServiceAccount,
      );
      expect(problems).toEqual([]);
      expect(config!.operator).toMatchObject({
        keyService: { endpoint: 'https://keys.example', apiKey: 'kw_test_from_file' },
        project: 'apiVersion: keywarden.dev/v1alpha1\nkind: Project\n',
        namespaces: ['a', 'b'],
        identity: 'me',
      });
      expect(config!.logLevel).toBe('warn');
      expect(operatorConfig({}, { ...env, KEYWARDEN_WATCH_NAMESPACES: 'x, y' }, noServiceAccount).config!.operator.namespaces).toEqual(['x', 'y']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the Lease namespace from POD_NAMESPACE, else from the in-cluster ServiceAccount', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-operator-sa-'));
    try {
      writeFileSync(join(dir, 'namespace'), 'keywarden-system');
      const fromFile = operatorConfig({ leaderElect: true }, env, { serviceAccountNamespaceFile: join(dir, 'namespace') });
      expect(fromFile.config!.operator.leaderElection).toEqual({ leaseNamespace: 'keywarden-system', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
      const fromEnv = operatorConfig({ leaderElect: 'true', leaseName: 'kw' }, { ...env, POD_NAMESPACE: 'ops' }, { serviceAccountNamespaceFile: join(dir, 'namespace') });
      expect(fromEnv.config!.operator.leaderElection).toMatchObject({ leaseNamespace: 'ops', leaseName: 'kw' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the Kubernetes request deadline from --kube-request-timeout', () => {
    expect(operatorConfig({ kubeRequestTimeout: '2m' }, env, noServiceAccount).config!.operator.kubeRequestTimeoutMs).toBe(120_000);
  });

  it('serves the webhook when a webhook flag is given, with tls.crt and tls.key from the certificate directory', () => {
    const { config } = operatorConfig({ webhookCertDir: '/certs' }, env, noServiceAccount);
    expect(config!.webhook).toEqual({ port: 9443, mode: 'Fail', certFile: '/certs/tls.crt', keyFile: '/certs/tls.key' });
  });

  it('reports every problem at once, each with its code', () => {
    const { config, problems } = operatorConfig(
      {
        leaderElect: 'yes',
        metricsPort: '80000',
        leaseDuration: '5s',
        renewDeadline: '10',
        webhookMode: 'Audit',
        defaultDeletionPolicy: 'Delete',
        maxKeyLifetime: 'forever',
        watchNamespace: ['Not_A_Namespace'],
        logLevel: 'loud',
        workers: '0',
        kubeRequestTimeout: 'never',
      },
      {},
      noServiceAccount,
    );
    expect(config).toBeUndefined();
    const messages = problems.map((p) => p.message);
    expect(messages.filter((m) => m.startsWith('KWC005'))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('KWC006'))).toHaveLength(1);
    for (const part of ['--leader-elect=yes', '--metrics-port 80000', '--renew-deadline 10', '--webhook-mode Audit', 'the webhook needs its serving certificate', '--default-deletion-policy Delete', '--max-key-lifetime forever', '--watch-namespace Not_A_Namespace', '--log-level loud', '--workers 0', '--kube-request-timeout never']) {
      expect(messages.some((m) => m.startsWith('KWC007') && m.includes(part))).toBe(true);
    }
  });

  it('refuses lease settings client-go would refuse, a missing Lease namespace, two API key sources and a non-URL endpoint', () => {
    const messages = operatorConfig(
      { leaderElect: 'true', leaseDuration: '10s', renewDeadline: '10s', retryPeriod: '15s', apiKeyFile: '/nonexistent/key', endpoint: 'keys.example' },
      { KEYWARDEN_API_KEY: 'kw_test_x' },
      noServiceAccount,
    ).problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^KWC008 .*--endpoint keys\.example/),
        expect.stringMatching(/^KWC009 .*--api-key-file/),
        expect.stringMatching(/^KWC007 .*--api-key-file \/nonexistent\/key: ENOENT/),
        expect.stringMatching(/^KWC007 .*--leader-elect needs --lease-namespace/),
        expect.stringMatching(/^KWC007 .*--lease-duration \(10s\) must be longer than --renew-deadline \(10s\)/),
        expect.stringMatching(/^KWC007 .*--renew-deadline \(10s\) must be longer than --retry-period \(15s\)/),
      ]),
    );
    // The key itself is never in a message.
    expect(messages.join('\n')).not.toContain('kw_test_x');
  });
});
