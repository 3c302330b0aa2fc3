import type { Location, Project, ResolvedKey, SpecDocument } from '../spec/model.js';
import type { Finding, RuleDescriptor, Severity } from './finding.js';

/** What the policy engine checks: the part of the loader's LoadResult it reads. */
export interface PolicyInput {
  readonly project: Project;
  readonly documents: readonly SpecDocument[];
  readonly keys: readonly ResolvedKey[];
}

/** What a built-in rule sees when it runs. */
export interface RuleContext<P> {
  readonly project: Project;
  readonly documents: readonly SpecDocument[];
  readonly keys: readonly ResolvedKey[];
  /** The rule's parameters: its defaults with the pack's and the project's overrides merged over them. */
  readonly params: P;
  /**
   * Builds a finding of this rule, at the severity in force, at a location taken from the YAML
   * node. `subject` is the key (or, for findings about a document as a whole, the document)
   * the finding is about: exceptions are matched against it.
   */
  finding(location: Location, message: string, subject?: ResolvedKey | SpecDocument): Finding;
}

/** A JSON Schema (2020-12) fragment describing one parameter. */
export type ParamSchema = Readonly<Record<string, unknown>>;

/**
 * A built-in rule. Its id is permanent and never reused. `check` returns every finding it
 * makes and never throws on bad input.
 */
export interface BuiltinRule<P extends object = object> extends RuleDescriptor {
  /** Default parameters; a pack or the project file may override each of them. */
  readonly params: P;
  /** Schema of each parameter, used to validate overrides. */
  readonly paramsSchema: Readonly<Record<keyof P & string, ParamSchema>>;
  check(ctx: RuleContext<P>): Finding[];
}

/** The descriptor part of a rule, as reporters need it. */
export function describeRule(rule: RuleDescriptor, severity: Severity): RuleDescriptor {
  return {
    id: rule.id,
    title: rule.title,
    severity,
    help: rule.help,
    rationale: rule.rationale,
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
  };
}
