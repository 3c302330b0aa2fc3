// Where plan/apply/destroy find the key service: --endpoint or KEYWARDEN_ENDPOINT, else the
// environment's endpoint in the project file; the API key from --api-key-file or
// KEYWARDEN_API_KEY (never a flag value: those show in the process list).
import { readFileSync } from 'node:fs';
import type { KeyServiceCredentials } from './provider-host.js';
import { ReconcileError } from './errors.js';

export const CREDENTIAL_ENV = { endpoint: 'KEYWARDEN_ENDPOINT', apiKey: 'KEYWARDEN_API_KEY' } as const;

export interface CredentialFlags {
  /** Key service base URL for every stack. */
  readonly endpoint?: string;
  /** File holding the API key (trailing whitespace ignored). */
  readonly apiKeyFile?: string;
}

/** The API key, from the file or the environment; KWR004/KWR005 otherwise. */
export function resolveApiKey(flags: CredentialFlags, env: NodeJS.ProcessEnv): string {
  if (flags.apiKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.apiKeyFile, 'utf8').trim();
    } catch (error) {
      throw new ReconcileError('unreadableFile', `--api-key-file ${flags.apiKeyFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if (text === '') throw new ReconcileError('missingApiKey', `--api-key-file ${flags.apiKeyFile} is empty`);
    return text;
  }
  const fromEnv = env[CREDENTIAL_ENV.apiKey]?.trim();
  if (!fromEnv) throw new ReconcileError('missingApiKey', `${CREDENTIAL_ENV.apiKey} is not set`);
  return fromEnv;
}

/**
 * The endpoint of a stack: the flag, else KEYWARDEN_ENDPOINT, else the one endpoint its
 * environments name in the project file.
 */
export function resolveEndpoint(flags: CredentialFlags, env: NodeJS.ProcessEnv, stack: string, projectEndpoints: readonly (string | undefined)[]): string {
  const given = flags.endpoint ?? env[CREDENTIAL_ENV.endpoint];
  if (given) return given;
  const named = [...new Set(projectEndpoints.filter((e): e is string => e !== undefined && e !== ''))];
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new ReconcileError('missingEndpoint', `stack ${stack} covers environments with different endpoints (${named.join(', ')}); set ${CREDENTIAL_ENV.endpoint} or --endpoint`);
  throw new ReconcileError('missingEndpoint', `stack ${stack}: no --endpoint, no ${CREDENTIAL_ENV.endpoint}, and the project file names no endpoint for it`);
}

export function credentialsFor(flags: CredentialFlags, env: NodeJS.ProcessEnv, apiKey: string, stack: string, projectEndpoints: readonly (string | undefined)[]): KeyServiceCredentials {
  return { endpoint: resolveEndpoint(flags, env, stack, projectEndpoints), apiKey };
}
