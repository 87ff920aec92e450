import assert from "node:assert/strict";
import { test } from "node:test";
import { axisPosition, RESULTS_END, RESULTS_START, renderMarkdown, renderSvg, spliceResults } from "./report.mjs";

const results = {
  date: "2026-01-01",
  commit: "abc1234",
  command: "npm run bench",
  seconds: 300,
  machine: { cpus: 2, cpuModel: "AMD EPYC", memoryGiB: 24, node: "v20.20.2", kernel: "6.1", loadAverage: [1, 2, 3] },
  scenarios: [
    {
      scenario: "serving",
      rows: [
        {
          id: "get",
          title: "GET one object",
          kind: "ratio",
          ours: { value: 200, unit: "µs" },
          baseline: { value: 100, unit: "µs", label: "bare" },
          ratio: 0.5,
          spread: [0.4, 0.6],
          rounds: 5,
          goal: { op: ">=", value: 0.8 },
          met: false,
        },
        {
          id: "p99",
          title: "p99 | under load",
          kind: "budget",
          ours: { value: 2, unit: "ms" },
          ratio: 0.4,
          spread: [0.4, 0.4],
          rounds: 1,
          goal: { op: "<=", value: 5, unit: " ms" },
          met: true,
        },
      ],
      figures: [{ title: "reviews", value: 3, unit: "reviews" }],
    },
    { scenario: "storage", error: "etcd missing\nstack" },
  ],
};

test("the table has one line per row, the verdicts, escaped pipes, and failures", () => {
  const md = renderMarkdown(results, "benchmarks.svg");
  assert.match(
    md,
    /\| GET one object \| 200 µs \| 100 µs<br>bare \| 0\.50x \| ≥ 0\.8x \| \*\*missed\*\* \| 0\.40–0\.60x \(5\) \|/,
  );
  assert.match(md, /p99 \\\| under load/);
  assert.match(md, /\| ≤ 5 ms \| met \|/);
  assert.match(md, /storage did not complete:\*\* etcd missing$/m);
  assert.match(md, /serving: reviews: \*\*3\.00 reviews\*\*/);
  assert.match(md, /Reproduce: `npm run bench`/);
});

test("results replace the marked section and keep the hand-written text around it", () => {
  const doc = `# Benchmarks\n\nintro\n\n${RESULTS_START}\nold\n${RESULTS_END}\n\n## Analysis\nkept`;
  const next = spliceResults(doc, "new");
  assert.match(next, /intro\n\n<!-- bench results[^\n]*\nnew\n<!-- end of bench results -->\n\n## Analysis\nkept$/);
  assert.equal(spliceResults("# Only a title", "x"), `# Only a title\n\n${RESULTS_START}\nx\n${RESULTS_END}\n`);
});

test("the chart's axis is logarithmic and clamped", () => {
  assert.equal(axisPosition(0.1, { width: 200 }), 0);
  assert.equal(axisPosition(1, { width: 200 }), 100);
  assert.equal(axisPosition(10, { width: 200 }), 200);
  assert.equal(axisPosition(1000, { width: 200 }), 200);
});

test("the chart has a bar per goal, colored by verdict, with escaped text", () => {
  const svg = renderSvg(results);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 2);
  assert.match(svg, /fill="#d0343a"/);
  assert.match(svg, /fill="#2e9d4c"/);
  assert.match(svg, /0\.50x \(≥ 0\.8x\) missed/);
  assert.match(svg, /2\.00 ms \(≤ 5 ms\) met/);
  assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
});
