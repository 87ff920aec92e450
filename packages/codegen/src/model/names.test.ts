import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareKubeVersions,
  isDNS1035Label,
  isDNS1123Subdomain,
  isKindName,
  isKubeVersion,
  pluralize,
} from "./names.js";

describe("names", () => {
  it("orders versions by Kubernetes priority", () => {
    const versions = ["v1alpha1", "v2beta1", "v1", "v1beta2", "v2", "v1beta1", "v11alpha2", "v1alpha2"];
    assert.deepEqual([...versions].sort(compareKubeVersions), [
      "v2",
      "v1",
      "v2beta1",
      "v1beta2",
      "v1beta1",
      "v11alpha2",
      "v1alpha2",
      "v1alpha1",
    ]);
  });

  it("recognises version folder names", () => {
    assert.ok(isKubeVersion("v1"));
    assert.ok(isKubeVersion("v1alpha1"));
    assert.ok(!isKubeVersion("v0"));
    assert.ok(!isKubeVersion("v1gamma1"));
    assert.ok(!isKubeVersion("common"));
  });

  it("pluralizes kinds the usual English way", () => {
    assert.equal(pluralize("Flunder"), "flunders");
    assert.equal(pluralize("Policy"), "policies");
    assert.equal(pluralize("Gateway"), "gateways");
    assert.equal(pluralize("Fix"), "fixes");
    assert.equal(pluralize("Ingress"), "ingresses");
    assert.equal(pluralize("Patch"), "patches");
  });

  it("validates group, resource and kind names", () => {
    assert.ok(isDNS1123Subdomain("wardle.example.com"));
    assert.ok(!isDNS1123Subdomain("Wardle.example.com"));
    assert.ok(!isDNS1123Subdomain("wardle..com"));
    assert.ok(isDNS1035Label("flunders"));
    assert.ok(!isDNS1035Label("1flunders"));
    assert.ok(!isDNS1035Label("Flunders"));
    assert.ok(isKindName("Flunder"));
    assert.ok(!isKindName("flunder"));
  });
});
