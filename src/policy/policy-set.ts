// Composing the layers of policy settings into the policy in force: which built-in rules run
// with which severity and parameters, the compiled custom CEL rules, and the exceptions.
import { didYouMean } from '../spec/index.js';
import type { PathSegment } from '../spec/model.js';
import { CelRule, compileCel, isCelProblem, type CustomRuleDefinition } from './cel-rule.js';
import { policyError } from './errors.js';
import { makeExceptions, type ExceptionDefinition, type PolicyException } from './exceptions.js';
import type { Finding, RuleDescriptor, Severity } from './finding.js';
import { paramsValidator } from './pack-schema.js';
import { describeRule, type BuiltinRule } from './rule.js';
import { BUILTIN_RULES } from './rules/index.js';
import { settingsFindings } from './settings-errors.js';
import type { SettingsSource } from './settings-source.js';

interface RuleSetting {
  readonly enabled?: boolean;
  readonly severity?: Severity;
  readonly params?: Record<string, unknown>;
}

interface LayerSettings {
  readonly rules?: Readonly<Record<string, RuleSetting>>;
  /** Entries that failed validation are null (see withoutInvalidEntries). */
  readonly customRules?: readonly (CustomRuleDefinition | null)[];
  readonly exceptions?: readonly (ExceptionDefinition | null)[];
}

export interface ActiveBuiltin {
  readonly rule: BuiltinRule<object>;
  readonly severity: Severity;
  readonly params: object;
}

export interface ActiveCelRule {
  readonly rule: CelRule;
  readonly severity: Severity;
}

export interface PolicySet {
  readonly builtins: readonly ActiveBuiltin[];
  readonly celRules: readonly ActiveCelRule[];
  readonly exceptions: PolicyException[];
  /** Every rule in force (built-in and custom), with the severity in force. */
  readonly descriptors: RuleDescriptor[];
  /** Ids of every rule defined, enabled or not (exceptions may name any of them). */
  readonly knownRuleIds: ReadonlySet<string>;
}

const BUILTIN_BY_ID: ReadonlyMap<string, BuiltinRule<object>> = new Map(BUILTIN_RULES.map((r) => [r.id, r]));

/** Builds the policy in force from `layers` (first to last); problems are appended to `errors`. */
export function buildPolicySet(layers: readonly SettingsSource[], errors: Finding[]): PolicySet {
  const settings = new Map<string, { enabled: boolean; severity?: Severity; params: Record<string, unknown> }>();
  const settingSites: { id: string; layer: SettingsSource }[] = [];
  const paramsOnCustom: { id: string; layer: SettingsSource }[] = [];
  const custom = new Map<string, ActiveCelRule & { definition: CustomRuleDefinition }>();
  const exceptions: PolicyException[] = [];

  for (const layer of layers) {
    const data = layer.data as LayerSettings;
    (data.customRules ?? []).forEach((definition, i) => {
      if (definition === null) return;
      const at = (path: readonly PathSegment[]) => layer.locate(['customRules', i, ...path]);
      if (custom.has(definition.id)) {
        errors.push(policyError('duplicateRule', at(['id']), `custom rule ${definition.id} is defined twice: give each rule its own id`));
        return;
      }
      const program = compileCel(definition.expression);
      if (isCelProblem(program)) {
        errors.push(policyError('celCompile', layer.locateInString(['customRules', i, 'expression'], program.offset), `the expression of custom rule ${definition.id} does not compile: ${program.message}`));
        return;
      }
      let messageProgram;
      if (definition.messageExpression !== undefined) {
        messageProgram = compileCel(definition.messageExpression);
        if (isCelProblem(messageProgram)) {
          errors.push(policyError('celCompile', layer.locateInString(['customRules', i, 'messageExpression'], messageProgram.offset), `the messageExpression of custom rule ${definition.id} does not compile: ${messageProgram.message}`));
          return;
        }
      }
      custom.set(definition.id, { definition, rule: new CelRule(definition, program, messageProgram), severity: definition.severity ?? 'error' });
    });
    for (const [id, setting] of Object.entries(data.rules ?? {})) {
      settingSites.push({ id, layer });
      const current = settings.get(id) ?? { enabled: true, params: {} };
      if (setting.enabled !== undefined) current.enabled = setting.enabled;
      if (setting.severity !== undefined) current.severity = setting.severity;
      if (setting.params !== undefined) {
        const builtin = BUILTIN_BY_ID.get(id);
        if (!builtin) {
          paramsOnCustom.push({ id, layer });
        } else {
          const validate = paramsValidator(id, builtin.paramsSchema);
          if (validate(setting.params)) Object.assign(current.params, setting.params);
          else errors.push(...settingsFindings(validate.errors ?? [], setting.params, (p, anchor) => layer.locate(['rules', id, 'params', ...p], anchor), [...layer.prefix, 'rules', id, 'params']));
        }
      }
      settings.set(id, current);
    }
    exceptions.push(...makeExceptions(data.exceptions ?? [], (p) => layer.locate(['exceptions', ...p]), errors));
  }

  const knownRuleIds = new Set([...BUILTIN_BY_ID.keys(), ...custom.keys()]);
  for (const { id, layer } of settingSites) {
    if (knownRuleIds.has(id)) continue;
    const guess = didYouMean(id, knownRuleIds);
    errors.push(policyError('unknownRule', layer.locate(['rules', id], 'key'), `there is no rule ${id}${guess ? ` (did you mean ${guess}?)` : ''}: use a built-in id (KW001-KW011) or define a custom rule with that id`));
  }

  for (const { id, layer } of paramsOnCustom) {
    if (custom.has(id)) errors.push(policyError('invalidSettings', layer.locate(['rules', id, 'params'], 'key'), `custom rule ${id} takes no params: remove them`));
  }

  const builtins: ActiveBuiltin[] = [];
  const celRules: ActiveCelRule[] = [];
  const descriptors: RuleDescriptor[] = [];
  for (const rule of BUILTIN_RULES) {
    const s = settings.get(rule.id);
    if (s && !s.enabled) continue;
    const severity = s?.severity ?? rule.severity;
    builtins.push({ rule, severity, params: { ...rule.params, ...s?.params } });
    descriptors.push(describeRule(rule, severity));
  }
  for (const [id, c] of custom) {
    const s = settings.get(id);
    if (s && !s.enabled) continue;
    const severity = s?.severity ?? c.severity;
    celRules.push({ rule: c.rule, severity });
    const d = c.definition;
    descriptors.push({
      id,
      title: d.title ?? id,
      severity,
      help: d.help ?? d.message ?? `Make the key satisfy: ${d.expression}`,
      rationale: d.rationale ?? 'A rule of this project\'s policy pack.',
    });
  }
  return { builtins, celRules, exceptions, descriptors, knownRuleIds };
}
