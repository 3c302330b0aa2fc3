// The error catalog of plan/apply/destroy/up: codes are permanent and never reused; each
// message says what was wrong and what to do. Usage errors exit 2, failed Terraform runs 1.
// KWR008 and KWR010 are retired (synthesis errors carry the stack module's KWT codes).

export interface ReconcileErrorDescriptor {
  readonly code: string;
  readonly title: string;
  /** What to do about it. */
  readonly help: string;
  /** Exit code of the command that stops on it. */
  readonly exitCode: 1 | 2;
}

function entry(code: string, title: string, help: string, exitCode: 1 | 2): ReconcileErrorDescriptor {
  return { code, title, help, exitCode };
}

export const RECONCILE_ERRORS = {
  terraformMissing: entry('KWR001', 'Terraform not found', 'Install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install), or name the binary with --terraform PATH or KEYWARDEN_TERRAFORM.', 2),
  terraformFailed: entry('KWR002', 'Terraform failed', 'Read the Terraform messages above; fix the cause and run the command again (nothing after the failed step ran).', 1),
  missingEndpoint: entry('KWR003', 'No key service endpoint', 'Set KEYWARDEN_ENDPOINT, pass --endpoint URL, or give the environment an endpoint in the project file.', 2),
  missingApiKey: entry('KWR004', 'No API key', 'Set KEYWARDEN_API_KEY or pass --api-key-file FILE (a key with keys:read, keys:write and keys:rotate).', 2),
  unreadableFile: entry('KWR005', 'File cannot be read', 'Check the path and its permissions.', 2),
  unknownFormat: entry('KWR006', 'Unknown output format', 'Use --format text, markdown or json.', 2),
  approvalRequired: entry('KWR007', 'Approval required', 'Standard input is not a terminal, so nobody can confirm: pass --auto-approve to apply without asking.', 2),
  providerInstallFailed: entry('KWR009', 'Provider not installed', 'Check that the directory is writable, or run keywarden provider install --dir DIR yourself.', 2),
  nothingReachable: entry('KWR011', 'Nothing to apply offline', 'Add a test-mode environment with file delivery to the project (see docs/apply.md).', 1),
  verificationFailed: entry('KWR012', 'Delivered key not accepted', 'The key service refused the key read from its delivery file; run keywarden up again, or delete .keywarden/ to start afresh.', 1),
} as const satisfies Record<string, ReconcileErrorDescriptor>;

export type ReconcileErrorKind = keyof typeof RECONCILE_ERRORS;

/** A failure with its catalog code; the command prints `message` (never a secret) and exits with `exitCode`. */
export class ReconcileError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;

  constructor(kind: ReconcileErrorKind, detail: string) {
    const d = RECONCILE_ERRORS[kind];
    super(`${d.code} ${d.title}: ${detail}. ${d.help}`);
    this.name = 'ReconcileError';
    this.code = d.code;
    this.exitCode = d.exitCode;
  }
}
