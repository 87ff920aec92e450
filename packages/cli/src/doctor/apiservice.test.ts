/**
 * `scaffold doctor --kubeconfig <cluster>` reports what the aggregator concluded about each
 * APIService (issue 12): an unavailable one with its reason and a fix. Against the test
 * aggregator (packages/runtime/src/testing/aggregator), which writes APIService status as
 * kube-aggregator does.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TestCluster } from "@apiserver-kit/runtime/testing";
import { memoryReporter } from "../cli/reporter.js";
import { doctorCommand, doctorTarget } from "../commands/doctor.js";
import { runDoctor } from "./checks.js";

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("scaffold doctor against a cluster", () => {
  let cluster: TestCluster;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    cluster = await TestCluster.start();
    dir = mkdtempSync(join(tmpdir(), "doctor-cluster-"));
    kubeconfig = cluster.writeKubeconfig(join(dir, "admin.kubeconfig"), {
      certificate: cluster.userCertificate("admin", ["system:masters"]),
    });
    cluster.registerService("widgets", "widgets", await closedPort());
    await cluster.createAPIService({
      group: "widgets.example.com",
      version: "v1alpha1",
      service: { namespace: "widgets", name: "widgets" },
    });
  });
  after(async () => {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("names an unavailable APIService with the aggregator's reason and a fix", async () => {
    const reporter = memoryReporter();
    await assert.rejects(
      doctorCommand({ kubeconfig, cwd: dir, settings: { discoveryTimeoutMs: 2000 } }, reporter),
      (error: { code?: string }) => error.code === "DoctorFoundProblems",
    );
    const findings = await runDoctor(doctorTarget({ kubeconfig, cwd: dir }), { discoveryTimeoutMs: 2000 });
    const apiservice = findings.find((f) => f.check === "apiservice");
    assert.ok(apiservice, JSON.stringify(findings));
    assert.equal(apiservice.status, "problem");
    assert.match(
      apiservice.message,
      /^APIService v1alpha1\.widgets\.example\.com is not Available \(FailedDiscoveryCheck\): /,
    );
    assert.match(apiservice.fix ?? "", /2xx from \/apis\/<group>\/<version>/);
    assert.ok(
      reporter.lines.some((line) => line.includes("is not Available (FailedDiscoveryCheck)")),
      reporter.lines.join("\n"),
    );
  });
});
