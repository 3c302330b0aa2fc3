// The public face of the operator module: createOperator (informers, work queue, leader
// election, the ApiKey reconciler), the CRDs, the status schema, the pure rotation state machine
// and its executor, the admission decision and webhook server, the probe/metrics HTTP server.
export { apiKeyCrd, policyCrd, crdFiles, apiKeyOpenApiSchema, policyOpenApiSchema, GROUP, VERSION, ROTATE_NOW_ANNOTATION } from './crds.js';
export type { CustomResourceDefinition } from './crds.js';
export { apiKeyStatusSchema, conditionSchema, environmentStatusSchema, rotationStateSchema, ROTATION_PHASES, CONDITION_TYPES } from './status-schema.js';
export type { ApiKeyStatus, Condition, EnvironmentStatus } from './status-schema.js';
export { toStructural, structuralProblems } from './structural-schema.js';
export { reviewApiKey, admissionResponse, documentOf } from './admission.js';
export { setCondition, policyCondition, rotationCondition, readyCondition, apiKeyStatus } from './conditions.js';
export type { ConditionUpdate, ConditionStatus, EnvironmentSummary } from './conditions.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export { WorkQueue, type WorkQueueOptions } from './work-queue.js';
export { OperatorMetrics } from './operator-metrics.js';
export type { AdmissionDecision, AdmissionMode, AdmissionOptions } from './admission.js';
export * from './rotation/index.js';
export { createOperator, type Operator, type OperatorOptions } from './operator.js';
export type { StepEvent } from './controller/rotation-runner.js';
export { checkApiKey, type ApiKeyCheck, type ApiKeyCheckOptions } from './api-key-check.js';
export {
  MANAGEMENT_ANNOTATION,
  DELETION_POLICY_ANNOTATION,
  FINALIZER,
  OWNER_METADATA,
  type KeyManagement,
  type DeletionPolicy,
} from './controller/api-key-resource.js';
export { EventRecorder } from './controller/event-recorder.js';
export { RESTART_ANNOTATION, TEMPLATE_ANNOTATION } from './controller/workload-restarter.js';
export * from './webhook/index.js';
export { createOperatorHttpServer, type OperatorHttpServer, type OperatorHttpServerOptions, type ProbeChecks } from './http-server.js';
