import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatusError } from "../api/errors.js";
import type { UserInfo } from "../api/meta.js";
import type { HttpRequest } from "../server/http.js";
import {
  hasImpersonationHeaders,
  impersonate,
  impersonatedUser,
  impersonationRequests,
  stripImpersonationHeaders,
} from "./impersonation.js";
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from "./types.js";

/** A request with these header lines (names as a client spells them; repeats kept). */
function request(lines: Array<[string, string]>): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return { headers, rawHeaders: lines.flat() } as unknown as HttpRequest;
}

/** Allows `impersonate` on what `grants` lists (`resource/subresource:name`, `*` for any name). */
function authorizer(grants: string[], asynchronous = false): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(a) {
      asked.push(a);
      const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
      const allowed =
        a.verb === "impersonate" && (grants.includes(`${resource}:${a.name}`) || grants.includes(`${resource}:*`));
      const result: AuthorizationResult = allowed ? { decision: "allow" } : { decision: "noOpinion", reason: "denied" };
      return asynchronous ? Promise.resolve(result) : result;
    },
  };
}

const dev: UserInfo = { name: "dev", groups: ["wheel"] };

async function actAs(lines: Array<[string, string]>, grants: string[]): Promise<UserInfo> {
  const req = request(lines);
  return impersonate(dev, impersonationRequests(req), authorizer(grants), "/apis");
}

describe("impersonation", () => {
  it("notices impersonation headers only when there are some", () => {
    assert.equal(hasImpersonationHeaders(request([["Accept", "application/json"]])), false);
    assert.equal(hasImpersonationHeaders(request([["Impersonate-Group", "g"]])), true);
    assert.deepEqual(impersonationRequests(request([["Accept", "application/json"]])), []);
  });

  it("answers 500 to groups, extras or a UID without a user, as kube-apiserver does", () => {
    for (const line of [
      ["Impersonate-Group", "some-group"],
      ["Impersonate-Extra-Scopes", "scope-a"],
      ["Impersonate-Uid", "some-uid"],
    ] as Array<[string, string]>) {
      assert.throws(
        () => impersonationRequests(request([line])),
        (error: unknown) =>
          error instanceof StatusError &&
          error.status.code === 500 &&
          /without impersonating a user/.test(error.message),
      );
    }
  });

  it("acts as a user in system:authenticated, with the groups, extras and UID asked for", async () => {
    assert.deepEqual(await actAs([["Impersonate-User", "tester"]], ["users:tester"]), {
      name: "tester",
      groups: ["system:authenticated"],
    });
    assert.deepEqual(
      await actAs(
        [
          ["Impersonate-User", "tester"],
          ["Impersonate-Uid", "some-uid"],
          ["Impersonate-Group", "some-group"],
          ["Impersonate-Group", "a, b"],
          ["Impersonate-Extra-Scopes", "scope-a"],
          ["Impersonate-Extra-Scopes", "scope-b"],
        ],
        ["users:tester", "uids:some-uid", "groups:*", "userextras/scopes:*"],
      ),
      {
        name: "tester",
        uid: "some-uid",
        groups: ["some-group", "a, b", "system:authenticated"],
        extra: { scopes: ["scope-a", "scope-b"] },
      },
      "each header line is one group, commas and all",
    );
  });

  it("decodes percent-escaped extra keys, and keeps keys that do not decode as sent", async () => {
    const escaped = await actAs(
      [
        ["Impersonate-User", "system:admin"],
        ["Impersonate-Extra-example.com%2fescaped%e1%9b%84scopes", "scope-a"],
        ["Impersonate-Extra-almost%zzpercent%xxencoded", "x"],
      ],
      [
        "users:system:admin",
        "userextras/example.com/escapedᛄscopes:scope-a",
        "userextras/almost%zzpercent%xxencoded:x",
      ],
    );
    assert.deepEqual(escaped.extra, { "example.com/escapedᛄscopes": ["scope-a"], "almost%zzpercent%xxencoded": ["x"] });
  });

  it("gives a service account its groups unless groups are given, and keeps anonymous unauthenticated", async () => {
    const account = [["Impersonate-User", "system:serviceaccount:foo:default"]] as Array<[string, string]>;
    assert.deepEqual(impersonationRequests(request(account)), [
      { resource: "serviceaccounts", apiGroup: "", namespace: "foo", name: "default" },
    ]);
    assert.deepEqual(await actAs(account, ["serviceaccounts:default"]), {
      name: "system:serviceaccount:foo:default",
      groups: ["system:serviceaccounts", "system:serviceaccounts:foo", "system:authenticated"],
    });
    assert.deepEqual(
      impersonatedUser(impersonationRequests(request([...account, ["Impersonate-Group", "g"]]))).groups,
      ["g", "system:authenticated"],
    );
    // Not a valid service account name: an ordinary user.
    assert.equal(
      impersonationRequests(request([["Impersonate-User", "system:serviceaccount:Foo:default"]]))[0]?.resource,
      "users",
    );
    assert.deepEqual(impersonatedUser(impersonationRequests(request([["Impersonate-User", "system:anonymous"]]))), {
      name: "system:anonymous",
      groups: ["system:unauthenticated"],
    });
    for (const group of ["system:unauthenticated", "system:authenticated"]) {
      const groups = impersonatedUser(
        impersonationRequests(
          request([
            ["Impersonate-User", "unknown"],
            ["Impersonate-Group", group],
          ]),
        ),
      ).groups;
      assert.deepEqual(groups, [group], `${group} given: nothing added`);
    }
  });

  it("authorizes each request as the requestor and refuses the first not allowed with Kubernetes' 403", async () => {
    for (const asynchronous of [false, true]) {
      const authz = authorizer(["users:system:admin", "userextras/scopes:scope-a"], asynchronous);
      const req = request([
        ["Impersonate-User", "system:admin"],
        ["Impersonate-Extra-Scopes", "scope-a"],
        ["Impersonate-Extra-Scopes", "scope-b"],
      ]);
      await assert.rejects(
        async () => impersonate(dev, impersonationRequests(req), authz, "/apis"),
        (error: unknown) =>
          error instanceof StatusError &&
          error.status.code === 403 &&
          error.message ===
            'userextras.authentication.k8s.io "scope-b" is forbidden: User "dev" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope: denied',
      );
      assert.deepEqual(
        authz.asked.map((a) => [a.user.name, a.verb, a.apiGroup, a.resource, a.subresource, a.name]),
        [
          ["dev", "impersonate", "", "users", "", "system:admin"],
          ["dev", "impersonate", "authentication.k8s.io", "userextras", "scopes", "scope-a"],
          ["dev", "impersonate", "authentication.k8s.io", "userextras", "scopes", "scope-b"],
        ],
      );
    }
    await assert.rejects(
      async () => actAs([["Impersonate-User", "system:serviceaccount:foo:default"]], []),
      /serviceaccounts "default" is forbidden: User "dev" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "foo": denied/,
    );
  });

  it("removes every impersonation header once read", () => {
    const req = request([
      ["Impersonate-User", "u"],
      ["Impersonate-Group", "g"],
      ["Impersonate-Uid", "1"],
      ["Impersonate-Extra-Scopes", "s"],
      ["Accept", "application/json"],
    ]);
    stripImpersonationHeaders(req);
    assert.deepEqual(req.headers, { accept: "application/json" });
  });
});
