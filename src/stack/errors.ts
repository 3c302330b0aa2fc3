// The stack's error catalog: why synthesis was refused. Codes are permanent and never reused;
// each message says what was wrong and what to do. The CLI prints them and exits 2 (or 1 for
// policy findings).
import type { Finding } from '../policy/finding.js';

export interface StackErrorDescriptor {
  readonly code: string;
  readonly title: string;
  /** What to do about it. */
  readonly help: string;
}

function entry(code: string, title: string, help: string): StackErrorDescriptor {
  return { code, title, help };
}

export const STACK_ERRORS = {
  policyBlocked: entry('KWT001', 'Specs do not pass the policy check', 'Fix the findings listed (run `keywarden check` for the full report); nothing was synthesized.'),
  unknownEnvironment: entry('KWT002', 'Unknown environment', 'Name environments the project file defines (`environments` in keywarden.yaml).'),
  duplicateSecret: entry('KWT003', 'Secret declared twice', 'Give each Secrets Manager delivery its own secret name (per region), or deliver both keys into one by hand outside the stack.'),
  duplicateKey: entry('KWT004', 'Key declared twice', 'Key names must be unique within a stack; give the environment a `name`, or change the naming template.'),
  invalidStack: entry('KWT005', 'Stack fails cdktf validation', 'This is a bug in the stack module or the provider bindings; report it with the message.'),
} as const satisfies Record<string, StackErrorDescriptor>;

export type StackErrorKind = keyof typeof STACK_ERRORS;

/** A problem with the project or specs that stops synthesis. */
export class StackError extends Error {
  readonly code: string;
  readonly help: string;

  constructor(kind: StackErrorKind, detail: string) {
    const d = STACK_ERRORS[kind];
    super(`${d.code} ${d.title}: ${detail}. ${d.help}`);
    this.name = 'StackError';
    this.code = d.code;
    this.help = d.help;
  }
}

/**
 * Synthesis refused because loading or the policy check found errors. `findings` holds every
 * load error, policy-pack error and error-severity finding (warnings do not block).
 */
export class PolicyBlockedError extends StackError {
  readonly findings: readonly Finding[];

  constructor(findings: readonly Finding[]) {
    const shown = findings.slice(0, 5).map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    const more = findings.length > shown.length ? `; and ${findings.length - shown.length} more` : '';
    super('policyBlocked', `${findings.length} error${findings.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`);
    this.name = 'PolicyBlockedError';
    this.findings = findings;
  }
}
