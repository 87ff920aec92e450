import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HttpRequest } from "../server/http.js";
import { PolicyAuthorizer, PolicyFileError, validatePolicy } from "./policy-file.js";
import { SubjectAccessReviewAuthorizer, subjectAccessReviewSpec } from "./subject-access-review.js";
import { bearerToken, TokenReviewAuthenticator } from "./token-review.js";
import { AuthenticationError, type AuthorizationAttributes } from "./types.js";

const request = (authorization?: string) =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as HttpRequest;

/** A cluster client answering from `answer`, counting calls; `now` is the test's clock. */
function fakeCluster(answer: (path: string, body: Record<string, unknown>) => Record<string, unknown>) {
  const calls: Array<Record<string, unknown>> = [];
  return {
    calls,
    client: {
      async expect<T>(_method: string, path: string, body?: unknown): Promise<T> {
        calls.push(body as Record<string, unknown>);
        return answer(path, body as Record<string, unknown>) as T;
      },
    },
  };
}

const clock = { t: 0, now: () => clock.t };

describe("TokenReview authentication", () => {
  it("reads bearer tokens as Kubernetes does", () => {
    assert.equal(bearerToken(request("Bearer abc")), "abc");
    assert.equal(bearerToken(request("  bearer abc  ")), "abc");
    assert.equal(bearerToken(request("Basic abc")), undefined);
    assert.equal(bearerToken(request("Bearer ")), undefined);
    assert.equal(bearerToken(request()), undefined);
  });

  it("asks the cluster once per token and TTL, and refuses unknown tokens", async () => {
    clock.t = 0;
    const cluster = fakeCluster((_path, body) => {
      const token = (body.spec as { token: string }).token;
      return token === "good"
        ? { status: { authenticated: true, user: { username: "bob", uid: "1", groups: ["devs"] } } }
        : { status: { user: {} } };
    });
    const authenticator = new TokenReviewAuthenticator({ client: cluster.client, cacheTtlMs: 1000, clock });
    const bob = { name: "bob", uid: "1", groups: ["devs", "system:authenticated"] };
    assert.deepEqual(await authenticator.authenticate(request("Bearer good")), bob);
    await Promise.all([
      authenticator.authenticate(request("Bearer good")),
      authenticator.authenticate(request("Bearer good")),
    ]);
    assert.equal(cluster.calls.length, 1);
    assert.deepEqual(cluster.calls[0], {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token: "good" },
    });
    clock.t = 1001;
    await authenticator.authenticate(request("Bearer good"));
    assert.equal(cluster.calls.length, 2, "asked again after the TTL");
    await assert.rejects(
      authenticator.authenticate(request("Bearer bad")),
      (e: unknown) => e instanceof AuthenticationError && e.reason === "InvalidToken",
    );
    await assert.rejects(authenticator.authenticate(request("Bearer bad")), AuthenticationError);
    assert.equal(cluster.calls.length, 3, "the refusal is cached too");
    assert.equal(await authenticator.authenticate(request()), null);
  });

  it("refuses (401) when the cluster can't be asked, and doesn't cache that", async () => {
    let up = false;
    const errors: string[] = [];
    const authenticator = new TokenReviewAuthenticator({
      client: {
        async expect<T>(): Promise<T> {
          if (!up) throw new Error("connect ECONNREFUSED");
          return { status: { authenticated: true, user: { username: "bob" } } } as T;
        },
      },
      onError: (e) => errors.push(e.message),
    });
    await assert.rejects(
      authenticator.authenticate(request("Bearer t")),
      (e: unknown) => e instanceof AuthenticationError && e.reason === "ReviewFailed",
    );
    assert.deepEqual(errors, ["connect ECONNREFUSED"]);
    up = true;
    assert.equal((await authenticator.authenticate(request("Bearer t")))?.name, "bob");
  });

  it("checks the audiences it asked for", async () => {
    const cluster = fakeCluster(() => ({
      status: { authenticated: true, user: { username: "x" }, audiences: ["other"] },
    }));
    const authenticator = new TokenReviewAuthenticator({ client: cluster.client, audiences: ["mine"] });
    await assert.rejects(authenticator.authenticate(request("Bearer t")), /audiences don't match/);
    assert.deepEqual((cluster.calls[0]?.spec as { audiences: string[] }).audiences, ["mine"]);
  });
});

const attributes = (overrides: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user: { name: "bob", groups: ["devs", "system:authenticated"], extra: { scopes: ["a"] }, uid: "7" },
  verb: "get",
  isResourceRequest: true,
  path: "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/x",
  namespace: "default",
  apiGroup: "wardle.example.com",
  apiVersion: "v1alpha1",
  resource: "flunders",
  subresource: "",
  name: "x",
  ...overrides,
});

