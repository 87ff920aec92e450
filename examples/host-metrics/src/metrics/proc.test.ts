import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ProcFormatError,
  parseNodeSample,
  parseProcessStat,
  parseRssKiB,
  procFiles,
  readNodeSample,
  readProcessSamples,
} from "./proc.js";
import { MEMINFO, PROCESS_STAT, STAT } from "./testdata.js";

describe("reading /proc", () => {
  it("parses the machine's counters: busy ticks exclude idle and iowait; memory used is total minus available", () => {
    assert.deepEqual(parseNodeSample(STAT, MEMINFO, "120.50 200.00\n"), {
      uptimeSeconds: 120.5,
      bootTimeMs: 1_700_000_000_000,
      busyTicks: 1500,
      memoryUsedKiB: 4_000_000,
    });
  });

  it("parses a process whose command holds spaces and parentheses", () => {
    assert.deepEqual(parseProcessStat(PROCESS_STAT), {
      pid: 42,
      command: "tmux: a) b",
      state: "S",
      cpuTicks: 400,
      startTicks: 5000,
    });
    assert.equal(parseRssKiB("Name:\tnode\nVmRSS:\t   51200 kB\n"), 51200);
    assert.equal(parseRssKiB("Name:\tkthreadd\n"), 0, "kernel threads have no VmRSS");
  });

  it("refuses files of another shape with a typed error", () => {
    assert.throws(
      () => parseNodeSample("intr 1\n", MEMINFO, "1 1"),
      (error: unknown) => {
        assert.ok(error instanceof ProcFormatError);
        assert.equal(error.reason, "ProcFormat");
        assert.equal(error.file, "/proc/stat");
        return true;
      },
    );
    assert.throws(() => parseNodeSample(STAT, "MemTotal: 1 kB\n", "1 1"), /no MemAvailable line/);
    assert.throws(() => parseProcessStat("42 no-parens S"), ProcFormatError);
  });

  it("reads a /proc tree, leaving out a process that ended while being read", () => {
    const root = mkdtempSync(join(tmpdir(), "proc-"));
    try {
      writeFileSync(join(root, "stat"), STAT);
      writeFileSync(join(root, "meminfo"), MEMINFO);
      writeFileSync(join(root, "uptime"), "60.00 100.00\n");
      mkdirSync(join(root, "42"));
      writeFileSync(join(root, "42", "stat"), PROCESS_STAT);
      writeFileSync(join(root, "42", "status"), "VmRSS:\t1024 kB\n");
      mkdirSync(join(root, "43")); // its files are gone
      mkdirSync(join(root, "sys"));
      const files = procFiles(root);
      assert.equal(readNodeSample(files).uptimeSeconds, 60);
      assert.deepEqual(
        readProcessSamples(files).map((p) => [p.pid, p.rssKiB]),
        [[42, 1024]],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("reads the real /proc of this machine", () => {
    const files = procFiles();
    assert.ok(readNodeSample(files).uptimeSeconds > 0);
    const own = readProcessSamples(files).find((p) => p.pid === process.pid);
    assert.equal(own?.command, "node");
    assert.ok((own?.rssKiB ?? 0) > 0);
  });
});
