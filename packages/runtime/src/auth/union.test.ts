import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import {
  AuthenticationError,
  type Authenticator,
  type AuthorizationAttributes,
  type Authorizer,
  isPromise,
  unionAuthenticator,
  unionAuthorizer,
} from "./types.js";

const req = {} as HttpRequest;
const alice: UserInfo = { name: "alice", groups: ["developers"] };
const fixed = (answer: UserInfo | null): Authenticator => ({ authenticate: () => answer });
const later = (answer: UserInfo | null): Authenticator => ({ authenticate: async () => answer });
const refusing: Authenticator = {
  authenticate: () => {
    throw new AuthenticationError("bad certificate", "InvalidCertificate");
  },
};
const attributes: AuthorizationAttributes = {
  user: alice,
  verb: "get",
  isResourceRequest: false,
  path: "/apis",
  namespace: "",
  apiGroup: "",
  apiVersion: "",
  resource: "",
  subresource: "",
  name: "",
};

describe("union authenticator", () => {
  it("answers synchronously while its members do", () => {
    const answer = unionAuthenticator(fixed(null), fixed(alice)).authenticate(req);
    assert.ok(!isPromise(answer));
    assert.deepEqual(answer, alice);
    assert.equal(unionAuthenticator(fixed(null), fixed(null)).authenticate(req), null);
  });

  it("goes on asynchronously from the first member that answers with a promise", async () => {
    const answer = unionAuthenticator(fixed(null), later(null), fixed(alice)).authenticate(req);
    assert.ok(isPromise(answer));
    assert.deepEqual(await answer, alice);
  });

  it("lets a later member win over an earlier refusal, and rejects (never throws) when nobody knows the request", async () => {
    assert.deepEqual(unionAuthenticator(refusing, fixed(alice)).authenticate(req), alice);
    assert.deepEqual(await unionAuthenticator(refusing, later(alice)).authenticate(req), alice);
    const refused = unionAuthenticator(refusing, fixed(null)).authenticate(req);
    assert.ok(isPromise(refused));
    await assert.rejects(refused, { name: "AuthenticationError", reason: "InvalidCertificate" });
    const broken: Authenticator = {
      authenticate: () => {
        throw new TypeError("a bug");
      },
    };
    await assert.rejects(Promise.resolve(unionAuthenticator(broken, fixed(alice)).authenticate(req)), TypeError);
  });
});

describe("union authorizer", () => {
  const noOpinion = (reason?: string): Authorizer => ({
    authorize: () => ({ decision: "noOpinion", ...(reason ? { reason } : {}) }),
  });
  const allow: Authorizer = { authorize: () => ({ decision: "allow" }) };
  const laterDeny: Authorizer = { authorize: async () => ({ decision: "deny", reason: "no" }) };

  it("answers synchronously while its members do, and collects the reasons of those without an opinion", () => {
    const allowed = unionAuthorizer(noOpinion("a"), allow).authorize(attributes);
    assert.ok(!isPromise(allowed));
    assert.deepEqual(allowed, { decision: "allow" });
    assert.deepEqual(unionAuthorizer(noOpinion("a"), noOpinion(), noOpinion("b")).authorize(attributes), {
      decision: "noOpinion",
      reason: "a\nb",
    });
  });

  it("stops at the first decision, even one that comes later", async () => {
    const denied = unionAuthorizer(noOpinion("a"), laterDeny, allow).authorize(attributes);
    assert.ok(isPromise(denied));
    assert.deepEqual(await denied, { decision: "deny", reason: "no" });
    const pending: Authorizer = { authorize: async () => ({ decision: "noOpinion", reason: "x" }) };
    assert.deepEqual(await unionAuthorizer(noOpinion("a"), pending, noOpinion("b")).authorize(attributes), {
      decision: "noOpinion",
      reason: "a\nx\nb",
    });
  });
});
