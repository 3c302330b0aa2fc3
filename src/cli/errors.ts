// The CLI's error catalog: usage errors of the `keywarden` command. Codes are permanent and
// never reused; each message says what was wrong and what to do. All of them exit with 2.

export interface CliErrorDescriptor {
  readonly code: string;
  readonly title: string;
  /** What to do about it. */
  readonly help: string;
}

function entry(code: string, title: string, help: string): CliErrorDescriptor {
  return { code, title, help };
}

export const CLI_ERRORS = {
  unknownFormat: entry('KWC001', 'Unknown report format', 'Use --format text, json, sarif, junit or github.'),
  unknownSeverity: entry('KWC002', 'Unknown severity threshold', 'Use --fail-on error or --fail-on warning.'),
  outputNotWritable: entry('KWC003', 'Report cannot be written', 'Check that the directory of --output exists and is writable.'),
  stdinTwice: entry('KWC004', 'Standard input given twice', 'Give `-` at most once: standard input can be read only once.'),
  missingEndpoint: entry('KWC005', 'No key-service endpoint', 'Pass --endpoint URL or set KEYWARDEN_ENDPOINT (e.g. http://127.0.0.1:8420).'),
  missingApiKey: entry('KWC006', 'No API key', 'Set KEYWARDEN_API_KEY (preferred: flags show up in the process list) or pass --api-key.'),
  badFlagValue: entry('KWC007', 'Invalid flag value', "See the command's --help for the accepted forms."),
  badEndpoint: entry('KWC008', 'Invalid endpoint', 'Give an http:// or https:// URL of the key service.'),
  conflictingFlags: entry('KWC009', 'Conflicting flags', 'Give only one of them.'),
  nothingToChange: entry('KWC010', 'Nothing to change', 'Give at least one field flag (see --help).'),
  noKeyGiven: entry('KWC011', 'No key given', 'Pass the key on standard input with `-` (or as the argument).'),
  badServiceConfig: entry('KWC012', 'Invalid key-service configuration', 'See `keywarden serve --help` for the database, pepper and key prefix settings.'),
  bootstrapRefused: entry('KWC013', 'Cannot bootstrap', 'Pass --force to add another admin key to an initialised service, or check the database.'),
} as const satisfies Record<string, CliErrorDescriptor>;

export type CliErrorKind = keyof typeof CLI_ERRORS;

/** A usage error with its catalog code; the command prints it and exits 2. */
export class CliError extends Error {
  readonly code: string;
  readonly help: string;

  constructor(kind: CliErrorKind, detail: string) {
    const d = CLI_ERRORS[kind];
    super(`${d.code} ${d.title}: ${detail}. ${d.help}`);
    this.name = 'CliError';
    this.code = d.code;
    this.help = d.help;
  }
}
