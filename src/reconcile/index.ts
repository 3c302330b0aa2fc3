// Public face of the reconcile module: terraform plan/apply/destroy of synthesized stacks with
// one provider served in this process, plan summaries per key and their reports, and progress.
export { ReconcileSession, planArguments } from './session.js';
export type { ApplyOutcome, PlannedStack, SessionOptions, StackTarget } from './session.js';
export type { KeyServiceCredentials } from './provider-host.js';
export { summarizePlan, countChanges, KEY_RESOURCE_TYPE } from './plan-summary.js';
export type { ChangeAction, PlanSummary, ResourceChange, SetChange } from './plan-summary.js';
export { renderPlan, appliedLine, hasChanges, isPlanFormat, changeDetails, PLAN_FORMATS } from './plan-report.js';
export type { PlanFormat, PlanReport, SkippedStack, StackPlan } from './plan-report.js';
export { Progress } from './progress.js';
export type { ProgressStream } from './progress.js';
export { ReconcileError, RECONCILE_ERRORS } from './errors.js';
export type { ReconcileErrorKind } from './errors.js';
export { runReconcile } from './run-stacks.js';
export type { ReconcileCommand, ReconcileIo, ReconcileOptions } from './run-stacks.js';
export { runUp, firstFileDelivery } from './up.js';
export type { UpIo, UpOptions, UpResult } from './up.js';
export { startEmbeddedService, ensurePepper } from './embedded-service.js';
export type { EmbeddedService, EmbeddedServiceOptions } from './embedded-service.js';
export { offlineBlockers, partitionOffline } from './reachability.js';
export { resolveApiKey, resolveEndpoint, CREDENTIAL_ENV } from './credentials.js';
export type { CredentialFlags } from './credentials.js';
