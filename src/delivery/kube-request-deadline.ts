// A deadline on every Kubernetes API request. client-node sends requests without one, so an API
// server connection that stops answering (a partition without a reset, an overloaded apiserver)
// would hold the caller — an operator reconcile and its worker, a provider's apply — for ever;
// with a deadline the request fails, and the caller retries or reports it. Watches are not
// affected (they do not go through API clients).
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';

/** The deadline of one API request (the API server's own default for non-watch requests is 60 s). */
export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 30_000;

/**
 * `kc` for making API clients (`withRequestDeadline(kc).makeApiClient(CoreV1Api)`) whose every
 * request is aborted after `timeoutMs`. `kc` itself is unchanged.
 */
export function withRequestDeadline(kc: KubeConfig, timeoutMs: number = DEFAULT_KUBE_REQUEST_TIMEOUT_MS): KubeConfig {
  // makeApiClient authenticates each request through its KubeConfig: this one adds the deadline
  // to what `kc` does (credentials, TLS agent). Everything else is read through to `kc`.
  const deadline = Object.create(kc) as KubeConfig;
  deadline.applySecurityAuthentication = async (context: RequestContext): Promise<void> => {
    await kc.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(timeoutMs));
  };
  return deadline;
}
