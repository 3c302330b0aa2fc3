// Terraform's machine-readable UI (`terraform apply -json`, `terraform plan -json`: one JSON
// object a line) read as progress events per resource, plus the diagnostics. Lines that are not
// such objects are ignored.

export type ApplyEvent =
  | { readonly type: 'start'; readonly address: string; readonly action: string }
  | { readonly type: 'complete'; readonly address: string; readonly action: string; readonly seconds: number }
  | { readonly type: 'errored'; readonly address: string; readonly action: string; readonly seconds: number }
  | { readonly type: 'diagnostic'; readonly severity: 'error' | 'warning'; readonly summary: string; readonly detail: string; readonly address?: string };

interface Hook {
  resource?: { addr?: string };
  action?: string;
  elapsed_seconds?: number;
}

/** The event one line carries, if any. */
export function parseApplyLine(line: string): ApplyEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  let message: { type?: string; hook?: Hook; diagnostic?: { severity?: string; summary?: string; detail?: string; address?: string } };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return undefined;
  }
  const address = message.hook?.resource?.addr ?? '';
  const action = message.hook?.action ?? '';
  const seconds = message.hook?.elapsed_seconds ?? 0;
  switch (message.type) {
    case 'apply_start':
      return { type: 'start', address, action };
    case 'apply_complete':
      return { type: 'complete', address, action, seconds };
    case 'apply_errored':
      return { type: 'errored', address, action, seconds };
    case 'diagnostic': {
      const d = message.diagnostic ?? {};
      return {
        type: 'diagnostic',
        severity: d.severity === 'warning' ? 'warning' : 'error',
        summary: d.summary ?? '',
        detail: d.detail ?? '',
        ...(d.address !== undefined ? { address: d.address } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** A diagnostic as one line of text: `RESOURCE: summary: detail`, the resource named by `nameOf` (its address by default). */
export function diagnosticText(event: Extract<ApplyEvent, { type: 'diagnostic' }>, nameOf: (address: string) => string = (address) => address): string {
  return `${event.address ? `${nameOf(event.address)}: ` : ''}${event.summary}${event.detail ? `: ${event.detail}` : ''}`;
}
