// The one clock a scenario shares between the key service, the fake API server, the fake
// Secrets Manager and the operator: it stands still until the test moves it, so an overlap of
// hours takes no wall time and no assertion depends on how fast the machine is.
export class TestClock {
  private current: number;

  constructor(start: Date | string = '2026-06-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  /** Epoch milliseconds (for the key service's and the fake Secrets Manager's `clock`/`now`). */
  readonly ms = (): number => this.current;

  /** The time as a Date (for the operator's and the fake API server's `now`/`clock`). */
  readonly now = (): Date => new Date(this.current);

  /** Moves the clock forward by `ms` milliseconds (never backwards). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`TestClock.advance: ${ms} is not a non-negative number of milliseconds`);
    this.current += ms;
  }

  /** Moves the clock to `date` when it lies ahead; a date in the past changes nothing. */
  advanceTo(date: Date | string): void {
    this.current = Math.max(this.current, new Date(date).getTime());
  }
}
