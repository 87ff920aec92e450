import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { LeanCounter, LeanHistogram } from "./series.js";

describe("lean series in a prom-client registry", () => {
  it("exposes counters and cumulative histogram buckets in Prometheus text", async () => {
    const registry = new Registry();
    const counter = new LeanCounter("demo_total", "Demo counter.", ["verb", "code"], registry);
    const histogram = new LeanHistogram("demo_seconds", "Demo latency.", ["verb"], registry, [0.1, 1]);
    const labels = { verb: "GET", code: "200" };
    counter.inc(labels);
    labels.code = "404";
    counter.inc(labels, 2);
    histogram.observe({ verb: "GET" }, 0.05);
    histogram.observe({ verb: "GET" }, 0.1);
    histogram.observe({ verb: "GET" }, 0.5);
    histogram.observe({ verb: "GET" }, 7);
    const text = await registry.metrics();
    assert.equal(
      text,
      [
        "# HELP demo_total Demo counter.",
        "# TYPE demo_total counter",
        'demo_total{verb="GET",code="200"} 1',
        'demo_total{verb="GET",code="404"} 2',
        "",
        "# HELP demo_seconds Demo latency.",
        "# TYPE demo_seconds histogram",
        'demo_seconds_bucket{verb="GET",le="0.1"} 2',
        'demo_seconds_bucket{verb="GET",le="1"} 3',
        'demo_seconds_bucket{verb="GET",le="+Inf"} 4',
        'demo_seconds_sum{verb="GET"} 7.65',
        'demo_seconds_count{verb="GET"} 4',
        "",
      ].join("\n"),
    );
    counter.reset();
    assert.deepEqual((await counter.get()).values, []);
  });
});
