/**
 * A computed, read-only kind (issue 8): the processes of this machine, read from /proc,
 * served with get, list with label selectors, Table columns and watch; kubectl get,
 * get -w and explain work; create is refused with the server's 405 MethodNotAllowed.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { computedStorage, type StoredObject } from "@apiserver-kit/storage";
import type { ResourceDefinition } from "../model/resource.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { openWatch } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const GROUP = "host.example.com";

/** The processes visible in /proc, as cluster-scoped objects named after their pid. */
function readProcesses(): StoredObject[] {
  const objects: StoredObject[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const rssPages = Number(fields[21] ?? 0);
      objects.push({
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Process",
        metadata: {
          name: `pid-${entry}`,
          labels: {
            command:
              command
                .replace(/[^A-Za-z0-9_.-]/g, "_")
                .slice(0, 63)
                .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "unknown",
          },
        },
        spec: { pid: Number(entry), command, state: fields[0], rssBytes: rssPages * 4096 },
      });
    } catch {
      // The process ended while we read it.
    }
  }
  return objects;
}

function processDefinition(): ResourceDefinition {
  return {
    group: GROUP,
    names: { kind: "Process", plural: "processes", singular: "process", shortNames: ["proc"] },
    scope: "Cluster",
    rest: {
      verbs: ["get", "list", "watch"],
      storage: computedStorage({ keyPrefix: `/registry/${GROUP}/processes/`, compute: readProcesses, intervalMs: 200 }),
    },
    versions: [
      {
        name: "v1alpha1",
        served: true,
        storage: true,
        schema: {
          type: "object",
          description: "A Process is one process running on the machine that serves this API, read from /proc.",
          properties: {
            spec: {
              type: "object",
              description: "What /proc says about the process.",
              properties: {
                pid: { type: "integer", description: "The process id." },
                command: { type: "string", description: "The command name, from /proc/<pid>/stat." },
                state: { type: "string", description: "One letter: R running, S sleeping, Z zombie, ..." },
                rssBytes: { type: "integer", description: "Resident memory in bytes." },
              },
            },
          },
        },
        additionalPrinterColumns: [
          { name: "PID", type: "integer", jsonPath: ".spec.pid" },
          { name: "Command", type: "string", jsonPath: ".spec.command" },
          { name: "State", type: "string", jsonPath: ".spec.state" },
          { name: "RSS", type: "integer", jsonPath: ".spec.rssBytes", priority: 1 },
        ],
      },
    ],
  };
}

const base = `/apis/${GROUP}/v1alpha1/processes`;

