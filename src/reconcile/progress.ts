// Progress of an apply or destroy, per key, on standard error. On a terminal: finished keys as
// lines plus one status line rewritten in place ("development: 2/5 · creating …"); elsewhere:
// plain lines only, one per finished key. Every text passes through `redact` first.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const PAST: Record<string, string> = { create: 'created', update: 'updated', delete: 'revoked', replace: 'replaced', read: 'read' };
const PRESENT: Record<string, string> = { create: 'creating', update: 'updating', delete: 'revoking', replace: 'replacing', read: 'reading' };

export class Progress {
  private readonly tty: boolean;
  private stack = '';
  private total = 0;
  private done = 0;
  private readonly running = new Map<string, string>();
  private statusShown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** A stack's apply begins, with `total` resources to change. */
  begin(stack: string, total: number): void {
    this.stack = stack;
    this.total = total;
    this.done = 0;
    this.running.clear();
    this.status();
  }

  started(name: string, action: string): void {
    this.running.set(name, action);
    this.status();
  }

  finished(name: string, action: string, seconds: number, ok: boolean, note = ''): void {
    this.running.delete(name);
    this.done += 1;
    const what = ok ? (PAST[action] ?? action) : `failed to ${action}`;
    this.line(`  ${ok ? '✓' : '✗'} ${name} ${what}${note ? ` ${note}` : ''} (${seconds.toFixed(1)}s)`);
    this.status();
  }

  /** A line of its own (kept above the status line on a terminal). */
  line(text: string): void {
    this.clearStatus();
    this.stream.write(`${this.redact(text)}\n`);
    this.status();
  }

  /** Ends the stack: removes the status line. */
  end(): void {
    this.clearStatus();
  }

  private status(): void {
    if (!this.tty || this.total === 0) return;
    const [name, action] = [...this.running.entries()][0] ?? [];
    const current = name === undefined ? '' : ` · ${PRESENT[action ?? ''] ?? action} ${name}${this.running.size > 1 ? ` (+${this.running.size - 1})` : ''}`;
    const width = (this.stream as { columns?: number }).columns ?? 0;
    const columns = width >= 20 ? width : 100;
    this.stream.write(`\r\x1b[K${this.redact(`${this.stack}: ${this.done}/${this.total}${current}`).slice(0, columns - 1)}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    this.stream.write('\r\x1b[K');
    this.statusShown = false;
  }
}