describe("SubjectAccessReview authorization", () => {
  it("sends resource and non-resource attributes without empty fields", () => {
    assert.deepEqual(subjectAccessReviewSpec(attributes()), {
      resourceAttributes: {
        namespace: "default",
        verb: "get",
        group: "wardle.example.com",
        version: "v1alpha1",
        resource: "flunders",
        name: "x",
      },
      user: "bob",
      groups: ["devs", "system:authenticated"],
      extra: { scopes: ["a"] },
      uid: "7",
    });
    const path = subjectAccessReviewSpec(attributes({ isResourceRequest: false, path: "/version", verb: "get" }));
    assert.deepEqual(path.nonResourceAttributes, { path: "/version", verb: "get" });
    assert.equal(path.resourceAttributes, undefined);
  });

  it("maps allowed / denied / neither, caching allows and denials for their own TTLs", async () => {
    clock.t = 0;
    const cluster = fakeCluster((_path, body) => {
      const verb = (body.spec as { resourceAttributes: { verb: string } }).resourceAttributes.verb;
      if (verb === "get") return { status: { allowed: true, reason: "rbac" } };
      if (verb === "delete") return { status: { allowed: false, denied: true, reason: "no" } };
      return { status: { allowed: false } };
    });
    const authorizer = new SubjectAccessReviewAuthorizer({
      client: cluster.client,
      allowTtlMs: 5000,
      denyTtlMs: 1000,
      clock,
    });
    assert.deepEqual(await authorizer.authorize(attributes()), { decision: "allow", reason: "rbac" });
    assert.deepEqual(await authorizer.authorize(attributes({ verb: "delete" })), { decision: "deny", reason: "no" });
    assert.deepEqual(await authorizer.authorize(attributes({ verb: "list", name: "" })), { decision: "noOpinion" });
    assert.equal(cluster.calls.length, 3);
    clock.t = 2000;
    await authorizer.authorize(attributes());
    await authorizer.authorize(attributes({ verb: "delete" }));
    assert.equal(cluster.calls.length, 4, "the allow is still cached; the denial expired");
    await authorizer.authorize(attributes({ user: { name: "eve", groups: [] } }));
    assert.equal(cluster.calls.length, 5, "another user is another question");
  });
});

describe("the local policy file", () => {
  const policy = new PolicyAuthorizer(
    validatePolicy({
      apiVersion: "apiserver-kit.dev/v1alpha1",
      kind: "AuthorizationPolicy",
      rules: [
        {
          groups: ["devs"],
          verbs: ["get", "list"],
          apiGroups: ["wardle.example.com"],
          resources: ["flunders", "*/status"],
        },
        {
          users: ["alice"],
          verbs: ["*"],
          apiGroups: ["*"],
          resources: ["*"],
          namespaces: ["team-a"],
          resourceNames: ["x"],
        },
        { groups: ["system:authenticated"], verbs: ["get"], nonResourceURLs: ["/apis", "/openapi/*"] },
      ],
    }),
  );
  const ask = (overrides: Partial<AuthorizationAttributes>) =>
    policy.authorize(attributes({ user: { name: "bob", groups: ["devs", "system:authenticated"] }, ...overrides }))
      .decision;

  it("allows what a rule grants and has no opinion on the rest", () => {
    assert.equal(ask({}), "allow");
    assert.equal(ask({ verb: "delete" }), "noOpinion");
    assert.equal(ask({ resource: "fischers", subresource: "status" }), "allow");
    assert.equal(ask({ subresource: "scale" }), "noOpinion");
    const alice = { name: "alice", groups: [] };
    assert.equal(ask({ user: alice, verb: "delete", namespace: "team-a" }), "allow");
    assert.equal(ask({ user: alice, verb: "delete", namespace: "team-b" }), "noOpinion");
    assert.equal(ask({ user: alice, verb: "delete", namespace: "team-a", name: "y" }), "noOpinion");
    assert.equal(ask({ isResourceRequest: false, path: "/openapi/v3" }), "allow");
    assert.equal(ask({ isResourceRequest: false, path: "/metrics" }), "noOpinion");
  });

  it("names what is wrong with a rule", () => {
    const bad = (rule: Record<string, unknown>) => () =>
      validatePolicy({ apiVersion: "apiserver-kit.dev/v1alpha1", kind: "AuthorizationPolicy", rules: [rule] });
    assert.throws(bad({ users: ["a"], resources: ["x"], apiGroups: [""] }), PolicyFileError);
    assert.throws(bad({ verbs: ["get"], resources: ["x"], apiGroups: [""] }), /name users or groups/);
    assert.throws(bad({ users: ["a"], verbs: ["get"], resources: ["x"] }), /resources need apiGroups/);
    assert.throws(() => validatePolicy({ kind: "Policy" }), /expected apiVersion/);
  });
});