describe("a computed, read-only kind", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: [processDefinition()] });
  });
  after(async () => {
    await server.close();
  });

  it("gets, lists with label selectors, and renders Table columns", async () => {
    const own = await server.request(`${base}/pid-${process.pid}`);
    assert.equal(own.status, 200, own.body);
    assert.equal(own.json<{ spec: { pid: number } }>().spec.pid, process.pid);
    const nodes = (await server.request(`${base}?labelSelector=command%3Dnode`)).json<{
      items: Array<{ spec: { command: string } }>;
    }>();
    assert.ok(nodes.items.length >= 1);
    assert.ok(nodes.items.every((p) => p.spec.command === "node"));
    const table = (
      await server.request(`${base}?limit=3`, { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" } })
    ).json<{
      columnDefinitions: Array<{ name: string }>;
      rows: unknown[];
      metadata: { continue?: string };
    }>();
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ["Name", "PID", "Command", "State", "RSS", "Age"],
    );
    assert.equal(table.rows.length, 3);
    assert.ok(table.metadata.continue, "paginated like any list");
  });

  it("refuses writes with 405 MethodNotAllowed and leaves them out of discovery", async () => {
    const res = await server.request(base, {
      method: "POST",
      body: { apiVersion: `${GROUP}/v1alpha1`, kind: "Process", metadata: { name: "fake" } },
    });
    assert.equal(res.status, 405);
    assert.equal(res.json().reason, "MethodNotAllowed");
    const list = (await server.request(`/apis/${GROUP}/v1alpha1`)).json<{
      resources: Array<{ name: string; verbs: string[] }>;
    }>();
    assert.deepEqual(list.resources.find((r) => r.name === "processes")?.verbs, ["get", "list", "watch"]);
    assert.equal((await server.request(`${base}/pid-1`, { method: "DELETE" })).status, 405);
    // OpenAPI describes the same verbs: reads only.
    const doc = (await server.request(`/openapi/v3/apis/${GROUP}/v1alpha1`)).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const methods = (path: string) =>
      Object.keys(doc.paths[path] ?? {})
        .filter((m) => ["get", "put", "post", "patch", "delete"].includes(m))
        .sort();
    assert.deepEqual(methods(base), ["get"]);
    assert.deepEqual(methods(`${base}/{name}`), ["get"]);
  });

  it("serves PartialObjectMetadata and field selectors on metadata.name, like any kind", async () => {
    const name = `pid-${process.pid}`;
    const partial = await server.request(`${base}/${name}`, {
      headers: { Accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io" },
    });
    assert.equal(partial.status, 200, partial.body);
    const meta = partial.json<{ kind: string; apiVersion: string; metadata: { name: string }; spec?: unknown }>();
    assert.equal(meta.kind, "PartialObjectMetadata");
    assert.equal(meta.apiVersion, "meta.k8s.io/v1");
    assert.equal(meta.metadata.name, name);
    assert.equal(meta.spec, undefined);
    const selected = (await server.request(`${base}?fieldSelector=metadata.name%3D${name}`)).json<{
      items: Array<{ metadata: { name: string } }>;
    }>();
    assert.deepEqual(
      selected.items.map((i) => i.metadata.name),
      [name],
    );
    const unsupported = await server.request(`${base}?fieldSelector=spec.command%3Dnode`);
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.json().reason, "BadRequest");
  });

  it("watches: a process that starts shows up as ADDED and one that ends as DELETED", async () => {
    const { spawn } = await import("node:child_process");
    const watch = await openWatch(server, `${base}?watch=true&labelSelector=command%3Dsleep`);
    try {
      const child = spawn("sleep", ["30"]);
      const name = `pid-${child.pid}`;
      const waitFor = async (type: string) => {
        for (let i = 0; i < 100; i++) {
          if (watch.events.some((e) => e.type === type && e.object.metadata?.name === name)) return;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.fail(
          `no ${type} event for ${name}: ${JSON.stringify(watch.events.map((e) => [e.type, e.object.metadata?.name]))}`,
        );
      };
      await waitFor("ADDED");
      child.kill("SIGKILL");
      await new Promise((r) => child.on("close", r));
      await waitFor("DELETED");
      const revisions = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
      assert.deepEqual(
        [...revisions].sort((a, b) => a - b),
        revisions,
        "resourceVersions increase",
      );
    } finally {
      watch.close();
    }
  });

  it("answers 410 for a resourceVersion this process never issued", async () => {
    const watch = await openWatch(server, `${base}?watch=true&resourceVersion=5`);
    try {
      const [event] = await watch.waitFor(1);
      assert.equal(event?.type, "ERROR");
      assert.equal(event?.object.code, 410);
    } finally {
      watch.close();
    }
  });
});

describe("kubectl 1.33: the computed kind", { skip: !hasKubectl(33) && "kubectl.1.33 is not installed" }, () => {
  let server: TestServer;
  let k: Kubectl;
  before(async () => {
    server = await startTestServer({ resources: [processDefinition()] });
    k = new Kubectl(33, server.kubeconfig);
  });
  after(async () => {
    k.dispose();
    await server.close();
  });

  it("gets, watches and explains, and refuses create with the server's 405", async () => {
    const table = await k.ok(["get", "processes", "-l", "command=node"]);
    assert.match(table, /^NAME\s+PID\s+COMMAND\s+STATE\s+AGE$/m);
    assert.match(table, new RegExp(`^pid-${process.pid}\\s+${process.pid}\\s+node\\s+[A-Z]\\s`, "m"));
    const explain = await k.ok(["explain", "processes.spec.rssBytes"]);
    assert.match(explain, /Resident memory in bytes\./);
    const watch = k.spawn(["get", "processes", "-w", "-l", "command=node", "--output-watch-events"]);
    try {
      await watch.waitFor(new RegExp(`ADDED\\s+pid-${process.pid}\\s`));
    } finally {
      await watch.stop();
    }
    const created = await k.run(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Process",
        metadata: { name: "fake" },
        spec: { pid: 1 },
      }),
    });
    assert.notEqual(created.code, 0);
    assert.match(created.stderr, /MethodNotAllowed|the server does not allow this method on the requested resource/);
  });
});
