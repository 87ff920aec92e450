import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProcFiles } from "./proc.js";
import { MEMINFO, PROCESS_STAT } from "./testdata.js";
import {
  cpuQuantity,
  labelValue,
  memoryQuantity,
  metaTime,
  NodeMetricsSource,
  nodeNameOf,
  ProcessMetricsSource,
} from "./usage.js";

/** A /proc whose files the test changes between readings. */
function fakeProc(files: Record<string, string>): ProcFiles & { files: Record<string, string> } {
  return {
    files,
    read: (path) => files[path],
    pids: () => [...new Set(Object.keys(files).flatMap((path) => /^(\d+)\//.exec(path)?.[1] ?? []))].map(Number),
  };
}
const stat = (busy: number, idle: number) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\nbtime 1700000000\n`;
const NOW = Date.parse("2025-01-02T03:04:05Z");

describe("usage over a window", () => {
  it("averages the machine's CPU since boot, then between readings", () => {
    const proc = fakeProc({ stat: stat(5000, 15000), meminfo: MEMINFO, uptime: "100.00 0\n" });
    const node = new NodeMetricsSource({ files: proc, nodeName: "box", now: () => NOW });
    const first = node.compute();
    assert.deepEqual(first, {
      apiVersion: "metrics.example.com/v1beta1",
      kind: "NodeMetrics",
      metadata: { name: "box", creationTimestamp: "2023-11-14T22:13:20Z" },
      timestamp: "2025-01-02T03:04:05Z",
      window: "1m40s",
      usage: { cpu: "500m", memory: "4000000Ki" },
    });
    proc.files.stat = stat(5000 + 3000, 15000 + 1000);
    proc.files.uptime = "115.00 0\n";
    const second = node.compute();
    assert.equal(second.window, "15s");
    assert.equal(second.usage.cpu, "2000m", "30 s of CPU in 15 s: two cores busy");
  });

  it("averages a process's CPU since it started, then between readings, and starts afresh for a reused pid", () => {
    const proc = fakeProc({
      stat: stat(0, 0),
      meminfo: MEMINFO,
      uptime: "70.00 0\n", // the process started 50 s after boot: it has run 20 s
      "42/stat": PROCESS_STAT,
      "42/status": "VmRSS:\t2048 kB\n",
    });
    const processes = new ProcessMetricsSource({ files: proc, now: () => NOW });
    const [first] = processes.compute();
    assert.deepEqual(first, {
      apiVersion: "metrics.example.com/v1beta1",
      kind: "ProcessMetrics",
      metadata: {
        name: "pid-42",
        labels: { command: "tmux__a__b" },
        creationTimestamp: "2023-11-14T22:14:10Z",
      },
      pid: 42,
      command: "tmux: a) b",
      state: "S",
      timestamp: "2025-01-02T03:04:05Z",
      window: "20s",
      usage: { cpu: "200m", memory: "2048Ki" },
    });
    proc.files["42/stat"] = PROCESS_STAT.replace(" 300 100 ", " 500 200 ");
    proc.files.uptime = "80.00 0\n";
    const [second] = processes.compute();
    assert.equal(second?.window, "10s");
    assert.equal(second?.usage.cpu, "300m", "300 ticks in 10 s");
    proc.files["42/stat"] = PROCESS_STAT.replace(" 5000 1000 ", " 7500 1000 ");
    const [reused] = processes.compute();
    assert.equal(reused?.window, "5s", "another process with the same pid: measured from its own start");
  });

  it("forgets processes that ended", () => {
    const proc = fakeProc({
      stat: stat(0, 0),
      meminfo: MEMINFO,
      uptime: "70 0",
      "42/stat": PROCESS_STAT,
      "42/status": "",
    });
    const processes = new ProcessMetricsSource({ files: proc });
    assert.equal(processes.compute().length, 1);
    delete proc.files["42/stat"];
    assert.deepEqual(processes.compute(), []);
  });

  it("formats quantities, times, label values and names as Kubernetes expects", () => {
    assert.equal(cpuQuantity(0.2504), "250m");
    assert.equal(cpuQuantity(-0.001), "0m", "a counter that went backwards is no negative usage");
    assert.equal(memoryQuantity(1536), "1536Ki");
    assert.equal(metaTime(Date.parse("2025-01-02T03:04:05.678Z")), "2025-01-02T03:04:05Z");
    assert.equal(labelValue("(sd-pam)"), "sd-pam");
    assert.equal(labelValue("kworker/0:1H-events"), "kworker_0_1H-events");
    assert.equal(labelValue("..."), "unknown");
    assert.equal(nodeNameOf("Build_Box.Example.COM"), "build-box.example.com");
  });
});
