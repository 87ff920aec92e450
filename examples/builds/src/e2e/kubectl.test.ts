/**
 * Builds end to end with kubectl, as a user drives them: create, watch the phase, read the
 * streamed log with `get --raw` (follow and tail), cancel through the action with
 * `create --raw`, and the printer columns.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { serverOptions } from "../server.js";

const MINOR = 33;
const BUILDS = "/apis/ci.example.com/v1alpha1/namespaces/default/builds";

describe("builds with kubectl", { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` }, () => {
  let dir: string;
  let running: RunningServer | undefined;
  let k: Kubectl;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "builds-e2e-"));
    const argv = ["--secure-port=0", "--bind-address=127.0.0.1", "--storage=sqlite", `--data-dir=${dir}/data`];
    running = await runServer({ ...serverOptions(argv), log: () => {}, signals: false });
    assert.ok(running?.kubeconfig);
    k = new Kubectl(MINOR, running.kubeconfig);
  });
  after(async () => {
    k?.dispose();
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a build and streams its log", async () => {
    await k.ok(["create", "-f", "-"], {
      input: [
        "apiVersion: ci.example.com/v1alpha1",
        "kind: Build",
        "metadata:",
        "  name: hello",
        "spec:",
        "  steps:",
        "    - name: compile",
        "      seconds: 0.5",
        "      output: [compiling, linking]",
        "    - name: test",
        "      seconds: 0.5",
        "      output: [all tests passed]",
        "",
      ].join("\n"),
    });
    // get --raw prints once the response ends: with follow, once the build has ended.
    const log = await k.ok(["get", "--raw", `${BUILDS}/hello/log?follow=true`]);
    assert.equal(
      log,
      "==> compile\ncompiling\nlinking\n<== compile exited with code 0\n==> test\nall tests passed\n<== test exited with code 0\n",
    );
    await k.ok(["wait", "--for=jsonpath={.status.phase}=Succeeded", "build/hello", "--timeout=30s"]);
    assert.match(await k.ok(["get", "builds"]), /^NAME\s+PHASE\s+STEP\s+STEPS\s+AGE\nhello\s+Succeeded\s+2\s/m);
    assert.equal(await k.ok(["get", "--raw", `${BUILDS}/hello/log?tailLines=1`]), "<== test exited with code 0\n");
  });

  it("cancels a running build with the cancel action", async () => {
    await k.ok(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "ci.example.com/v1alpha1",
        kind: "Build",
        metadata: { name: "long" },
        spec: { steps: [{ name: "forever", seconds: 600 }] },
      }),
    });
    await k.ok(["wait", "--for=jsonpath={.status.phase}=Running", "build/long", "--timeout=30s"]);
    const body = join(dir, "cancel.json");
    writeFileSync(body, JSON.stringify({ reason: "wrong branch" }));
    const answer = JSON.parse(await k.ok(["create", "--raw", `${BUILDS}/long/cancel`, "-f", body])) as {
      status: { phase: string };
    };
    assert.equal(answer.status.phase, "Cancelled");
    assert.equal(
      await k.ok(["get", "build", "long", "-o", 'jsonpath={.status.conditions[?(@.type=="Complete")].message}']),
      "cancelled by admin: wrong branch",
    );
    const again = await k.run(["create", "--raw", `${BUILDS}/long/cancel`, "-f", body]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Error from server \(Conflict\).*the build has already ended \(Cancelled\)/);
  });
});
