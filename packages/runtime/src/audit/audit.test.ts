import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { HttpRequest } from "../server/http.js";
import { microTime, sourceIPs } from "./auditor.js";
import { AuditLogFile } from "./log-backend.js";
import { type AuditAttributes, AuditPolicyEvaluator, validateAuditPolicy } from "./policy.js";

const dir = mkdtempSync(join(tmpdir(), "audit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const request = (overrides: Partial<AuditAttributes> = {}): AuditAttributes => ({
  user: { name: "bob", groups: ["devs", "system:authenticated"] },
  verb: "get",
  isResourceRequest: true,
  path: "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/x",
  namespace: "default",
  apiGroup: "wardle.example.com",
  resource: "flunders",
  subresource: "",
  name: "x",
  ...overrides,
});

describe("audit policy", () => {
  const evaluator = new AuditPolicyEvaluator(
    validateAuditPolicy({
      apiVersion: "audit.k8s.io/v1",
      kind: "Policy",
      omitStages: ["RequestReceived"],
      rules: [
        { level: "None", users: ["system:kube-aggregator"] },
        { level: "None", nonResourceURLs: ["/healthz*"] },
        { level: "RequestResponse", resources: [{ group: "wardle.example.com", resources: ["*/scale"] }] },
        {
          level: "Request",
          resources: [{ group: "wardle.example.com", resources: ["fischers/*"] }],
          omitStages: ["Panic"],
        },
        { level: "Request", userGroups: ["auditors"], namespaces: [""], resources: [{ group: "wardle.example.com" }] },
        {
          level: "Metadata",
          verbs: ["get"],
          resources: [{ group: "wardle.example.com", resources: ["flunders"], resourceNames: ["x"] }],
        },
      ],
    }),
  );
  const level = (overrides: Partial<AuditAttributes>) => evaluator.evaluate(request(overrides)).level;

  it("applies the first matching rule, as Kubernetes' policy checker", () => {
    assert.equal(level({ user: { name: "system:kube-aggregator", groups: ["system:masters"] } }), "None");
    assert.equal(level({ isResourceRequest: false, path: "/healthz/ping", resource: "" }), "None");
    assert.equal(level({ subresource: "scale" }), "RequestResponse", "*/scale");
    assert.equal(level({ resource: "fischers", subresource: "status" }), "Request", "fischers/*");
    assert.equal(
      level({ resource: "fischers", namespace: "" }),
      "Request",
      '"fischers/*" matches fischers itself, as in Go',
    );
    assert.equal(level({ subresource: "status" }), "None", "flunders/status is not flunders");
    assert.equal(level({}), "Metadata", "by name");
    assert.equal(level({ name: "y" }), "None", "no rule: None");
    assert.equal(level({ verb: "list", name: "" }), "None");
    const auditor = { name: "eve", groups: ["auditors"] };
    assert.equal(
      level({ user: auditor, namespace: "", resource: "widgets" }),
      "Request",
      'namespace "" is cluster scope',
    );
    assert.equal(level({ user: auditor, namespace: "default", resource: "widgets" }), "None");
  });

  it("joins the policy's and the rule's omitted stages", () => {
    const stages = evaluator.evaluate(request({ resource: "fischers", subresource: "status" })).omitStages;
    assert.deepEqual(stages, ["RequestReceived", "Panic"]);
  });

  it("refuses what kube-apiserver refuses to load", () => {
    assert.throws(() => validateAuditPolicy({ apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [] }), /0 rules/);
    assert.throws(
      () => validateAuditPolicy({ apiVersion: "audit.k8s.io/v1", kind: "Policy", rules: [{ level: "Everything" }] }),
      /level must be one of/,
    );
    assert.throws(
      () =>
        validateAuditPolicy({
          apiVersion: "audit.k8s.io/v1",
          kind: "Policy",
          rules: [{ level: "Metadata", nonResourceURLs: ["/x"], resources: [{ group: "" }] }],
        }),
      /not both/,
    );
  });
});

describe("audit events", () => {
  it("stamps times with microseconds, as metav1.MicroTime", () => {
    assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678) + 0.9), "2024-01-02T03:04:05.678900Z");
  });

  it("lists X-Forwarded-For, X-Real-Ip and the peer, without repeating the last", () => {
    const req = (headers: Record<string, string>, remote: string) =>
      ({ headers, socket: { remoteAddress: remote } }) as unknown as HttpRequest;
    assert.deepEqual(
      sourceIPs(req({ "x-forwarded-for": "10.0.0.1, bogus, 10.0.0.2", "x-real-ip": "10.0.0.3" }, "::ffff:127.0.0.1")),
      ["10.0.0.1", "10.0.0.2", "10.0.0.3", "127.0.0.1"],
    );
    assert.deepEqual(sourceIPs(req({ "x-forwarded-for": "127.0.0.1" }, "127.0.0.1")), ["127.0.0.1"]);
  });
});

describe("the audit log file", () => {
  it("rotates by size into lumberjack-named backups and keeps at most maxbackup of them", () => {
    const path = join(dir, "rotate", "audit.log");
    let now = Date.UTC(2024, 4, 1, 12, 0, 0);
    const log = new AuditLogFile({ path, maxSizeBytes: 100, maxBackups: 2, now: () => now });
    const line = (n: number) => `${JSON.stringify({ n, pad: "x".repeat(30) })}\n`;
    for (let i = 0; i < 10; i++) {
      log.write(line(i));
      now += 1000;
    }
    log.close();
    const files = readdirSync(join(dir, "rotate")).sort();
    assert.equal(files.length, 3, files.join(" "));
    assert.ok(
      files.every((f) => f === "audit.log" || /^audit-2024-05-01T12-00-\d\d\.000\.log$/.test(f)),
      files.join(" "),
    );
    assert.deepEqual(log.backups().length, 2);
    const current = readFileSync(path, "utf8");
    assert.ok(current.length <= 100 && current.endsWith(line(9)));
    const newest = readFileSync(log.backups()[0] as string, "utf8");
    assert.ok(newest.endsWith(line(7)), "the newest backup holds the lines just before");
  });

  it("removes backups older than maxage days", () => {
    const path = join(dir, "age", "audit.log");
    let now = Date.UTC(2024, 0, 1);
    const log = new AuditLogFile({ path, maxSizeBytes: 10, maxAgeDays: 2, now: () => now });
    log.write("first line\n");
    log.write("second line\n");
    const old = log.backups()[0] as string;
    now += 3 * 86_400_000;
    log.write("third line\n");
    log.close();
    assert.equal(existsSync(old), false, "the 3-day-old backup is gone");
    assert.equal(log.backups().length, 1);
  });
});
