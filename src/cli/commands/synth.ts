// `keywarden synth`: the project's keys as Terraform JSON, one cdktf stack per environment (or
// one for all) under cdktf.out/stacks/<name>/cdk.tf.json. Quiet and machine-readable: one line
// per stack written (`name<TAB>directory<TAB>keys`), or `--format json` (the SynthResult).
// Exit 0 written, 1 the policy check found errors (nothing written), 2 usage or load errors.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from '../main.js';

/** Raw flag values as commander hands them over. */
export interface SynthFlags {
  project: string;
  outdir?: string;
  split?: 'environment' | 'single';
  environment?: string[];
  stateDir?: string;
  format: 'text' | 'json';
}

export interface SynthIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

/** Runs `keywarden synth` and resolves to the exit code. */
export async function runSynth(flags: SynthFlags, io: SynthIo): Promise<number> {
  // Loaded here, not at the top: cdktf costs half a second that other commands need not pay.
  const { synthesize, PolicyBlockedError, StackError } = await import('../../stack/index.js');
  const fromCwd = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.resolve(io.cwd, p));
  try {
    const result = await synthesize({
      project: path.resolve(io.cwd, flags.project),
      ...(flags.outdir !== undefined ? { outdir: fromCwd(flags.outdir) } : {}),
      ...(flags.stateDir !== undefined ? { stateDir: fromCwd(flags.stateDir) } : {}),
      ...(flags.split !== undefined ? { split: flags.split } : {}),
      ...(flags.environment !== undefined && flags.environment.length > 0 ? { environments: flags.environment } : {}),
    });
    if (flags.format === 'json') {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      for (const stack of result.stacks) io.stdout.write(`${stack.name}\t${path.relative(io.cwd, stack.directory) || '.'}\t${stack.keys.length}\n`);
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof PolicyBlockedError) {
      // Finding files are relative to the project file's directory; show them relative to ours.
      const projectDir = path.dirname(path.resolve(io.cwd, flags.project));
      const shown = (file: string): string => (file.startsWith('<') ? file : path.relative(io.cwd, path.resolve(projectDir, file)));
      for (const f of err.findings) io.stderr.write(`${shown(f.file)}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}\n`);
      const loadFailed = err.findings.some((f) => !/^KW[0-9]/.test(f.ruleId)); // KWS… load, KWP… policy pack
      io.stderr.write(`keywarden synth: nothing synthesized: ${err.findings.length} error${err.findings.length === 1 ? '' : 's'}${loadFailed ? ' loading the project' : ' in the policy check'} (see keywarden check)\n`);
      return loadFailed ? EXIT_USAGE : EXIT_FINDINGS;
    }
    if (err instanceof StackError) {
      io.stderr.write(`keywarden synth: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('synth')
    .description('Synthesize the project\'s keys into Terraform JSON (cdktf stacks), one stack per environment or one for all.')
    .option('--project <file>', 'project file', 'keywarden.yaml')
    .option('-o, --outdir <dir>', 'output directory (default: cdktf.out next to the project file)')
    .addOption(new Option('--split <layout>', 'one stack per environment, or one for all (default: the project file\'s stack.split, else environment)').choices(['environment', 'single']))
    .option('-e, --environment <name...>', 'only these environments')
    .option('--state-dir <dir>', 'local backend state directory (default: .keywarden/state next to the project file)')
    .addOption(new Option('-f, --format <format>', 'output: one line per stack (name, directory, keys) or the JSON result').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 written, 1 policy errors (nothing written), 2 usage or load errors. See docs/stack.md.')
    .action(async (flags: SynthFlags) => {
      process.exitCode = await runSynth(flags, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
    });
}
