// API clients of the Kubernetes client whose every request has a deadline. client-node sends
// requests without one, so an API server connection that stops answering (a partition without a
// reset, an overloaded apiserver) would hold a reconcile — and with it a worker — for ever; with a
// deadline the request fails, the reconcile is retried with backoff, and the status says why.
// Watches are not made here (the informers keep their own long-lived connections).
import { createConfiguration, ServerConfiguration, type Configuration, type KubeConfig, type RequestContext } from '@kubernetes/client-node';

/** The deadline of one API request (the API server's own default for non-watch requests is 60 s). */
export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 30_000;

/** `kc.makeApiClient(type)`, with a deadline of `timeoutMs` on every request. */
export function apiClient<T>(kc: KubeConfig, type: new (configuration: Configuration) => T, timeoutMs: number = DEFAULT_KUBE_REQUEST_TIMEOUT_MS): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const withDeadline = {
    getName: (): string => 'default',
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      await kc.applySecurityAuthentication(context);
      context.setSignal(AbortSignal.timeout(timeoutMs));
    },
  };
  return new type(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: withDeadline } }));
}
