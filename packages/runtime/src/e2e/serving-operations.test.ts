/**
 * What operators and kubelet rely on, checked from outside: health formats and readiness,
 * /version, the metric names and labels after a known sequence of requests, one log line
 * per request with no credentials in it, and the limits (413, nesting depth, 504).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect as tlsConnect } from "node:tls";
import { MemoryStorage } from "@apiserver-kit/storage";
import { FakeClock } from "@apiserver-kit/storage/testing";
import { type LocalMode, localMode } from "../local/local-mode.js";
import { createLogger } from "../observability/logging.js";
import { ApiServer, type ApiServerConfig } from "../server/api-server.js";
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from "../server/listener.js";
import { wardleDefinitions } from "../testing/fixtures.js";

const FLUNDERS = "/apis/wardle.example.com/v1alpha1/namespaces/default/flunders";
const flunder = (name: string, spec: Record<string, unknown> = { reference: "r" }) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name },
  spec,
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A storage whose ping fails until `reachable`, and whose lists wait for `listGate` while it is set; counts its count calls. */
class ControlledStorage extends MemoryStorage {
  reachable = true;
  listGate?: Promise<void>;
  counted = 0;
  override async count(prefix: string): Promise<number> {
    this.counted++;
    return super.count(prefix);
  }
  override async ping(): Promise<void> {
    if (!this.reachable) throw new Error("connection refused");
  }
  override async list(...args: Parameters<MemoryStorage["list"]>): ReturnType<MemoryStorage["list"]> {
    await this.listGate;
    return super.list(...args);
  }
}

