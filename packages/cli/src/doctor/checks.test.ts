import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createCA, issueCertificate } from "@apiserver-kit/runtime";
import { startTestServer, type TestServer } from "@apiserver-kit/runtime/testing";
import { type DoctorSettings, type Finding, runDoctor } from "./checks.js";

const GV = "widgets.example.com/v1alpha1";
const ca = createCA("doctor-test-ca");

interface Fault {
  discovery?: "hang" | "error";
  openapi?: "missing";
  names?: string[];
  validDays?: number;
}

/** An HTTPS server that answers like an aggregated API server, with one injected fault. */
async function fakeServer(fault: Fault = {}): Promise<{ url: string; server: Server }> {
  const serving = issueCertificate(ca, {
    subject: { commonName: "fake" },
    usages: ["serverAuth"],
    altNames: fault.names ?? ["widgets.widgets.svc", "127.0.0.1"],
    ...(fault.validDays === undefined ? {} : { validDays: fault.validDays }),
  });
  const server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/apis")
      return json(200, {
        kind: "APIGroupList",
        groups: [{ name: "widgets.example.com", versions: [{ groupVersion: GV, version: "v1alpha1" }] }],
      });
    if (path === `/apis/${GV}`) {
      if (fault.discovery === "hang") return; // never answers
      if (fault.discovery === "error") return json(503, { kind: "Status", code: 503 });
      return json(200, { kind: "APIResourceList", groupVersion: GV, resources: [] });
    }
    if (path === "/openapi/v3" && fault.openapi !== "missing") {
      return json(200, { paths: { [`apis/${GV}`]: { serverRelativeURL: `/openapi/v3/apis/${GV}?hash=abc` } } });
    }
    if (path === `/openapi/v3/apis/${GV}` && fault.openapi !== "missing")
      return json(200, { openapi: "3.0.0", components: { schemas: {} } });
    json(404, { kind: "Status", code: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function diagnose(
  fault: Fault,
  settings: DoctorSettings = {},
  serviceName = "widgets.widgets.svc",
): Promise<Finding[]> {
  const { url, server } = await fakeServer(fault);
  try {
    return await runDoctor({ server: url, ca: ca.cert, serviceName, groupVersions: [GV] }, settings);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const problems = (findings: Finding[]) => findings.filter((finding) => finding.status === "problem");

describe("scaffold doctor", () => {
  let real: TestServer;
  before(async () => {
    real = await startTestServer();
  });
  after(() => real.close());

  it("finds nothing wrong with a healthy runtime server", async () => {
    const findings = await runDoctor({
      server: real.url,
      ca: real.local.pki.ca.cert,
      clientCert: real.local.pki.admin,
    });
    assert.deepEqual(problems(findings), []);
    assert.ok(
      findings.some((f) => f.check === "discovery" && /wardle\.example\.com\/v1alpha1 answered in/.test(f.message)),
    );
    assert.ok(findings.some((f) => f.check === "openapi" && f.status === "ok"));
    assert.ok(findings.some((f) => f.check === "certificate" && /valid for 127\.0\.0\.1/.test(f.message)));
  });

  it("names discovery that does not answer within the aggregator's limit", async () => {
    const findings = problems(await diagnose({ discovery: "hang" }, { discoveryTimeoutMs: 300 }));
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.check, "discovery");
    assert.match(
      findings[0]?.message ?? "",
      /failed after .* the aggregator allows 0\.300 s, then marks the APIService Available=False \(FailedDiscoveryCheck\)/,
    );
    assert.match(findings[0]?.fix ?? "", /make discovery answer at once/);
  });

  it("warns when discovery comes close to the limit", async () => {
    let tick = 0;
    // Each discovery request "takes" 3.2 s of a 5 s limit on this clock.
    const findings = await diagnose({}, { monotonic: () => (tick++ % 2) * 3200 });
    const discovery = findings.find((finding) => finding.check === "discovery");
    assert.equal(discovery?.status, "warning");
    assert.match(discovery?.message ?? "", /answered in 3\.2 s, 64% of the aggregator's 5\.0 s limit/);
  });

  it("names a failing discovery answer", async () => {
    const findings = problems(await diagnose({ discovery: "error" }));
    assert.match(findings[0]?.message ?? "", /answered 503: the aggregator needs a 2xx APIResourceList/);
  });

  it("names missing OpenAPI with its fix", async () => {
    const findings = problems(await diagnose({ openapi: "missing" }));
    assert.deepEqual(
      findings.map((f) => f.check),
      ["openapi"],
    );
    assert.match(findings[0]?.message ?? "", /GET \/openapi\/v3 answered 404/);
    assert.match(findings[0]?.fix ?? "", /serve OpenAPI for every group-version/);
  });

  it("names a serving certificate without the Service's name", async () => {
    const findings = problems(await diagnose({ names: ["localhost", "127.0.0.1"] }));
    assert.deepEqual(
      findings.map((f) => f.check),
      ["certificate"],
    );
    assert.match(
      findings[0]?.message ?? "",
      /not valid for widgets\.widgets\.svc \(its names: DNS:localhost, IP Address:127\.0\.0\.1\)/,
    );
    assert.match(findings[0]?.fix ?? "", /subject alternative names/);
  });

  it("names a certificate near expiry, and an expired one", async () => {
    const soon = problems(await diagnose({ validDays: 10 }));
    assert.equal(soon.length, 1);
    assert.match(soon[0]?.message ?? "", /expires in 9 day\(s\)|expires in 10 day\(s\)/);
    assert.match(soon[0]?.fix ?? "", /renew it/);
    const later = Date.now() + 400 * 24 * 3_600_000;
    const expired = problems(await diagnose({}, { now: () => later }));
    assert.match(expired[0]?.message ?? "", /expired on/);
  });

  it("names a caBundle that does not verify the certificate", async () => {
    const { url, server } = await fakeServer();
    try {
      const other = createCA("another-ca");
      const findings = problems(
        await runDoctor({ server: url, ca: other.cert, serviceName: "widgets.widgets.svc", groupVersions: [GV] }),
      );
      assert.match(findings[0]?.message ?? "", /the CA bundle does not verify the serving certificate/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("says when there is nothing to connect to", async () => {
    const findings = await runDoctor({ server: "https://127.0.0.1:1" });
    assert.equal(findings[0]?.check, "connection");
    assert.match(findings[0]?.fix ?? "", /start the server/);
  });
});
