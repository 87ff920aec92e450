/**
 * The audit policy (audit.k8s.io/v1 Policy, k8s.io/apiserver pkg/audit/policy/checker.go):
 * the first rule matching a request decides its level; no rule matching means None.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { UserInfo } from "../api/meta.js";

export const AUDIT_LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];
export const AUDIT_STAGES = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

export interface GroupResources {
  /** "" is the core group. */
  group?: string;
  /** `plural`, `plural/sub`, `*`, `*\/sub` or `plural/*`; none: every resource of the group. */
  resources?: string[];
  resourceNames?: string[];
}

export interface AuditPolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** "" matches cluster-scoped resources. */
  namespaces?: string[];
  /** Paths, or prefixes ending in `*`. */
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  apiVersion: "audit.k8s.io/v1";
  kind: "Policy";
  rules: AuditPolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What the policy says about one request. */
export interface RequestAuditConfig {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

/** The request as the policy sees it (the authorization attributes). */
export interface AuditAttributes {
  user?: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  namespace: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
}

export class AuditPolicyError extends Error {
  override readonly name = "AuditPolicyError";
  readonly reason = "InvalidAuditPolicy";
}

/** Checks a parsed Policy document as kube-apiserver does when it loads one. */
export function validateAuditPolicy(document: unknown, source = "the audit policy"): AuditPolicy {
  const doc = document as Partial<AuditPolicy> | null;
  if (!doc || doc.kind !== "Policy" || doc.apiVersion !== "audit.k8s.io/v1") {
    throw new AuditPolicyError(`${source}: expected apiVersion audit.k8s.io/v1, kind Policy`);
  }
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) {
    throw new AuditPolicyError(`${source}: loaded illegal policy with 0 rules`);
  }
  const checkStages = (stages: unknown, where: string) => {
    if (stages === undefined) return;
    if (!Array.isArray(stages) || stages.some((s) => !AUDIT_STAGES.includes(s as AuditStage))) {
      throw new AuditPolicyError(`${where}: omitStages must list ${AUDIT_STAGES.join(", ")}`);
    }
  };
  checkStages(doc.omitStages, source);
  doc.rules.forEach((rule, i) => {
    const where = `${source}: rules[${i}]`;
    if (!AUDIT_LEVELS.includes(rule.level)) {
      throw new AuditPolicyError(`${where}: level must be one of ${AUDIT_LEVELS.join(", ")}`);
    }
    checkStages(rule.omitStages, where);
    if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.namespaces?.length)) {
      throw new AuditPolicyError(`${where}: rules can apply to API resources or non-resource URLs, but not both`);
    }
  });
  return doc as AuditPolicy;
}

export function loadAuditPolicy(path: string): AuditPolicy {
  let document: unknown;
  try {
    document = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AuditPolicyError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return validateAuditPolicy(document, path);
}

const pathMatches = (path: string, spec: string) =>
  spec === "*" || spec === path || (spec.endsWith("*") && path.startsWith(spec.replace(/\*+$/, "")));

function matchesResource(rule: AuditPolicyRule, a: AuditAttributes): boolean {
  if (!a.isResourceRequest) return false;
  if (rule.namespaces?.length && !rule.namespaces.includes(a.namespace)) return false;
  if (!rule.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of rule.resources) {
    if ((gr.group ?? "") !== a.apiGroup) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const r of gr.resources) {
      if (r === combined || r === "*") return true;
      if (a.subresource && r.startsWith("*/") && r.slice(2) === a.subresource) return true;
      if (r.endsWith("/*") && r.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}

function ruleMatches(rule: AuditPolicyRule, a: AuditAttributes): boolean {
  if (rule.users?.length && !(a.user && rule.users.includes(a.user.name))) return false;
  if (rule.userGroups?.length && !a.user?.groups.some((g) => rule.userGroups?.includes(g))) return false;
  if (rule.verbs?.length && !rule.verbs.includes(a.verb)) return false;
  if (rule.namespaces?.length || rule.resources?.length) return matchesResource(rule, a);
  if (rule.nonResourceURLs?.length)
    return !a.isResourceRequest && rule.nonResourceURLs.some((u) => pathMatches(a.path, u));
  return true;
}

export class AuditPolicyEvaluator {
  constructor(readonly policy: AuditPolicy) {}

  evaluate(attributes: AuditAttributes): RequestAuditConfig {
    const policyStages = this.policy.omitStages ?? [];
    for (const rule of this.policy.rules) {
      if (!ruleMatches(rule, attributes)) continue;
      return {
        level: rule.level,
        omitStages: [...new Set([...policyStages, ...(rule.omitStages ?? [])])],
        omitManagedFields: rule.omitManagedFields ?? this.policy.omitManagedFields ?? false,
      };
    }
    return { level: "None", omitStages: policyStages, omitManagedFields: false };
  }
}
