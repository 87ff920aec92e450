/**
 * Shows 1 and 3 of the CLI, as a new user would: `scaffold new-api` from the checkout into a temp
 * directory (two kinds, one cluster-scoped), the project's own `npm test`, `scaffold run`, then the
 * real kubectl (on SQLite, then on etcd); then add resource, add version, add subresource, generate --check, docs,
 * manifests and doctor on the same project.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasKubectl, Kubectl } from "@apiserver-kit/runtime/testing";
import { etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { parseAllDocuments } from "yaml";
import { ownCheckoutRoot } from "../checkout/checkout.js";
import { CliProcess, runOutsideTests, scaffold } from "../testing/cli-process.js";

const MINOR = 33;
const GROUP = "shop.example.com";

function manifest(dir: string, name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

async function npmTest(project: string): Promise<string> {
  const result = await runOutsideTests("npm", ["test"], project);
  assert.equal(result.code, 0, `npm test failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `scaffold run` on a free port until its kubeconfig line; a kubectl with a fresh discovery cache. */
async function serve(
  project: string,
  storage: string[] = ["--storage", "sqlite"],
): Promise<{ server: CliProcess; k: Kubectl }> {
  const server = new CliProcess(["run", "--port", "0", ...storage], project);
  const [, kubeconfig] = await server.waitFor(/export KUBECONFIG=(\S+)/, 0, 120_000);
  return { server, k: new Kubectl(MINOR, kubeconfig ?? "") };
}

