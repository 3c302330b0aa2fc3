// `keywarden check [paths...]`: load the specs, apply the policy, write one report.
// Exit 0 clean, 1 findings at or above --fail-on, 2 usage or load errors (STYLE.md rule 9).
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { RuleDescriptor, Severity } from '../../policy/finding.js';
import { POLICY_ERROR_LIST, checkPolicy } from '../../policy/index.js';
import { FORMATS, type Format, atOrAbove, isFormat, render, summarize, summaryLine } from '../../policy/reporters/index.js';
import { LOAD_ERROR_LIST, loadSpecs } from '../../spec/index.js';
import { CliError } from '../errors.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../main.js';
import { repositoryRoot } from '../repository-root.js';
import { useColor } from '../terminal.js';
import { writeFileAtomic } from '../write-atomic.js';

/** Options of one check run; CLI flags map onto them one to one. */
export interface CheckOptions {
  /** Report format. @default 'text' */
  readonly format?: string;
  /** Report file, written atomically. @default standard output */
  readonly output?: string;
  /** Findings at or above this severity make the run fail (exit 1). @default 'error' */
  readonly failOn?: string;
  /** Policy pack directory, replacing the default pack. @default the project's, else policies/ */
  readonly policies?: string;
  /** Project file. @default keywarden.yaml in the working directory, when there is one */
  readonly project?: string;
}

/** Where a run reads and writes; the process's own streams in the CLI, fakes in tests. */
export interface CheckIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Reads all of standard input (for the path `-`). @default the loader's: process.stdin */
  readonly readStdin?: () => Promise<string>;
  /** Version written into SARIF and JSON reports. */
  readonly toolVersion?: string;
}

const FAIL_ON: readonly Severity[] = ['error', 'warning'];

/** The load error catalogs of the spec and policy loaders, as reporters describe codes. */
const ERROR_CATALOG: readonly RuleDescriptor[] = [...LOAD_ERROR_LIST, ...POLICY_ERROR_LIST].map((d) => ({
  id: d.code,
  title: d.title,
  severity: d.severity,
  help: d.help,
  rationale: 'Keywarden can only check what it can load: a file or policy it cannot load is reported, and the run fails with exit code 2.',
}));

function parseOptions(paths: readonly string[], options: CheckOptions): { format: Format; failOn: Severity } {
  const format = options.format ?? 'text';
  if (!isFormat(format)) throw new CliError('unknownFormat', `--format ${JSON.stringify(format)} is not one of ${FORMATS.join(', ')}`);
  const failOn = options.failOn ?? 'error';
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new CliError('unknownSeverity', `--fail-on ${JSON.stringify(failOn)} is not one of ${FAIL_ON.join(', ')}`);
  }
  if (paths.filter((p) => p === '-').length > 1) throw new CliError('stdinTwice', '`-` appears more than once among the paths');
  return { format, failOn: failOn as Severity };
}

/** Runs one check and resolves to its exit code; never throws on bad input or usage. */
export async function runCheck(paths: readonly string[], options: CheckOptions, io: CheckIo): Promise<number> {
  let parsed: { format: Format; failOn: Severity };
  try {
    parsed = parseOptions(paths, options);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`keywarden check: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  const { format, failOn } = parsed;

  const load = await loadSpecs(paths, {
    cwd: io.cwd,
    ...(options.project !== undefined ? { projectFile: options.project } : {}),
    ...(io.readStdin ? { readStdin: io.readStdin } : {}),
  });
  const policy = checkPolicy(load, { ...(options.policies !== undefined ? { policiesDir: options.policies } : {}) });
  const loadErrors = [...load.errors, ...policy.errors];

  const input = {
    findings: [...loadErrors, ...policy.findings],
    rules: policy.rules,
    errorCatalog: ERROR_CATALOG,
    sources: load.sources,
    root: repositoryRoot(io.cwd),
    cwd: io.cwd,
    keysChecked: load.keys.length,
    failOn,
    ...(io.toolVersion !== undefined ? { toolVersion: io.toolVersion } : {}),
  };
  const toTerminal = options.output === undefined && format === 'text';
  const report = render(format, input, { color: toTerminal && useColor(io.stdout, io.env) });

  if (options.output === undefined) {
    io.stdout.write(report);
  } else {
    try {
      await writeFileAtomic(resolve(io.cwd, options.output), report);
    } catch (err) {
      const e = new CliError('outputNotWritable', `${options.output}: ${(err as Error).message}`);
      io.stderr.write(`keywarden check: ${e.message}\n`);
      return EXIT_USAGE;
    }
  }
  // The report may be a file or machine-readable: say the outcome in the log as well.
  if (!toTerminal) {
    const where = options.output === undefined ? '' : ` (${format} report written to ${options.output})`;
    io.stderr.write(`keywarden check: ${summaryLine(summarize(input))}${where}\n`);
  }

  if (loadErrors.some((f) => f.severity === 'error')) return EXIT_USAGE;
  if (input.findings.some((f) => atOrAbove(f.severity, failOn))) return EXIT_FINDINGS;
  return EXIT_OK;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('Check key specs against the schema and the policy pack, and report the findings.')
    .argument('[paths...]', 'spec files or directories (recursive *.yaml/*.yml); `-` reads standard input; default: the project\'s specs')
    .addOption(new Option('-f, --format <format>', `report format: ${FORMATS.join(', ')}`).default('text'))
    .option('-o, --output <file>', 'write the report to this file (atomically) instead of standard output')
    .addOption(new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity: error, warning').default('error'))
    .option('--policies <dir>', 'policy pack directory to use instead of the default pack')
    .option('--project <file>', 'project file (default: keywarden.yaml in the working directory, when there is one)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or load errors.\n' +
        'Reports go to standard output or --output, logs to standard error. See docs/cli.md and docs/ci.md.',
    )
    .action(async (paths: string[], options: CheckOptions, command: Command) => {
      process.exitCode = await runCheck(paths, options, {
        stdout: process.stdout,
        stderr: process.stderr,
        cwd: process.cwd(),
        env: process.env,
        toolVersion: command.parent?.version() ?? '0.0.0',
      });
    });
}