/** A server built from config this file chooses (logger, timers, timeouts), and a client for it. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), "serving-operations-"));
  readonly local: LocalMode = localMode(this.dir);
  readonly storage = new ControlledStorage();
  readonly logs: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  /** While set, authorization (and so the request) waits for it. */
  hold?: Promise<void>;
  held = 0;
  server!: ApiServer;
  port = 0;

  async start(config: Partial<ApiServerConfig> = {}): Promise<this> {
    const destination = {
      write: (line: string) => {
        this.raw.push(line);
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    };
    this.server = new ApiServer({
      resources: wardleDefinitions,
      storage: this.storage,
      tls: this.local.tls,
      authenticator: this.local.authenticator,
      authorizer: {
        authorize: async (attributes) => {
          if (this.hold) {
            this.held++;
            await this.hold;
          }
          return this.local.authorizer.authorize(attributes);
        },
      },
      logger: createLogger({ level: "info", destination }),
      // These tests steer the storage itself (holds, faults, operation counts): no cache in front of it.
      watchCache: false,
      ...config,
    });
    this.port = (await this.server.listen(0)).port;
    return this;
  }

  send(
    path: string,
    options: {
      method?: string;
      body?: string;
      headers?: Record<string, string>;
      anonymous?: boolean;
      chunked?: boolean;
    } = {},
  ): Promise<Answer> {
    const admin = this.local.pki.admin;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: this.port,
          path,
          method: options.method ?? "GET",
          ca: this.local.pki.ca.cert,
          ...(options.anonymous ? {} : { cert: admin.cert, key: admin.key }),
          headers: {
            ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
            ...(options.body !== undefined && !options.chunked
              ? { "Content-Length": String(Buffer.byteLength(options.body)) }
              : {}),
            ...options.headers,
          },
          agent: false,
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            body += c;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.storage.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Samples of one metric from Prometheus text, with their labels parsed. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels: Record<string, string> = {};
    const close = line.lastIndexOf("}");
    if (line[name.length] === "{") {
      for (const m of line.slice(name.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
        labels[m[1] as string] = m[2] as string;
    }
    out.push({ labels, value: Number(line.slice((close > 0 ? close : name.length) + 1).trim()) });
  }
  return out;
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const found = samples(text, name).find(
    (s) =>
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      Object.keys(s.labels).length === Object.keys(labels).length,
  );
  return found?.value;
}

describe("health, readiness and version", () => {
  const h = new Harness();
  before(async () => {
    await h.start({
      projectVersion: "1.4.2",
      build: { gitCommit: "abc123", gitTreeState: "clean", buildDate: "2025-01-31T12:00:00Z" },
    });
  });
  after(() => h.close());

  it("answers ok, verbose lists, exclusions and single checks in Kubernetes' text format, anonymous included", async () => {
    const ok = await h.send("/healthz", { anonymous: true });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, "ok");
    assert.equal(ok.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(ok.headers["x-content-type-options"], "nosniff");
    const verbose = await h.send("/readyz?verbose", { anonymous: true });
    const names = [...h.server.healthChecks.map((c) => c.name), "watch-cache", "shutdown"];
    assert.deepEqual(names.slice(0, 2), ["ping", "storage"]);
    assert.equal(verbose.body, `${names.map((n) => `[+]${n} ok\n`).join("")}readyz check passed\n`);
    const excluded = await h.send("/livez?verbose&exclude=storage&exclude=nope", { anonymous: true });
    const livez = h.server.healthChecks.map((c) =>
      c.name === "storage" ? "[+]storage excluded: ok\n" : `[+]${c.name} ok\n`,
    );
    assert.equal(
      excluded.body,
      `${livez.join("")}warn: some health checks cannot be excluded: no matches for "nope"\nlivez check passed\n`,
    );
    assert.equal((await h.send("/livez/ping", { anonymous: true })).body, "ok");
    assert.equal((await h.send("/readyz/nope", { anonymous: true })).status, 404);
    assert.equal((await h.send("/metrics", { anonymous: true })).status, 403, "metrics are authorized like any path");
    assert.equal((await h.send("/version", { anonymous: true })).status, 403);
  });

  it("is not ready while storage is unreachable, and not ready first when shutting down", async () => {
    h.storage.reachable = false;
    const down = await h.send("/readyz");
    assert.equal(down.status, 500);
    assert.match(down.body, /^\[\+\]ping ok\n\[-\]storage failed: reason withheld\n/);
    assert.match(down.body, /\[\+\]shutdown ok\nreadyz check failed\n$/);
    const one = await h.send("/readyz/storage");
    assert.equal(one.status, 500);
    assert.equal(one.body, "internal server error: connection refused\n");
    h.storage.reachable = true;
    assert.equal((await h.send("/readyz")).status, 200);

    h.server.beginShutdown();
    const draining = await h.send("/readyz?verbose");
    assert.equal(draining.status, 500);
    assert.match(draining.body, /^\[-\]shutdown failed: reason withheld$/m);
    assert.equal((await h.send("/livez")).status, 200, "alive while draining");
    assert.equal((await h.send(FLUNDERS)).status, 200, "and still serving");
  });

  it("is not ready until the watch cache has loaded its first list", async () => {
    const gated = new Harness();
    let open!: () => void;
    gated.storage.listGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    await gated.start({ watchCache: true });
    try {
      const loading = await gated.send("/readyz?verbose");
      assert.equal(loading.status, 500);
      assert.match(loading.body, /^\[-\]watch-cache failed: reason withheld$/m);
      assert.match(loading.body, /^\[\+\]storage ok$/m, "storage itself answers");
      assert.equal(
        (await gated.send("/readyz/watch-cache")).body,
        "internal server error: the watch cache is not synced yet\n",
      );
      assert.equal((await gated.send("/livez")).status, 200, "alive while loading: readiness only");
      assert.equal((await gated.send("/healthz")).status, 200);
      open();
      gated.storage.listGate = undefined;
      const deadline = Date.now() + 5000;
      let ready = await gated.send("/readyz");
      while (ready.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        ready = await gated.send("/readyz");
      }
      assert.equal(ready.status, 200, ready.body);
    } finally {
      open();
      await gated.close();
    }
  });

  it("serves /version in Kubernetes' shape: the project's version, the framework in compiler", async () => {
    const res = await h.send("/version");
    assert.deepEqual(JSON.parse(res.body), {
      major: "1",
      minor: "4",
      gitVersion: "v1.4.2",
      gitCommit: "abc123",
      gitTreeState: "clean",
      buildDate: "2025-01-31T12:00:00Z",
      goVersion: `node${process.version.slice(1)}`,
      compiler: "apiserver-kit/0.1.0",
      platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
    });
  });

  it('writes /version indented as Go\'s json.MarshalIndent(v, "", "  ") always, with no trailing newline', async () => {
    const expected = [
      "{",
      '  "major": "1",',
      '  "minor": "4",',
      '  "gitVersion": "v1.4.2",',
      '  "gitCommit": "abc123",',
      '  "gitTreeState": "clean",',
      '  "buildDate": "2025-01-31T12:00:00Z",',
      `  "goVersion": "node${process.version.slice(1)}",`,
      '  "compiler": "apiserver-kit/0.1.0",',
      `  "platform": "${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}"`,
      "}",
    ].join("\n");
    // Plain, asked pretty, and asked not pretty: the same bytes (WriteRawJSON ignores negotiation).
    for (const path of ["/version", "/version?pretty=true", "/version?pretty=false"]) {
      const res = await h.send(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers["content-type"], "application/json", path);
      assert.equal(res.body, expected, path);
      assert.equal(res.headers["content-length"], String(Buffer.byteLength(expected)), path);
    }
  });

  it("escapes <, >, & and U+2028/U+2029 in /version as Go's encoder does", async () => {
    const odd = new Harness();
    await odd.start({ build: { gitCommit: "a<b>&c\u2028d\u2029" } });
    try {
      const res = await odd.send("/version");
      assert.match(res.body, /\n {2}"gitCommit": "a\\u003cb\\u003e\\u0026c\\u2028d\\u2029",\n/);
      assert.equal(JSON.parse(res.body).gitCommit, "a<b>&c\u2028d\u2029");
    } finally {
      await odd.close();
    }
  });
});

describe("metrics and request logs", () => {
  const h = new Harness();
  before(async () => {
    await h.start();
  });
  after(() => h.close());

  it("counts a known sequence with kube-apiserver's names and labels", async () => {
    assert.equal((await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder("m1")) })).status, 201);
    assert.equal((await h.send(`${FLUNDERS}/m1`)).status, 200);
    assert.equal((await h.send(FLUNDERS)).status, 200);
    assert.equal((await h.send("/apis/wardle.example.com/v1alpha1/flunders")).status, 200);
    const patched = await h.send(`${FLUNDERS}/m1`, {
      method: "PATCH",
      body: JSON.stringify({ spec: { color: "red" } }),
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.equal(patched.status, 200);
    assert.equal((await h.send(`${FLUNDERS}?dryRun=All`, { method: "DELETE" })).status, 200);
    const apis = await h.send("/apis");
    assert.equal(apis.status, 200);
    assert.equal((await h.send("/apis/wardle.example.com/v1alpha1/nothings")).status, 404);

    const res = await h.send("/metrics");
    assert.equal(res.status, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    const base = {
      dry_run: "",
      group: "wardle.example.com",
      version: "v1alpha1",
      resource: "flunders",
      subresource: "",
      component: "apiserver",
    };
    const count = (verb: string, scope: string, code: string, extra: Record<string, string> = {}) =>
      sample(text, "apiserver_request_total", { ...base, verb, scope, code, ...extra });
    assert.equal(count("POST", "resource", "201"), 1);
    assert.equal(count("GET", "resource", "200"), 1);
    assert.equal(count("LIST", "namespace", "200"), 1);
    assert.equal(count("LIST", "cluster", "200"), 1);
    assert.equal(count("PATCH", "resource", "200"), 1);
    assert.equal(count("DELETE", "namespace", "200", { dry_run: "All" }), 1, "deletecollection reports DELETE");
    assert.equal(
      sample(text, "apiserver_request_total", {
        verb: "GET",
        dry_run: "",
        group: "",
        version: "",
        resource: "",
        subresource: "/apis",
        scope: "",
        component: "apiserver",
        code: "200",
      }),
      1,
    );
    // Discovery is answered within the handler (no close listener): still timed and sized.
    const discovery = { verb: "GET", group: "", version: "", resource: "", subresource: "/apis", scope: "" };
    const apisLabels = { ...discovery, component: "apiserver" };
    assert.equal(sample(text, "apiserver_request_duration_seconds_count", { ...apisLabels, dry_run: "" }), 1);
    assert.equal(sample(text, "apiserver_response_sizes_count", apisLabels), 1);
    assert.equal(sample(text, "apiserver_response_sizes_sum", apisLabels), Buffer.byteLength(apis.body));
    assert.ok(!text.includes('resource="nothings"'), "unknown resources are not metered");
    const duration = { ...base, verb: "GET", scope: "resource" };
    assert.equal(sample(text, "apiserver_request_duration_seconds_count", duration), 1);
    assert.equal(sample(text, "apiserver_request_duration_seconds_bucket", { ...duration, le: "60" }), 1);
    const { dry_run: _, ...sizeLabels } = duration;
    assert.equal(sample(text, "apiserver_response_sizes_count", sizeLabels), 1);
    assert.ok((sample(text, "apiserver_response_sizes_sum", sizeLabels) ?? 0) > 100);
    assert.ok(
      (sample(text, "apiserver_current_inflight_requests", { request_kind: "readOnly" }) ?? 0) >= 1,
      "the scrape itself",
    );
    assert.ok(samples(text, "apiserver_current_inflight_requests").some((s) => s.labels.request_kind === "mutating"));
    assert.equal(sample(text, "etcd_requests_total", { operation: "create", type: "flunders.wardle.example.com" }), 1);
    assert.equal(
      sample(text, "etcd_request_duration_seconds_count", { operation: "create", type: "flunders.wardle.example.com" }),
      1,
    );
    assert.ok(text.includes("process_cpu_user_seconds_total"));
  });

  it("reports the objects stored per resource, as of each scrape (apiserver_storage_objects)", async () => {
    const stored = async (resource: string) =>
      sample((await h.send("/metrics")).body, "apiserver_storage_objects", { resource });
    const before = (await stored("flunders.wardle.example.com")) ?? 0;
    for (const name of ["so-1", "so-2"]) {
      assert.equal((await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder(name)) })).status, 201);
    }
    assert.equal(await stored("flunders.wardle.example.com"), before + 2);
    assert.equal((await h.send(`${FLUNDERS}/so-1`, { method: "DELETE" })).status, 200);
    assert.equal(await stored("flunders.wardle.example.com"), before + 1);
    assert.equal(await stored("fischers.wardle.example.com"), 0, "an empty kind reports 0");
  });

  it("counts what the watch cache holds when there is one", async () => {
    const cached = await new Harness().start({ watchCache: true });
    try {
      for (const name of ["c-1", "c-2", "c-3"]) {
        assert.equal(
          (await cached.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder(name)) })).status,
          201,
        );
      }
      assert.equal((await cached.send(`${FLUNDERS}/c-2`, { method: "DELETE" })).status, 200);
      const scrape = async () =>
        sample((await cached.send("/metrics")).body, "apiserver_storage_objects", {
          resource: "flunders.wardle.example.com",
        });
      // The cache applies each write's event as it arrives: the count follows within moments.
      const deadline = Date.now() + 5000;
      while ((await scrape()) !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await scrape(), 2);
      assert.equal(cached.storage.counted, 0, "read from memory, not counted in storage");
    } finally {
      await cached.close();
    }
  });

  it("tracks a watch as long-running and counts its events", async () => {
    const admin = h.local.pki.admin;
    const lines: string[] = [];
    let release!: () => void;
    const firstEvent = new Promise<void>((resolve) => {
      release = resolve;
    });
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: h.port,
        path: `${FLUNDERS}?watch=true`,
        ca: h.local.pki.ca.cert,
        cert: admin.cert,
        key: admin.key,
        agent: false,
      },
      (res) =>
        res.on("data", (c: Buffer) => {
          lines.push(...c.toString().split("\n").filter(Boolean));
          if (lines.length >= 2) release();
        }),
    );
    req.on("error", () => undefined);
    req.end();
    await new Promise((r) => setTimeout(r, 100));
    await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder("w1")) });
    await firstEvent;
    const during = (await h.send("/metrics")).body;
    const lr = {
      verb: "WATCH",
      group: "wardle.example.com",
      version: "v1alpha1",
      resource: "flunders",
      subresource: "",
      scope: "namespace",
      component: "apiserver",
    };
    assert.equal(sample(during, "apiserver_longrunning_requests", lr), 1);
    assert.equal(
      sample(during, "apiserver_watch_events_total", {
        group: "wardle.example.com",
        version: "v1alpha1",
        kind: "Flunder",
      }),
      lines.length,
    );
    req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const afterwards = (await h.send("/metrics")).body;
    assert.equal(sample(afterwards, "apiserver_longrunning_requests", lr), 0);
    assert.equal(sample(afterwards, "apiserver_request_total", { ...lr, dry_run: "", code: "200" }), 1);
  });

  it("logs one line per request with verb, resource, user, code and latency, and never a credential", async () => {
    h.logs.length = 0;
    h.raw.length = 0;
    await h.send(`${FLUNDERS}/m1?token=querysecret`, {
      headers: { Authorization: "Bearer s3cr3t-token", Cookie: "session=cookiesecret" },
    });
    await h.send("/apis/wardle.example.com/v1alpha1/namespaces/default/flunders/nope");
    await h.send("/version", { anonymous: true });
    await new Promise((r) => setTimeout(r, 20));
    const requests = h.logs.filter((l) => l.msg === "request");
    assert.equal(requests.length, 3);
    const [get, missing, refused] = requests;
    assert.equal(get?.verb, "get");
    assert.equal(get?.resource, "flunders");
    assert.equal(get?.namespace, "default");
    assert.equal(get?.name, "m1");
    assert.equal(get?.user, "admin");
    assert.equal(get?.code, 200);
    assert.equal(get?.level, 30, "info");
    assert.equal(typeof get?.latencyMs, "number");
    assert.equal(get?.path, `${FLUNDERS}/m1`, "the path without its query");
    assert.equal(missing?.code, 404);
    assert.equal(missing?.reason, "NotFound");
    assert.equal(refused?.user, "system:anonymous");
    assert.equal(refused?.code, 403);
    const all = h.raw.join("");
    for (const secret of [
      "s3cr3t",
      "querysecret",
      "cookiesecret",
      "BEGIN CERTIFICATE",
      "PRIVATE KEY",
      "authorization",
      "Bearer",
    ]) {
      assert.ok(!all.includes(secret), `the log does not contain ${secret}`);
    }
  });
});

