import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRequestInfo } from "../request/request-info.js";
import { ApiServerMetrics, dryRunLabel, metricScope, reportedVerb } from "./metrics.js";

const GV = "/apis/wardle.example.com/v1alpha1";

function verbOf(method: string, url: string, contentType?: string): [string, string] {
  const [path = "", q = ""] = url.split("?");
  const info = parseRequestInfo(method, path, new URLSearchParams(q));
  return [reportedVerb(method, info, contentType), metricScope(info)];
}

describe("metric labels as kube-apiserver reports them", () => {
  it("reports verbs and scopes like endpoints/metrics", () => {
    assert.deepEqual(verbOf("GET", `${GV}/namespaces/ns/flunders/a`), ["GET", "resource"]);
    assert.deepEqual(verbOf("GET", `${GV}/namespaces/ns/flunders`), ["LIST", "namespace"]);
    assert.deepEqual(verbOf("GET", `${GV}/flunders`), ["LIST", "cluster"]);
    assert.deepEqual(verbOf("GET", `${GV}/namespaces/ns/flunders?watch=true`), ["WATCH", "namespace"]);
    assert.deepEqual(verbOf("GET", `${GV}/watch/namespaces/ns/flunders`), ["WATCH", "namespace"]);
    assert.deepEqual(verbOf("POST", `${GV}/namespaces/ns/flunders`), ["POST", "resource"]);
    assert.deepEqual(verbOf("PUT", `${GV}/namespaces/ns/flunders/a/status`), ["PUT", "resource"]);
    assert.deepEqual(verbOf("PATCH", `${GV}/namespaces/ns/flunders/a`, "application/merge-patch+json"), [
      "PATCH",
      "resource",
    ]);
    assert.deepEqual(verbOf("PATCH", `${GV}/namespaces/ns/flunders/a`, "application/apply-patch+yaml"), [
      "APPLY",
      "resource",
    ]);
    assert.deepEqual(verbOf("DELETE", `${GV}/namespaces/ns/flunders`), ["DELETE", "namespace"]);
    assert.deepEqual(verbOf("GET", "/apis"), ["GET", ""]);
    assert.deepEqual(verbOf("OPTIONS", `${GV}/flunders`), ["other", "cluster"]);
  });

  it("labels dry runs as sorted, de-duplicated values, or invalid", () => {
    assert.equal(dryRunLabel(new URLSearchParams("")), "");
    assert.equal(dryRunLabel(new URLSearchParams("dryRun=All&dryRun=All")), "All");
    assert.equal(dryRunLabel(new URLSearchParams("dryRun=Some")), "invalid");
  });

  it("reports the high-water mark of requests in flight since the last scrape", async () => {
    const metrics = new ApiServerMetrics({ processMetrics: false });
    metrics.inflightStarted("readOnly");
    metrics.inflightStarted("readOnly");
    metrics.inflightDone("readOnly");
    metrics.inflightDone("readOnly");
    const value = async () =>
      (await metrics.inflight.get()).values.find((v) => v.labels.request_kind === "readOnly")?.value;
    assert.equal(await value(), 2, "two were in flight at once");
    assert.equal(await value(), 0, "none since");
  });
});
