/**
 * The README's quick start (`npm run demo` = setup, build, then scripts/demo.mjs): `scaffold
 * new-api` a demo project, `scaffold run` it on SQLite, and print what to try. The test runs
 * scripts/demo.mjs (the checkout is already set up and built) into a temp directory on a free
 * port, then does what the printed text says with kubectl.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { ownCheckoutRoot } from "../checkout/checkout.js";
import { CliProcess } from "../testing/cli-process.js";

const MINOR = 33;
const demoScript = join(ownCheckoutRoot(), "scripts", "demo.mjs");

describe(
  "the README's quick start",
  { skip: (!hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed`) || (!existsSync(demoScript) && "no demo") },
  () => {
    let parent: string;
    let demo: CliProcess | undefined;
    before(() => {
      parent = mkdtempSync(join(tmpdir(), "quick-start-"));
    });
    after(async () => {
      await demo?.stop();
      rmSync(parent, { recursive: true, force: true });
    });

    it("creates the demo project, serves it on SQLite and prints commands that work", async () => {
      const project = join(parent, "demo-project");
      demo = new CliProcess([], ownCheckoutRoot(), {
        script: demoScript,
        env: { ...process.env, DEMO_PROJECT: project, DEMO_PORT: "0" },
      });
      const [, kubeconfig = ""] = await demo.waitFor(/^ {2}export KUBECONFIG=(\S+)$/m, 0, 180_000);
      await demo.waitFor(/Ctrl-C stops the server/);
      assert.ok(existsSync(join(project, "PROJECT")), "scaffold new-api made the project");
      assert.ok(existsSync(join(project, ".data")), "SQLite data in the project's .data");
      const printed = demo.output;
      const manifest = /cat <<'YAML' \| kubectl create -f -\n([\s\S]*?)\n {2}YAML\n/.exec(printed)?.[1];
      assert.ok(manifest, `no manifest in:\n${printed}`);

      const k = new Kubectl(MINOR, kubeconfig);
      try {
        assert.match(
          await k.ok(["api-resources", "--api-group=demo.example.com"]),
          /^widgets\s+demo\.example\.com\/v1alpha1\s+true\s+Widget$/m,
        );
        assert.match(await k.ok(["explain", "widgets.spec"]), /replicas/);
        const yaml = `${manifest
          .split("\n")
          .map((line) => line.slice(2))
          .join("\n")}\n`;
        assert.match(
          await k.ok(["create", "-f", "-"], { input: yaml }),
          /widget\.demo\.example\.com\/my-widget created/,
        );
        await k.ok(["wait", "--for=condition=Ready", "widget/my-widget", "--timeout=60s"]);
        assert.match(await k.ok(["get", "widgets"]), /^my-widget\s+2\s+True\s/m);
        assert.match(await k.ok(["scale", "widget", "my-widget", "--replicas=3"]), /scaled/);
        assert.match(await k.ok(["delete", "widget", "my-widget"]), /deleted/);
      } finally {
        k.dispose();
      }
      assert.equal(await demo.stop(), 0);
    });
  },
);
