// The policy engine: runs the policy in force over loaded specs and returns findings sorted by
// position, with exceptions applied and duplicates (one inherited field seen by several
// environments) reported once.
import type { CelMap } from '@bufbuild/cel';
import type { ResolvedKey, SpecDocument } from '../spec/model.js';
import { celKey } from './cel-key.js';
import { policyError } from './errors.js';
import { covers, EXCEPTION_RULES, exceptionFindings, inlineExceptions, type PolicyException } from './exceptions.js';
import { findingAt, type Finding, type RuleDescriptor } from './finding.js';
import { settingsLayers } from './pack.js';
import { buildPolicySet } from './policy-set.js';
import type { PolicyInput } from './rule.js';

/** Options of `checkPolicy`. */
export interface PolicyOptions {
  /** Directory of the base policy pack. @default the package's `policies/` folder (the default pack) */
  readonly policiesDir?: string;
  /** The current time, for exception expiry. @default new Date() */
  readonly now?: Date;
}

export interface PolicyResult {
  /** Rule findings, sorted by file, line, column, rule id. */
  readonly findings: Finding[];
  /** Every rule in force, built-in and custom, with its severity in force. */
  readonly rules: RuleDescriptor[];
  /** Policy load errors (codes KWP..., and KWS... for YAML errors in pack files), sorted like findings. */
  readonly errors: Finding[];
}

type Subject = ResolvedKey | SpecDocument;

function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Checks the loaded specs (`load`, e.g. a LoadResult) against the policy in force. Never throws on bad input. */
export function checkPolicy(load: PolicyInput & { readonly sources?: ReadonlyMap<string, string> }, options: PolicyOptions = {}): PolicyResult {
  const now = (options.now ?? new Date()).getTime();
  const errors: Finding[] = [];
  const layers = settingsLayers(load.project, load.sources, options.policiesDir, errors);
  const policy = buildPolicySet(layers, errors);

  const exceptions: PolicyException[] = [];
  for (const e of [...policy.exceptions, ...inlineExceptions(load.documents, load.sources, errors)]) {
    if (policy.knownRuleIds.has(e.rule)) exceptions.push(e);
    else errors.push(policyError('invalidException', e.location, `the exception names rule ${e.rule}, which does not exist: name a built-in rule (KW001-KW011) or a custom rule`));
  }
  const activeByRule = new Map<string, PolicyException[]>();
  for (const e of exceptions) {
    if (e.expiresAt <= now) continue;
    const list = activeByRule.get(e.rule) ?? [];
    list.push(e);
    activeByRule.set(e.rule, list);
  }

  const findings: Finding[] = [];
  const seen = new Set<string>();
  const accept = (finding: Finding, subject: Subject | undefined): void => {
    const candidates = activeByRule.get(finding.ruleId);
    if (candidates) {
      let excepted = false;
      for (const e of candidates) {
        if (covers(e, subject)) {
          e.used = true;
          excepted = true;
        }
      }
      if (excepted) return;
    }
    const id = `${finding.ruleId}\u0000${finding.file}\u0000${finding.line}\u0000${finding.column}\u0000${finding.message}`;
    if (seen.has(id)) return;
    seen.add(id);
    findings.push(finding);
  };

  for (const { rule, severity, params } of policy.builtins) {
    const subjects = new Map<Finding, Subject>();
    try {
      const produced = rule.check({
        project: load.project,
        documents: load.documents,
        keys: load.keys,
        params,
        finding(location, message, subject) {
          const key = subject && 'environment' in subject ? subject.name : undefined;
          const f = findingAt(location, rule.id, severity, message, key);
          if (subject) subjects.set(f, subject);
          return f;
        },
      });
      for (const f of produced) accept(f, subjects.get(f));
    } catch (err) {
      errors.push(policyError('ruleFailed', { file: load.project.file ?? '<policy>', line: 1, column: 1, path: '' }, `rule ${rule.id} failed: ${(err as Error).message}`));
    }
  }

  if (policy.celRules.length > 0) {
    for (const key of load.keys) {
      let bindings: { key: CelMap } | undefined;
      for (const { rule, severity } of policy.celRules) {
        if (!rule.appliesTo(key)) continue;
        bindings ??= { key: celKey(key) };
        const message = rule.evaluate(bindings, key);
        if (message === undefined) continue;
        accept(findingAt(key.locate(rule.definition.field ?? 'environment'), rule.id, severity, message, key.name), key);
      }
    }
  }

  findings.push(...exceptionFindings(exceptions, now));
  findings.sort(compareFindings);
  errors.sort(compareFindings);
  return { findings, rules: [...policy.descriptors, ...EXCEPTION_RULES], errors };
}
