// Thrown by the operator's guard before a write when it may no longer act: it lost (or never
// had) the leader Lease, or it was abandoned. A reconcile that meets it just ends; it is not a
// failure (no retry, no error metric): the leader, or the next incarnation, carries on.
export class OperatorHalted extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'OperatorHalted';
  }
}
