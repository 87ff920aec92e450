/**
 * The wardle example end to end with kubectl, as a user drives it: the server with its
 * controller (what `npm start` runs), both versions of Flunder with the hand-written
 * conversion visible through fully qualified resource names, a CEL rule from a marker,
 * BanFlunder refusing a banned name, the fischers/ban action, and the controller's status.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, runServer } from "@apiserver-kit/runtime";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { serverOptions } from "../server.js";

const MINOR = 33;
const yaml = (lines: string[]) => `${lines.join("\n")}\n`;

describe("wardle with kubectl", { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` }, () => {
  let dir: string;
  let running: RunningServer | undefined;
  let k: Kubectl;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wardle-e2e-"));
    const argv = ["--secure-port=0", "--bind-address=127.0.0.1", "--storage=sqlite", `--data-dir=${dir}/data`];
    running = await runServer({ ...serverOptions(argv), log: () => {}, signals: false });
    assert.ok(running?.kubeconfig);
    k = new Kubectl(MINOR, running.kubeconfig);
  });
  after(async () => {
    k?.dispose();
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists both kinds in discovery and explains them", async () => {
    const resources = await k.ok(["api-resources", "--api-group=wardle.example.com", "--no-headers"]);
    assert.match(resources, /^fischers\s+wardle\.example\.com\/v1alpha1\s+false\s+Fischer$/m);
    assert.match(resources, /^flunders\s+wardle\.example\.com\/v1beta1\s+true\s+Flunder$/m);
    assert.match(await k.ok(["explain", "fischers.disallowedFlunders"]), /Flunder\.Names that are disallowed/);
    assert.match(
      await k.ok(["explain", "flunders.spec.reference", "--api-version=wardle.example.com/v1alpha1"]),
      /A name of another flunder or fischer/,
    );
  });

  it("shows one Flunder through v1alpha1 and v1beta1, and the controller's status", async () => {
    await k.ok(["create", "-f", "-"], {
      input: yaml([
        "apiVersion: wardle.example.com/v1alpha1",
        "kind: Flunder",
        "metadata:",
        "  name: my-flunder",
        "spec:",
        "  reference: trout",
        "  referenceType: Fischer",
      ]),
    });
    const alpha = await k.ok(["get", "flunders.v1alpha1.wardle.example.com", "my-flunder", "-o", "yaml"]);
    assert.match(alpha, /^apiVersion: wardle\.example\.com\/v1alpha1$/m);
    assert.match(alpha, /^ {2}reference: trout\n {2}referenceType: Fischer$/m);
    const beta = await k.ok(["get", "flunders.v1beta1.wardle.example.com", "my-flunder", "-o", "yaml"]);
    assert.match(beta, /^apiVersion: wardle\.example\.com\/v1beta1$/m);
    assert.match(beta, /^ {2}fischerReference: trout\n {2}referenceType: Fischer$/m);
    assert.doesNotMatch(beta, /^ {2}reference:/m);
    // The controller: no Fischer "trout" yet, then one.
    await k.ok(["wait", "--for=condition=ReferenceResolved=false", "flunder/my-flunder", "--timeout=30s"]);
    assert.equal(
      await k.ok(["get", "flunder", "my-flunder", "-o", `jsonpath={.status.conditions[0].message}`]),
      'fischer "trout" does not exist',
    );
    assert.match(
      await k.ok(["get", "flunders.v1alpha1.wardle.example.com"]),
      /^NAME\s+REFERENCE\s+TYPE\s+RESOLVED\s+AGE\nmy-flunder\s+trout\s+Fischer\s+False\s/m,
    );
    assert.match(
      await k.ok(["get", "flunders.v1beta1.wardle.example.com"]),
      /^NAME\s+FLUNDER-REF\s+FISCHER-REF\s+RESOLVED\s+AGE\nmy-flunder\s+trout\s+False\s/m,
    );

    await k.ok(["create", "-f", "-"], {
      input: yaml(["apiVersion: wardle.example.com/v1alpha1", "kind: Fischer", "metadata:", "  name: trout"]),
    });
    await k.ok(["wait", "--for=condition=ReferenceResolved", "flunder/my-flunder", "--timeout=30s"]);
    const uid = await k.ok(["get", "fischer", "trout", "-o", "jsonpath={.metadata.uid}"]);
    assert.equal(await k.ok(["get", "flunder", "my-flunder", "-o", "jsonpath={.status.referenceUID}"]), uid);
    assert.match(await k.ok(["get", "flunders"]), /^my-flunder\s+trout\s+True\s/m);
  });

  it("refuses an object that breaks a CEL rule from a TypeScript marker, with the rule's message on its field", async () => {
    // v1beta1 FlunderSpec's @validation marker: the two references are mutually exclusive.
    const refused = await k.run(["create", "-f", "-"], {
      input: yaml([
        "apiVersion: wardle.example.com/v1beta1",
        "kind: Flunder",
        "metadata:",
        "  name: both-refs",
        "spec:",
        "  flunderReference: a",
        "  fischerReference: b",
      ]),
    });
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'The Flunder "both-refs" is invalid: spec: Invalid value: "object": flunderReference and fischerReference are mutually exclusive',
    );
    const missing = await k.run(["get", "flunder", "both-refs"]);
    assert.match(missing.stderr, /NotFound/);
  });

  it("refuses a banned name (BanFlunder), also after a ban through fischers/ban", async () => {
    await k.ok(["create", "-f", "-"], {
      input: yaml([
        "apiVersion: wardle.example.com/v1alpha1",
        "kind: Fischer",
        "metadata:",
        "  name: strict",
        "disallowedFlunders: [evil]",
      ]),
    });
    const flunderNamed = (name: string) =>
      yaml(["apiVersion: wardle.example.com/v1beta1", "kind: Flunder", "metadata:", `  name: ${name}`]);
    const refused = await k.run(["create", "-f", "-"], { input: flunderNamed("evil") });
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": flunders.wardle.example.com "evil" is forbidden: this name may not be used, please change the resource name (fischer "strict" disallows it)',
    );
    await k.ok(["create", "-f", "-"], { input: flunderNamed("ugly") });
    const body = join(dir, "ban.json");
    writeFileSync(body, JSON.stringify({ flunder: "uglier" }));
    await k.ok(["create", "--raw", "/apis/wardle.example.com/v1alpha1/fischers/strict/ban", "-f", body]);
    assert.equal(await k.ok(["get", "fischer", "strict", "-o", "jsonpath={.disallowedFlunders}"]), '["evil","uglier"]');
    const refusedAgain = await k.run(["create", "-f", "-"], { input: flunderNamed("uglier") });
    assert.match(refusedAgain.stderr, /"uglier" is forbidden: this name may not be used/);
  });
});
