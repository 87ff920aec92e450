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

  it("counts a request the same whether its labels are shared (frozen) or built per request", async () => {
    const metrics = new ApiServerMetrics({ processMetrics: false });
    const labels = {
      verb: "GET",
      group: "wardle.example.com",
      version: "v1alpha1",
      resource: "flunders",
      subresource: "",
      scope: "resource",
      component: "apiserver",
    };
    const shared = Object.freeze({ ...labels });
    const total = async () =>
      (await metrics.requests.get()).values
        .filter((v) => v.labels.resource === "flunders" && v.labels.code === "200")
        .reduce((sum, v) => sum + v.value, 0);
    metrics.observeRequest(shared, "", 200, 0.001, 10);
    metrics.observeRequest({ ...labels }, "", 200, 0.001, 10);
    metrics.observeRequest(shared, "", 200, 0.001, 10);
    metrics.observeRequest(shared, "", 404, 0.001, 10);
    assert.equal(await total(), 3, "one series for both kinds of labels");
    metrics.requests.reset();
    metrics.observeRequest(shared, "", 200, 0.001, 10);
    assert.equal(await total(), 1, "a reset starts the shared labels' series again");
  });
});