describe("limits", () => {
  const clock = new FakeClock();
  const h = new Harness();
  before(async () => {
    await h.start({ timers: clock });
    await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder("slow")) });
  });
  after(() => h.close());

  it("refuses a body over 3 MiB with 413, declared or chunked", async () => {
    const big = JSON.stringify(flunder("big", { reference: "x".repeat(3 * 1024 * 1024) }));
    for (const chunked of [false, true]) {
      const res = await h.send(FLUNDERS, { method: "POST", body: big, chunked });
      assert.equal(res.status, 413, chunked ? "chunked" : "declared");
      const status = JSON.parse(res.body);
      assert.equal(status.kind, "Status");
      assert.equal(status.reason, "RequestEntityTooLarge");
    }
  });

  it("refuses JSON nested deeper than 1000 levels with 400 before parsing it", async () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 1001; i++) deep = { d: deep };
    const res = await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder("deep", { nested: deep })) });
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body).message, /nests deeper than the limit of 1000 levels/);
    const ok = await h.send(FLUNDERS, {
      method: "POST",
      body: JSON.stringify(flunder("shallow", { reference: "r" })),
    });
    assert.equal(ok.status, 201);
  });

  it("answers 504 with a Timeout Status when a request outlives the request timeout", async () => {
    let open!: () => void;
    h.hold = new Promise<void>((resolve) => {
      open = resolve;
    });
    const pending = h.send(`${FLUNDERS}/slow`);
    while (h.held === 0) await new Promise((r) => setTimeout(r, 5));
    await clock.advance(59_000);
    await clock.advance(1_000);
    const res = await pending;
    h.hold = undefined;
    open();
    assert.equal(res.status, 504);
    const status = JSON.parse(res.body);
    assert.equal(status.reason, "Timeout");
    assert.equal(status.message, "Timeout: request did not complete within the allotted timeout");
    assert.equal(status.code, 504);
    assert.equal((await h.send(`${FLUNDERS}/slow`)).status, 200, "the server is fine afterwards");
  });

  it("leaves watches alone", async () => {
    const admin = h.local.pki.admin;
    const events: string[] = [];
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port: h.port,
        path: `${FLUNDERS}?watch=true&resourceVersion=0`,
        ca: h.local.pki.ca.cert,
        cert: admin.cert,
        key: admin.key,
        agent: false,
      },
      (res) => res.on("data", (c: Buffer) => events.push(...c.toString().split("\n").filter(Boolean))),
    );
    req.on("error", () => undefined);
    req.end();
    while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
    await clock.advance(5 * 60_000);
    await h.send(FLUNDERS, { method: "POST", body: JSON.stringify(flunder("after-timeout")) });
    while (!events.some((e) => e.includes("after-timeout"))) await new Promise((r) => setTimeout(r, 5));
    req.destroy();
  });

  it("answers 408 to a client that sends its headers too slowly, and goes on serving", async () => {
    const slow = await new Harness().start({
      serving: { keepAliveTimeoutMs: 200, headersTimeoutMs: 500, connectionsCheckIntervalMs: 100 },
    });
    try {
      const admin = slow.local.pki.admin;
      const socket = tlsConnect({
        host: "127.0.0.1",
        port: slow.port,
        ca: slow.local.pki.ca.cert,
        cert: admin.cert,
        key: admin.key,
        ALPNProtocols: ["http/1.1"],
      });
      await once(socket, "secureConnect");
      // Half a request's headers, then nothing: the server must not wait forever.
      socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      const closed = once(socket, "close");
      const gaveUp = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      assert.ok(gaveUp, "the server closed the connection");
      assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.equal((await slow.send("/healthz")).status, 200, "other requests are served");
    } finally {
      await slow.close();
    }
  });

  it("keeps idle HTTP/1.1 connections longer than the aggregator's 90 s idle timeout, and closes them after", async () => {
    assert.ok(DEFAULT_KEEP_ALIVE_TIMEOUT_MS > 90_000);
    const short = await new Harness().start({ serving: { keepAliveTimeoutMs: 200 } });
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const admin = short.local.pki.admin;
      const closed = await new Promise<boolean>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: short.port,
            path: "/healthz",
            ca: short.local.pki.ca.cert,
            cert: admin.cert,
            key: admin.key,
            agent,
          },
          (res) => {
            res.resume();
            res.on("end", () => {
              const timer = setTimeout(() => resolve(false), 10_000);
              req.socket?.once("close", () => {
                clearTimeout(timer);
                resolve(true);
              });
            });
          },
        );
        req.on("error", reject);
        req.end();
      });
      agent.destroy();
      assert.ok(closed, "the server closed the idle connection");
    } finally {
      await short.close();
    }
  });
});
