// One long-running keywarden provider for a whole command, served from this process and
// attached to every terraform run through TF_REATTACH_PROVIDERS (no provider process starts).
// The key service endpoint and API key reach it from here, never through terraform: they are
// in no configuration, plan, state or terraform environment.
import { configureProvider, keywardenProvider } from '../provider/keywarden/index.js';
import { serveReattach, type ReattachHandle } from '../provider/plugin/index.js';

/** Where the provider finds the key service. */
export interface KeyServiceCredentials {
  /** Base URL, e.g. `http://127.0.0.1:8420`. */
  readonly endpoint: string;
  /** A key with keys:read, keys:write and keys:rotate. Never logged. */
  readonly apiKey: string;
}

export interface ProviderHost {
  /** The TF_REATTACH_PROVIDERS value for terraform. */
  readonly reattachProviders: string;
  /** Credentials for the next terraform runs (one configuration at a time: run stacks one after another). */
  use(credentials: KeyServiceCredentials): void;
  close(): Promise<void>;
}

/** Starts serving the provider in this process. `env` supplies settings other than the credentials (AWS, kubeconfig). */
export async function startProviderHost(credentials: KeyServiceCredentials, env: NodeJS.ProcessEnv = process.env): Promise<ProviderHost> {
  let current = credentials;
  const definition = {
    ...keywardenProvider,
    configure: ({ config }: { config: Parameters<typeof configureProvider>[0] }, { diagnostics }: { diagnostics: Parameters<typeof configureProvider>[1] }) =>
      configureProvider(config, diagnostics, { ...env, KEYWARDEN_ENDPOINT: current.endpoint, KEYWARDEN_API_KEY: current.apiKey }),
  };
  const handle: ReattachHandle = await serveReattach(definition, { env });
  return {
    reattachProviders: handle.reattachProviders,
    use(next) {
      current = next;
    },
    close: () => handle.close(),
  };
}
