// Custom rules written in CEL: compiled once (parse, static check of names, plan), then
// evaluated per matching key. The expression is true when the key complies.
import { celEnv, CelScalar, isCelError, mapType, parse, plan, type CelMap, type CelResult } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { EnvironmentMode, ResolvedField, ResolvedKey } from '../spec/model.js';
import { CEL_FUNCTIONS } from './cel-functions.js';

/** A custom rule as written in a pack or the project file (after schema validation). */
export interface CustomRuleDefinition {
  readonly id: string;
  readonly title?: string;
  readonly severity?: 'error' | 'warning' | 'note';
  readonly help?: string;
  readonly rationale?: string;
  readonly match?: {
    readonly kinds?: readonly string[];
    readonly modes?: readonly EnvironmentMode[];
    readonly environments?: readonly string[];
    readonly services?: readonly string[];
    readonly integrations?: readonly string[];
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly expression: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly field?: ResolvedField;
}

/** Variables a custom rule may read. */
export const CEL_VARIABLES = ['key'] as const;

const env = celEnv({ variables: { key: mapType(CelScalar.STRING, CelScalar.DYN) }, funcs: [...CEL_FUNCTIONS] });
const FUNCTION_NAMES: ReadonlySet<string> = new Set([...env.funcs].map((f) => f.name));
/** Names the language itself defines: type denotations usable in `type(x) == int`. */
const BUILTIN_IDENTIFIERS: ReadonlySet<string> = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

type Program = (bindings: { key: CelMap }) => CelResult;

/** A compile problem, positioned by its offset in the expression text. */
export interface CelProblem {
  readonly offset: number;
  readonly message: string;
}

const programs = new Map<string, Program | CelProblem>();

function offsetOf(positions: { readonly [id: string]: number }, expr: Expr): number {
  return positions[String(expr.id)] ?? 0;
}

/** Names an expression uses that nothing defines: unknown variables and functions. */
function staticProblems(root: Expr, positions: { readonly [id: string]: number }): CelProblem[] {
  const problems: CelProblem[] = [];
  const walk = (expr: Expr | undefined, scope: ReadonlySet<string>): void => {
    if (!expr) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr':
        if (!scope.has(kind.value.name) && !BUILTIN_IDENTIFIERS.has(kind.value.name)) {
          problems.push({ offset: offsetOf(positions, expr), message: `unknown variable "${kind.value.name}"; custom rules read the variable "key"` });
        }
        return;
      case 'selectExpr':
        walk(kind.value.operand, scope);
        return;
      case 'callExpr': {
        const name = kind.value.function;
        if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !FUNCTION_NAMES.has(name)) {
          problems.push({ offset: offsetOf(positions, expr), message: `unknown function "${name}"` });
        }
        walk(kind.value.target, scope);
        for (const arg of kind.value.args) walk(arg, scope);
        return;
      }
      case 'listExpr':
        for (const e of kind.value.elements) walk(e, scope);
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, scope);
          walk(entry.value, scope);
        }
        return;
      case 'comprehensionExpr': {
        const c = kind.value;
        walk(c.iterRange, scope);
        walk(c.accuInit, scope);
        const inner = new Set(scope);
        inner.add(c.iterVar);
        if (c.iterVar2) inner.add(c.iterVar2);
        inner.add(c.accuVar);
        walk(c.loopCondition, inner);
        walk(c.loopStep, inner);
        walk(c.result, inner);
        return;
      }
      default:
        return;
    }
  };
  walk(root, new Set(CEL_VARIABLES));
  return problems;
}

/** Compiles a CEL expression once per process; a problem when it does not compile. */
export function compileCel(expression: string): Program | CelProblem {
  const cached = programs.get(expression);
  if (cached) return cached;
  let result: Program | CelProblem;
  try {
    const parsed = parse(expression);
    const positions = (parsed.sourceInfo?.positions ?? {}) as { readonly [id: string]: number };
    const problems = staticProblems(parsed.expr, positions);
    result = problems[0] ?? (plan(env, parsed) as Program);
  } catch (err) {
    const e = err as Error & { location?: { start?: { offset?: number } } };
    const message = (e.message ?? String(err)).replace(/^<input>:\d+:\d+: /, '');
    result = { offset: e.location?.start?.offset ?? 0, message };
  }
  programs.set(expression, result);
  return result;
}

export function isCelProblem(value: Program | CelProblem): value is CelProblem {
  return typeof value !== 'function';
}

/** A compiled custom rule. */
export class CelRule {
  private readonly labels: readonly [string, string][];

  constructor(
    readonly definition: CustomRuleDefinition,
    private readonly program: Program,
    private readonly messageProgram: Program | undefined,
  ) {
    this.labels = Object.entries(definition.match?.labels ?? {});
  }

  get id(): string {
    return this.definition.id;
  }

  /** Whether the rule's `match` selects this key. */
  appliesTo(key: ResolvedKey): boolean {
    const m = this.definition.match;
    if (!m) return true;
    if (m.kinds && !m.kinds.includes('ApiKey')) return false;
    if (m.modes && !m.modes.includes(key.mode)) return false;
    if (m.environments && !m.environments.includes(key.environment)) return false;
    if (m.services && !m.services.includes(key.service)) return false;
    if (m.integrations && !m.integrations.includes(key.integration)) return false;
    for (const [name, value] of this.labels) if (key.labels[name] !== value) return false;
    return true;
  }

  /** Undefined when the key complies, else the finding's message. */
  evaluate(bindings: { key: CelMap }, key: ResolvedKey): string | undefined {
    const result = this.program(bindings);
    if (result === true) return undefined;
    if (isCelError(result)) {
      return `custom rule ${this.id} could not be evaluated for key ${key.name}: ${result.message}; guard optional fields with has() in the expression`;
    }
    if (result !== false) return `custom rule ${this.id} returned ${String(result)} for key ${key.name}, not true or false: fix the expression`;
    if (this.messageProgram) {
      const message = this.messageProgram(bindings);
      if (typeof message === 'string' && message !== '') return message;
    }
    return this.definition.message ?? `key ${key.name} does not satisfy custom rule ${this.id}`;
  }
}
