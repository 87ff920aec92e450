import assert from "node:assert/strict";
import { test } from "node:test";
import { reviewKey } from "./subject-access-review.js";
import type { AuthorizationAttributes } from "./types.js";

const base: AuthorizationAttributes = {
  user: { name: "alice", groups: ["developers", "system:authenticated"], uid: "u1", extra: { scopes: ["a"] } },
  verb: "get",
  isResourceRequest: true,
  path: "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/one",
  namespace: "default",
  apiGroup: "wardle.example.com",
  apiVersion: "v1alpha1",
  resource: "flunders",
  subresource: "",
  name: "one",
};

test("the review key is the same for the same attributes", () => {
  assert.equal(reviewKey(base), reviewKey(structuredClone(base)));
});

test("the review key changes with every attribute the review carries", () => {
  const variants: AuthorizationAttributes[] = [
    { ...base, user: { ...base.user, name: "bob" } },
    { ...base, user: { ...base.user, uid: "u2" } },
    { ...base, user: { ...base.user, groups: ["developers"] } },
    { ...base, user: { ...base.user, extra: { scopes: ["b"] } } },
    { ...base, user: { name: "alice", groups: base.user.groups, uid: "u1" } },
    { ...base, verb: "list" },
    { ...base, namespace: "other" },
    { ...base, apiGroup: "other.example.com" },
    { ...base, apiVersion: "v1" },
    { ...base, resource: "fischers" },
    { ...base, subresource: "status" },
    { ...base, name: "two" },
    { ...base, isResourceRequest: false },
  ];
  const keys = new Set([reviewKey(base), ...variants.map(reviewKey)]);
  assert.equal(keys.size, variants.length + 1);
});

test("neighbouring attributes can't run into each other", () => {
  const a = { ...base, namespace: "ab", verb: "c" };
  const b = { ...base, namespace: "a", verb: "bc" };
  assert.notEqual(reviewKey(a), reviewKey(b));
  const g1 = { ...base, user: { ...base.user, groups: ["a,b"] } };
  const g2 = { ...base, user: { ...base.user, groups: ["a", "b"] } };
  assert.notEqual(reviewKey(g1), reviewKey(g2));
});

test("non-resource requests are keyed by path and verb", () => {
  const healthz = { ...base, isResourceRequest: false, path: "/metrics", verb: "get" };
  assert.equal(reviewKey(healthz), reviewKey({ ...healthz, resource: "ignored", name: "ignored" }));
  assert.notEqual(reviewKey(healthz), reviewKey({ ...healthz, path: "/version" }));
});
