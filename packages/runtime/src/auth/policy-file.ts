/**
 * A local authorization policy for servers that run without a cluster: RBAC's rule shape
 * (verbs, API groups, resources, resource names, non-resource URLs) with the subjects
 * written on the rule, in one YAML or JSON file:
 *
 *   apiVersion: apiserver-kit.dev/v1alpha1
 *   kind: AuthorizationPolicy
 *   rules:
 *     - groups: ["devs"]
 *       verbs: ["get", "list", "watch"]
 *       apiGroups: ["wardle.example.com"]
 *       resources: ["flunders", "flunders/status"]
 *     - users: ["alice"]
 *       verbs: ["*"]
 *       apiGroups: ["*"]
 *       resources: ["*"]
 *       namespaces: ["team-a"]
 *     - groups: ["system:authenticated"]
 *       verbs: ["get"]
 *       nonResourceURLs: ["/apis", "/apis/*", "/openapi/*", "/version"]
 *
 * A rule allows when a subject, the verb and the resource (or URL) match; nothing matching
 * is no opinion (the request is then refused, unless another authorizer allows it).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from "./types.js";

export const POLICY_API_VERSION = "apiserver-kit.dev/v1alpha1";

export interface PolicyRule {
  users?: string[];
  groups?: string[];
  verbs: string[];
  apiGroups?: string[];
  /** `plural` or `plural/subresource`; `*` is every resource, `*\/status` a subresource of any. */
  resources?: string[];
  resourceNames?: string[];
  /** Only these namespaces; absent: every namespace and cluster-scoped resources. */
  namespaces?: string[];
  /** Exact paths, or prefixes ending in `*`. */
  nonResourceURLs?: string[];
}

export interface AuthorizationPolicy {
  apiVersion: typeof POLICY_API_VERSION;
  kind: "AuthorizationPolicy";
  rules: PolicyRule[];
}

/** A policy file that can't be used, with the rule to blame. */
export class PolicyFileError extends Error {
  override readonly name = "PolicyFileError";
  readonly reason = "InvalidPolicy";
}

const has = (list: readonly string[] | undefined, value: string) =>
  list !== undefined && (list.includes("*") || list.includes(value));

function matchesResource(rule: PolicyRule, a: AuthorizationAttributes): boolean {
  if (!rule.resources || !has(rule.apiGroups, a.apiGroup)) return false;
  if (rule.namespaces && !rule.namespaces.includes(a.namespace)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = rule.resources.some(
    (r) => r === "*" || r === combined || (a.subresource !== "" && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

function matchesPath(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => (u.endsWith("*") ? path.startsWith(u.slice(0, -1)) : u === path));
}

/** Checks a parsed policy document; throws PolicyFileError naming what is wrong. */
export function validatePolicy(document: unknown, source = "the policy"): AuthorizationPolicy {
  const doc = document as Partial<AuthorizationPolicy> | null;
  if (!doc || doc.apiVersion !== POLICY_API_VERSION || doc.kind !== "AuthorizationPolicy") {
    throw new PolicyFileError(`${source}: expected apiVersion ${POLICY_API_VERSION}, kind AuthorizationPolicy`);
  }
  if (!Array.isArray(doc.rules)) throw new PolicyFileError(`${source}: rules must be a list`);
  doc.rules.forEach((rule, i) => {
    const where = `${source}: rules[${i}]`;
    if (!Array.isArray(rule.verbs) || rule.verbs.length === 0)
      throw new PolicyFileError(`${where}: verbs are required`);
    if (!rule.users?.length && !rule.groups?.length) throw new PolicyFileError(`${where}: name users or groups`);
    if (!rule.resources && !rule.nonResourceURLs) {
      throw new PolicyFileError(`${where}: give resources (with apiGroups) or nonResourceURLs`);
    }
    if (rule.resources && !rule.apiGroups) throw new PolicyFileError(`${where}: resources need apiGroups ("" is none)`);
  });
  return doc as AuthorizationPolicy;
}

export class PolicyAuthorizer implements Authorizer {
  constructor(readonly policy: AuthorizationPolicy) {}

  static fromFile(path: string): PolicyAuthorizer {
    let document: unknown;
    try {
      document = parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new PolicyFileError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new PolicyAuthorizer(validatePolicy(document, path));
  }

  authorize(a: AuthorizationAttributes): AuthorizationResult {
    for (const [index, rule] of this.policy.rules.entries()) {
      const subject = has(rule.users, a.user.name) || a.user.groups.some((g) => has(rule.groups, g));
      if (!subject || !has(rule.verbs, a.verb)) continue;
      if (a.isResourceRequest ? matchesResource(rule, a) : matchesPath(rule, a.path)) {
        return { decision: "allow", reason: `allowed by policy rule ${index}` };
      }
    }
    return { decision: "noOpinion" };
  }
}
