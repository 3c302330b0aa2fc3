// Diagnostics: the errors and warnings a provider reports to Terraform, each optionally
// pointing at the attribute it is about, so Terraform shows the offending configuration line.
import { SEVERITY } from './protocol.js';

/** One step into a value: an attribute name, a list/tuple index, or a map key (`{ key }`). */
export type PathStep = string | number | { readonly key: string };
/** Where a diagnostic points, from the resource's top level: `['limits', { key: 'rps' }]`. */
export type AttributePath = readonly PathStep[];

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** One line saying what is wrong. */
  readonly summary: string;
  /** What to do about it. */
  readonly detail?: string;
  readonly path?: AttributePath;
}

/** Collects diagnostics during one call; handlers add to it and never throw for bad input. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(summary: string, detail?: string, path?: AttributePath): void {
    this.items.push({ severity: 'error', summary, ...(detail === undefined ? {} : { detail }), ...(path === undefined ? {} : { path }) });
  }

  warning(summary: string, detail?: string, path?: AttributePath): void {
    this.items.push({ severity: 'warning', summary, ...(detail === undefined ? {} : { detail }), ...(path === undefined ? {} : { path }) });
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** tfplugin6.AttributePath as a message object. */
export function toProtoPath(path: AttributePath): { steps: Record<string, string | number>[] } {
  return {
    steps: path.map((step): Record<string, string | number> =>
      typeof step === 'string' ? { attribute_name: step } : typeof step === 'number' ? { element_key_int: step } : { element_key_string: step.key },
    ),
  };
}

/** tfplugin6.Diagnostic as a message object. */
export function toProtoDiagnostic(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity === 'error' ? SEVERITY.ERROR : SEVERITY.WARNING,
    summary: d.summary,
    detail: d.detail ?? '',
    ...(d.path && d.path.length > 0 ? { attribute: toProtoPath(d.path) } : {}),
  };
}
