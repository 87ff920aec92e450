import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  findStatusCondition,
  type KubeObject,
  ResourceClient,
  RestClient,
  type RestConfig,
  restConfigFromKubeconfigFile,
} from "@apiserver-kit/controller";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import type { Build, BuildStep } from "./apis/ci/v1alpha1/build.js";
import { buildType } from "./generated/kinds.js";
import { COMPLETE_CONDITION } from "./runner/phases.js";
import { serverOptions } from "./server.js";

const BUILDS = "/apis/ci.example.com/v1alpha1/namespaces/default/builds";

interface Answer {
  status: number;
  body: string;
}

/** A GET or POST as the local admin; `onChunk` sees the body as it arrives. */
function call(
  config: RestConfig,
  path: string,
  options: { method?: string; body?: unknown; onChunk?: (text: string) => void } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${config.server}${path}`,
      {
        method: options.method ?? "GET",
        ...(config.ca ? { ca: config.ca } : {}),
        ...(config.cert ? { cert: config.cert } : {}),
        ...(config.key ? { key: config.key } : {}),
        headers: { "Content-Type": "application/json" },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          options.onChunk?.(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

/** Polls `probe` until it returns a value; gives up after 20 s (a safety net, not a speed check). */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("builds, with the runner in the server process", () => {
  let dataDir: string;
  let running: RunningServer | undefined;
  let config: RestConfig;
  let rest: RestClient;
  let builds: ResourceClient<Build & KubeObject>;
  const create = (name: string, steps: BuildStep[]) =>
    builds.create({
      apiVersion: "ci.example.com/v1alpha1",
      kind: "Build",
      metadata: { name, namespace: "default" },
      spec: { steps },
    });
  const phase = (name: string, wanted: string) =>
    waitFor(async () => {
      const build = await builds.get({ namespace: "default", name });
      return build.status?.phase === wanted ? build : undefined;
    }, `${name} ${wanted}`);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "builds-test-"));
    const argv = ["--secure-port=0", "--bind-address=127.0.0.1", "--storage=memory", `--data-dir=${dataDir}`];
    running = await runServer({ ...serverOptions(argv), log: () => {}, signals: false });
    assert.ok(running?.kubeconfig);
    config = await restConfigFromKubeconfigFile(running.kubeconfig);
    rest = new RestClient(config);
    builds = new ResourceClient<Build & KubeObject>(rest, buildType);
  });
  after(async () => {
    rest?.close();
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists the custom subresources in discovery, with their verbs", async () => {
    const list = JSON.parse((await call(config, "/apis/ci.example.com/v1alpha1")).body) as {
      resources: Array<{ name: string; verbs: string[] }>;
    };
    const verbs = Object.fromEntries(list.resources.map((r) => [r.name, r.verbs]));
    assert.deepEqual(verbs["builds/cancel"], ["create"]);
    assert.deepEqual(verbs["builds/log"], ["get"]);
  });

  it("validates steps", async () => {
    const refused = await call(config, BUILDS, {
      method: "POST",
      body: {
        apiVersion: "ci.example.com/v1alpha1",
        kind: "Build",
        metadata: { name: "bad" },
        spec: { steps: [{ name: "Compile", exitCode: 300 }] },
      },
    });
    assert.equal(refused.status, 422, refused.body);
    assert.match(refused.body, /spec\.steps\[0\]\.name/);
    assert.match(refused.body, /spec\.steps\[0\]\.exitCode/);
  });

  it("runs the steps, reports progress in status and keeps their lines for log", async () => {
    await create("ok", [
      { name: "compile", seconds: 0.1, output: ["compiling a.ts", "compiling b.ts"] },
      { name: "test", seconds: 0.1, output: ["2 tests passed"] },
    ]);
    const done = await phase("ok", "Succeeded");
    assert.equal(done.status?.completedSteps, 2);
    assert.equal(findStatusCondition(done.status?.conditions, COMPLETE_CONDITION)?.message, "2 step(s) succeeded");
    const log = await call(config, `${BUILDS}/ok/log`);
    assert.equal(log.status, 200);
    assert.equal(
      log.body,
      [
        "==> compile",
        "compiling a.ts",
        "compiling b.ts",
        "<== compile exited with code 0",
        "==> test",
        "2 tests passed",
        "<== test exited with code 0",
        "",
      ].join("\n"),
    );
    assert.equal((await call(config, `${BUILDS}/ok/log?tailLines=1`)).body, "<== test exited with code 0\n");
    // tailLines is an int64 of BuildLogOptions: the server converts it (400 on a malformed one),
    // the handler refuses a negative one before streaming, as pods/log does.
    const malformed = await call(config, `${BUILDS}/ok/log?tailLines=x`);
    assert.equal(malformed.status, 400);
    assert.match(malformed.body, /strconv\.ParseInt: parsing \\"x\\": invalid syntax/);
    const negative = await call(config, `${BUILDS}/ok/log?tailLines=-1`);
    assert.equal(negative.status, 422, negative.body);
    assert.match(
      negative.body,
      /BuildLogOptions\.ci\.example\.com \\"ok\\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/,
    );
  });

  it("streams the log while the build runs with follow=true, and ends the response when it ends", async () => {
    await create("followed", [{ name: "slow", seconds: 1, output: ["one", "two", "three"] }]);
    let seen = "";
    let firstLineAt = "";
    const answer = call(config, `${BUILDS}/followed/log?follow=true`, {
      onChunk: (chunk) => {
        seen += chunk;
        if (!firstLineAt && seen.includes("one\n")) firstLineAt = seen;
      },
    });
    await phase("followed", "Running");
    const ended = await answer;
    assert.equal(ended.body, "==> slow\none\ntwo\nthree\n<== slow exited with code 0\n");
    assert.doesNotMatch(firstLineAt, /three/, "lines arrived before the build ended");
    assert.equal((await builds.get({ namespace: "default", name: "followed" })).status?.phase, "Succeeded");
  });

  it("fails the build at the first step that exits non-zero", async () => {
    await create("broken", [
      { name: "lint", seconds: 0, exitCode: 3 },
      { name: "never", seconds: 0 },
    ]);
    const failed = await phase("broken", "Failed");
    const condition = findStatusCondition(failed.status?.conditions, COMPLETE_CONDITION);
    assert.deepEqual([condition?.reason, condition?.message], ["StepFailed", "step lint exited with code 3"]);
    assert.doesNotMatch((await call(config, `${BUILDS}/broken/log`)).body, /never/);
  });

  it("cancels a running build through the cancel action, once", async () => {
    await create("long", [{ name: "forever", seconds: 600, output: ["tick"] }]);
    await phase("long", "Running");
    // The body is a BuildCancelRequest (src/apis): a reason that is not a string never reaches the handler.
    const refused = await call(config, `${BUILDS}/long/cancel`, { method: "POST", body: { reason: 5 } });
    assert.equal(refused.status, 422, refused.body);
    assert.match(refused.body, /BuildCancelRequest\.ci\.example\.com \\"long\\" is invalid: reason: Invalid value/);
    const cancelled = await call(config, `${BUILDS}/long/cancel`, { method: "POST", body: { reason: "not needed" } });
    assert.equal(cancelled.status, 201, cancelled.body);
    const build = JSON.parse(cancelled.body) as Build;
    assert.equal(build.status?.phase, "Cancelled");
    assert.equal(
      findStatusCondition(build.status?.conditions, COMPLETE_CONDITION)?.message,
      "cancelled by admin: not needed",
    );
    const log = await waitFor(async () => {
      const body = (await call(config, `${BUILDS}/long/log`)).body;
      return body.endsWith("build stopped\n") ? body : undefined;
    }, "the runner to stop");
    assert.equal(log, "==> forever\nbuild stopped\n");
    const again = await call(config, `${BUILDS}/long/cancel`, { method: "POST", body: {} });
    assert.equal(again.status, 409, again.body);
    assert.match(again.body, /the build has already ended \(Cancelled\)/);
  });
});