describe(
  "scaffold, as a new user runs it",
  { skip: !hasKubectl(MINOR) && `kubectl.1.${MINOR} is not installed` },
  () => {
    let parent: string;
    let project: string;
    before(() => {
      parent = mkdtempSync(join(tmpdir(), "scaffold-e2e-"));
      project = join(parent, "shop");
    });
    after(() => rmSync(parent, { recursive: true, force: true }));

    it("creates a project that passes its own tests", async () => {
      // `npx scaffold` from the checkout, as the README says: the workspace's own bin (--no: never the npm package).
      const created = await runOutsideTests(
        "npx",
        [
          "--no",
          "--",
          "scaffold",
          "new-api",
          project,
          "--group",
          GROUP,
          "--kind",
          "Widget",
          "--kind",
          "Gadget:Cluster",
        ],
        ownCheckoutRoot(),
      );
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /==> linking dependencies from /);
      assert.match(created.stdout, /created \S*shop \(shop\.example\.com\/v1alpha1: Widget, Gadget\)/);
      const output = await npmTest(project);
      assert.match(output, /^# fail 0$/m);
      assert.match(output, /ok \d+ - marks a new Gadget Ready/);

      // Inside the project `npx scaffold` is this CLI too (a dev dependency), and the scripts work.
      const inside = await runOutsideTests("npx", ["--no", "--", "scaffold", "generate", "--check"], project);
      assert.equal(inside.code, 0, inside.stderr);
      const build = await runOutsideTests("npm", ["run", "build"], project);
      assert.equal(build.code, 0, build.stdout + build.stderr);
      const help = await runOutsideTests("npm", ["start", "--silent", "--", "--help"], project);
      assert.equal(help.code, 0, help.stderr);
      for (const flag of ["--secure-port", "--storage", "--etcd-servers", "--tls-cert-file", "--client-ca-file"])
        assert.match(help.stdout, new RegExp(`^\\s+${flag}[ =]`, "m"), `npm start -- --help lists ${flag}`);
      assert.match(help.stdout, /--authentication-kubeconfig/);
      assert.match(help.stdout, /--requestheader-client-ca-file/);
    });

    it("serves it with scaffold run to kubectl: discovery, explain, create, get, status, scale, delete, Ready", async () => {
      const { server, k } = await serve(project);
      try {
        const resources = await k.ok(["api-resources", `--api-group=${GROUP}`]);
        assert.match(resources, /^widgets\s+shop\.example\.com\/v1alpha1\s+true\s+Widget$/m);
        assert.match(resources, /^gadgets\s+shop\.example\.com\/v1alpha1\s+false\s+Gadget$/m);

        const explain = await k.ok(["explain", "widgets.spec"]);
        assert.match(explain, /WidgetSpec is the desired state of a Widget\./);
        assert.match(explain, /replicas\s+<integer>\n\s+How many replicas the widget should have\./);
        assert.match(
          await k.ok(["explain", "gadgets"]),
          /A Gadget is a cluster-scoped resource of shop\.example\.com\./,
        );

        const widget = {
          apiVersion: `${GROUP}/v1alpha1`,
          kind: "Widget",
          metadata: { name: "w1" },
          spec: { replicas: 2 },
        };
        assert.match(
          await k.ok(["create", "-f", manifest(parent, "w1.json", widget)]),
          /widget\.shop\.example\.com\/w1 created/,
        );
        await k.ok(["wait", "--for=condition=Ready", "widget/w1", "--timeout=60s"]);
        const table = await k.ok(["get", "widgets"]);
        assert.match(table, /^NAME\s+REPLICAS\s+READY\s+AGE$/m);
        assert.match(table, /^w1\s+2\s+True\s+\d+s$/m);
        assert.equal(await k.ok(["get", "widget", "w1", "-o", "jsonpath={.status.observedGeneration}"]), "1");

        assert.match(await k.ok(["scale", "widget", "w1", "--replicas=3"]), /widget\.shop\.example\.com\/w1 scaled/);
        await k.ok(["wait", "--for=jsonpath={.status.replicas}=3", "widget/w1", "--timeout=60s"]);
        assert.match(
          await k.ok(["get", "widget", "w1", "-o", "jsonpath={.status.conditions[0].message}"]),
          /generation 2 reconciled/,
        );

        const gadget = { apiVersion: `${GROUP}/v1alpha1`, kind: "Gadget", metadata: { name: "g1" }, spec: {} };
        await k.ok(["create", "-f", manifest(parent, "g1.json", gadget)]);
        await k.ok(["wait", "--for=condition=Ready", "gadget/g1", "--timeout=60s"]);
        assert.match(await k.ok(["get", "gadgets"]), /^g1\s+1\s+True\s+\d+s$/m);

        assert.match(await k.ok(["delete", "widget", "w1"]), /widget\.shop\.example\.com "w1" deleted/);
        assert.match(await k.ok(["delete", "gadget", "g1"]), /gadget\.shop\.example\.com "g1" deleted/);
        assert.match(await k.run(["get", "widgets"]).then((r) => r.stderr + r.stdout), /No resources found/);
      } finally {
        k.dispose();
        assert.equal(await server.stop(), 0);
      }
    });

    it(
      "serves it on etcd with scaffold run --storage etcd -- --etcd-servers=…: kubectl's objects are kept in etcd",
      { skip: !etcdAvailable() && "etcd is not installed" },
      async () => {
        const etcd = await startEtcd();
        // etcd is stopped even when the server never starts: a live child would keep this file running.
        const started = serve(project, ["--storage", "etcd", "--", `--etcd-servers=${etcd.endpoint}`]).catch(
          async (error: unknown) => {
            await etcd.stop();
            throw error;
          },
        );
        const { server, k } = await started;
        try {
          const widget = {
            apiVersion: `${GROUP}/v1alpha1`,
            kind: "Widget",
            metadata: { name: "in-etcd" },
            spec: { replicas: 1 },
          };
          await k.ok(["create", "-f", manifest(parent, "in-etcd.json", widget)]);
          await k.ok(["wait", "--for=condition=Ready", "widget/in-etcd", "--timeout=60s"]);
          // Read the key with etcd's own JSON gateway: the object is there, at kube-apiserver's key layout.
          const key = `/registry/${GROUP}/widgets/default/in-etcd`;
          const answer = await fetch(`${etcd.endpoint}/v3/kv/range`, {
            method: "POST",
            body: JSON.stringify({ key: Buffer.from(key).toString("base64") }),
          });
          const range = (await answer.json()) as { kvs?: Array<{ value: string }> };
          assert.equal(range.kvs?.length, 1, `${key} is in etcd`);
          const stored = JSON.parse(Buffer.from(range.kvs?.[0]?.value ?? "", "base64").toString()) as {
            metadata: { name: string; uid: string };
          };
          assert.equal(stored.metadata.name, "in-etcd");
          assert.equal(stored.metadata.uid, await k.ok(["get", "widget", "in-etcd", "-o", "jsonpath={.metadata.uid}"]));
          await k.ok(["delete", "widget", "in-etcd"]);
        } finally {
          k.dispose();
          assert.equal(await server.stop(), 0);
          await etcd.stop();
        }
      },
    );

    it("adds a resource, a version and custom subresources, and keeps generated files in step", async () => {
      for (const args of [
        ["add", "resource", "--kind", "Gizmo", "--short-names", "gz"],
        ["add", "version", "v1beta1"],
        ["add", "subresource", "--kind", "Widget", "approve"],
        ["add", "subresource", "--kind", "Widget", "logs", "--type", "stream"],
        ["add", "subresource", "--kind", "Widget", "history", "--type", "read"],
      ]) {
        const result = await scaffold(args, project);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      }
      assert.equal((await scaffold(["generate", "--check"], project)).code, 0);
      const typeFile = join(project, "src/apis/shop/v1beta1/widget.ts");
      writeFileSync(
        typeFile,
        readFileSync(typeFile, "utf8").replace(
          "  description?: string;\n}",
          "  description?: string;\n  /**\n   * Who owns the widget.\n   * @maxLength 63\n   */\n  owner?: string;\n}",
        ),
      );
      const stale = await scaffold(["generate", "--check"], project);
      assert.equal(stale.code, 1);
      assert.match(
        stale.stderr,
        /generated files are out of date[\s\S]*src\/generated\/resources\.ts[\s\S]*fix: run `scaffold generate`/,
      );
      assert.equal((await scaffold(["generate"], project)).code, 0);
      assert.equal((await scaffold(["generate", "--check"], project)).code, 0);
      // The project's tests now include the conversion round trips of v1beta1.
      const output = await npmTest(project);
      assert.match(output, /ok \d+ - round-trips a v1beta1 object through the storage version/);
      assert.match(output, /^# fail 0$/m);
    });

    it("serves both versions, converts between them and reaches custom subresources", async () => {
      const { server, k } = await serve(project);
      try {
        const resources = await k.ok(["api-resources", `--api-group=${GROUP}`]);
        assert.match(resources, /^gizmos\s+gz\s+shop\.example\.com\/v1beta1\s+true\s+Gizmo$/m);
        const w2 = { apiVersion: `${GROUP}/v1alpha1`, kind: "Widget", metadata: { name: "w2" }, spec: { replicas: 4 } };
        await k.ok(["create", "-f", manifest(parent, "w2.json", w2)]);
        const beta = JSON.parse(await k.ok(["get", `widgets.v1beta1.${GROUP}`, "w2", "-o", "json"]));
        assert.equal(beta.apiVersion, `${GROUP}/v1beta1`);
        assert.equal(beta.spec.replicas, 4);
        const w3 = {
          apiVersion: `${GROUP}/v1beta1`,
          kind: "Widget",
          metadata: { name: "w3" },
          spec: { replicas: 5, owner: "ops" },
        };
        await k.ok(["create", "-f", manifest(parent, "w3.json", w3)]);
        const alpha = JSON.parse(await k.ok(["get", `widgets.v1alpha1.${GROUP}`, "w3", "-o", "json"]));
        assert.equal(alpha.apiVersion, `${GROUP}/v1alpha1`);
        assert.equal(alpha.spec.replicas, 5);

        await k.ok(["wait", "--for=condition=Ready", "widget/w2", "--timeout=60s"]);
        const base = `/apis/${GROUP}/v1alpha1/namespaces/default/widgets/w2`;
        const approved = JSON.parse(
          await k.ok(["create", "--raw", `${base}/approve`, "-f", manifest(parent, "approve.json", {})]),
        );
        assert.ok(approved.metadata.annotations[`${GROUP}/approve-requested-at`]);
        // The body is checked against WidgetApproveRequest, the @actionRequest interface
        // `add subresource` wrote in src/apis, before the handler runs.
        const why = manifest(parent, "why.json", { reason: "release 1.2" });
        const explained = JSON.parse(await k.ok(["create", "--raw", `${base}/approve`, "-f", why]));
        assert.equal(explained.metadata.annotations[`${GROUP}/approve-reason`], "release 1.2");
        const badBody = await k.run([
          "create",
          "--raw",
          `${base}/approve`,
          "-f",
          manifest(parent, "bad.json", { reason: 5 }),
        ]);
        assert.notEqual(badBody.code, 0);
        assert.match(
          badBody.stderr,
          /^The WidgetApproveRequest "w2" is invalid: reason: Invalid value: "integer": reason in body must be of type string/,
        );
        assert.match(await k.ok(["get", "--raw", `${base}/logs`]), /^Ready=True Reconciled: generation 1 reconciled$/m);
        // The stream's options are WidgetLogsOptions (@subresourceOptions), converted by the server.
        assert.equal(await k.ok(["get", "--raw", `${base}/logs?limit=0`]), "");
        const badLimit = await k.run(["get", "--raw", `${base}/logs?limit=many`]);
        assert.match(
          badLimit.stderr,
          /Error from server \(BadRequest\): strconv\.ParseInt: parsing "many": invalid syntax/,
        );
        // What the type can't say, the skeleton checks: a negative limit is refused, not sliced.
        for (const sub of ["logs", "history"]) {
          const negative = await k.run(["get", "--raw", `${base}/${sub}?limit=-1`]);
          assert.match(
            negative.stderr,
            /^The Widget(Logs|History)Options "w2" is invalid: limit: Invalid value: -1: must be greater than or equal to 0$/m,
            sub,
          );
        }

        // The read answers WidgetHistory (@subresourceResponse, written by `add subresource` in the
        // storage version's folder): the server adds its apiVersion and kind, OpenAPI has its schema.
        const [responseVersion] = ["v1alpha1", "v1beta1"].filter((v) =>
          existsSync(join(project, `src/apis/shop/${v}/widget-history-response.ts`)),
        );
        const history = JSON.parse(await k.ok(["get", "--raw", `${base}/history?limit=1`]));
        assert.equal(history.apiVersion, `${GROUP}/${responseVersion}`);
        assert.equal(history.kind, "WidgetHistory");
        assert.deepEqual(
          history.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
          [["Ready", "True"]],
        );
        const openapi = JSON.parse(await k.ok(["get", "--raw", `/openapi/v3/apis/${GROUP}/v1alpha1`]));
        const historySchema = openapi.components.schemas[`com.example.shop.${responseVersion}.WidgetHistory`];
        assert.deepEqual(Object.keys(historySchema.properties), ["apiVersion", "kind", "conditions"]);
        assert.deepEqual(
          openapi.paths[`/apis/${GROUP}/v1alpha1/namespaces/{namespace}/widgets/{name}/history`].get.responses["200"]
            .content["application/json"].schema,
          { $ref: `#/components/schemas/com.example.shop.${responseVersion}.WidgetHistory` },
        );

        const doctor = await scaffold(["doctor"], project);
        assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
        assert.match(doctor.stdout, /ok {7}discovery: GET \/apis\/shop\.example\.com\/v1beta1 answered in/);
        const mismatch = await scaffold(["doctor", "--service", "shop.shop-system.svc"], project);
        assert.equal(mismatch.code, 1);
        assert.match(
          mismatch.stdout,
          /PROBLEM {2}certificate: the serving certificate is not valid for shop\.shop-system\.svc/,
        );
        assert.match(mismatch.stdout, /fix: issue the serving certificate with shop\.shop-system\.svc/);
      } finally {
        k.dispose();
        await server.stop();
      }
    });

    it("writes API reference pages and deploy manifests", async () => {
      assert.equal((await scaffold(["docs"], project)).code, 0);
      const page = readFileSync(join(project, "docs/api/shop.example.com-v1beta1.md"), "utf8");
      const model = JSON.parse(readFileSync(join(project, "src/generated/api-model.json"), "utf8"));
      const descriptions: string[] = [];
      const walk = (type: {
        properties?: Array<{ name: string; description?: string; type: { description?: string } & object }>;
      }) => {
        for (const field of type.properties ?? []) {
          if (field.name === "metadata") continue;
          const text = field.description ?? field.type.description;
          if (text) descriptions.push(text.replace(/\s*\n\s*/g, " "));
          walk(field.type as never);
        }
      };
      for (const kind of model.groups[0].kinds)
        walk(kind.versions.find((v: { name: string }) => v.name === "v1beta1").schema);
      assert.ok(descriptions.includes("Who owns the widget."));
      for (const text of descriptions) assert.ok(page.includes(text), text);

      const manifests = await scaffold(
        ["manifests", "--namespace", "shop-system", "--image", "registry.example.com/shop:1"],
        project,
      );
      assert.equal(manifests.code, 0, manifests.stderr);
      const read = (file: string) =>
        parseAllDocuments(readFileSync(join(project, "deploy", file), "utf8")).map((d) => d.toJSON());
      const apiServices = read("50-apiservices.yaml");
      assert.deepEqual(
        apiServices.map((s) => s.metadata.name),
        ["v1beta1.shop.example.com", "v1alpha1.shop.example.com"],
      );
      const secret = read("serving-cert.yaml")[0];
      const serving = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64"));
      const ca = new X509Certificate(Buffer.from(apiServices[0].spec.caBundle, "base64"));
      assert.ok(serving.verify(ca.publicKey));
      assert.equal(serving.checkHost("shop.shop-system.svc"), "shop.shop-system.svc");
      assert.match(readFileSync(join(project, "Dockerfile"), "utf8"), /^USER 65532:65532$/m);
    });
  },
);
