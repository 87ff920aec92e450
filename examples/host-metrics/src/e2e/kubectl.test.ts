/**
 * The computed API end to end with kubectl, as a user drives it: the server as `npm start`
 * runs it (with --metric-resolution), `kubectl get` with the printer columns, a label
 * selector, a watch that sees a process start and end, explain, and create refused.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { nodeNameOf } from "../metrics/usage.js";
import { serverOptions } from "../server.js";

const MINOR = 33;

describe("host metrics with kubectl", { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` }, () => {
  let dir: string;
  let running: RunningServer | undefined;
  let k: Kubectl;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "host-metrics-e2e-"));
    const argv = [
      "--secure-port=0",
      "--bind-address=127.0.0.1",
      "--storage=memory",
      `--data-dir=${dir}`,
      "--metric-resolution=500ms",
    ];
    running = await runServer({ ...serverOptions(argv), log: () => {}, signals: false });
    assert.ok(running?.kubeconfig);
    k = new Kubectl(MINOR, running.kubeconfig);
  });
  after(async () => {
    k?.dispose();
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows this machine's usage with the printer columns, like kubectl top", async () => {
    const nodes = await k.ok(["get", "nodes.metrics.example.com"]);
    assert.match(nodes, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s+AGE$/m);
    assert.match(nodes, new RegExp(`^${nodeNameOf().replace(/\./g, "\\.")}\\s+\\d+m\\s+\\d+Ki\\s+\\S+s\\s`, "m"));
    const own = await k.ok(["get", "processes", "-l", "command=node", "-o", "wide"]);
    assert.match(own, /^NAME\s+PID\s+COMMAND\s+CPU\s+MEMORY\s+WINDOW\s+AGE$/m);
    assert.match(own, new RegExp(`^pid-${process.pid}\\s+${process.pid}\\s+node\\s+\\d+m\\s+\\d+Ki\\s`, "m"));
    assert.match(await k.ok(["get", "proc", `pid-${process.pid}`, "-o", "jsonpath={.command}"]), /^node$/);
    assert.match(await k.ok(["explain", "processes.usage.cpu"]), /CPU in use, averaged over the window/);
  });

  it("watches a process start and end", async () => {
    const watch = k.spawn(["get", "processes", "-l", "command=sleep", "-w", "--output-watch-events"]);
    const child = spawn("sleep", ["30"]);
    try {
      await watch.waitFor(new RegExp(`ADDED\\s+pid-${child.pid}\\s+${child.pid}\\s+sleep`));
      child.kill("SIGKILL");
      await watch.waitFor(new RegExp(`DELETED\\s+pid-${child.pid}\\s`));
    } finally {
      child.kill("SIGKILL");
      await watch.stop();
    }
  });

  it("refuses writes with the server's 405", async () => {
    // A complete, valid object: kubectl's own validation passes it, and the server refuses the write.
    const refused = await k.run(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "metrics.example.com/v1beta1",
        kind: "ProcessMetrics",
        metadata: { name: "pid-1" },
        pid: 1,
        command: "init",
        state: "S",
        timestamp: "2026-01-01T00:00:00Z",
        window: "10s",
        usage: { cpu: "10m", memory: "1Mi" },
      }),
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error from server \(MethodNotAllowed\)/);
  });
});
