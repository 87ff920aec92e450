// The benchmark suite's smoke run, as CI runs it: every scenario starts, measures and reports
// (`npm run bench -- --quick`). No speed is asserted; a scenario that fails to run fails this.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const results = `${root}bench/results/quick.json.tmp`;

test("npm run bench -- --quick runs every scenario and reports each row", { timeout: 10 * 60_000 }, async () => {
  const docBefore = statSync(`${root}docs/benchmarks.md`).mtimeMs;
  const started = Date.now();
  const child = spawn(process.execPath, ["bench/run.mjs", "--quick"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdout.resume();
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  const written = JSON.parse(readFileSync(results, "utf8"));
  assert.equal(written.mode, "quick");
  assert.ok(Date.parse(written.scenarios[0].ranAt) >= started - 1000, "the results are this run's");
  const names = written.scenarios.map((s) => s.scenario);
  assert.deepEqual(names, ["serving", "storage", "list", "watch", "codegen", "controller", "cel", "listener"]);
  for (const scenario of written.scenarios) {
    assert.equal(scenario.error, undefined, `${scenario.scenario}: ${scenario.error}`);
    assert.ok(
      (scenario.rows ?? []).length + (scenario.figures ?? []).length > 0,
      `${scenario.scenario} reported nothing`,
    );
    for (const row of scenario.rows ?? []) {
      assert.ok(Number.isFinite(row.ours.value) && row.ours.value > 0, `${scenario.scenario}: ${row.title}`);
      if (row.ratio !== undefined) assert.ok(Number.isFinite(row.ratio) && row.ratio > 0, row.title);
    }
  }
  assert.equal(statSync(`${root}docs/benchmarks.md`).mtimeMs, docBefore, "a quick run never rewrites the docs");
});
