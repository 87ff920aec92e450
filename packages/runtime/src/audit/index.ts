// Audit logging: the policy, the events, where they are written.
export type { AuditEvent, AuditObjectReference, AuditorOptions, AuditRequestInput } from "./auditor.js";
export { Auditor, microTime, RequestAudit, sourceIPs } from "./auditor.js";
export type { AuditBackend, AuditLogFileOptions } from "./log-backend.js";
export { AuditLogFile, AuditStream } from "./log-backend.js";
export type {
  AuditAttributes,
  AuditLevel,
  AuditPolicy,
  AuditPolicyRule,
  AuditStage,
  GroupResources,
  RequestAuditConfig,
} from "./policy.js";
export {
  AUDIT_LEVELS,
  AUDIT_STAGES,
  AuditPolicyError,
  AuditPolicyEvaluator,
  loadAuditPolicy,
  validateAuditPolicy,
} from "./policy.js";
