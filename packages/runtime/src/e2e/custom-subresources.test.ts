/**
 * Custom subresources (issue 8): an `approve` action, a read subresource with typed
 * options, and a streaming `log` subresource, reached with kubectl --raw and
 * client-node; authorization attributes of subresource requests.
 */
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { AuthorizationAttributes, Authorizer } from "../auth/types.js";
import type { ActionSubresource, ReadSubresource, ResourceDefinition, StreamSubresource } from "../model/resource.js";
import { hasKubectl, Kubectl } from "../testing/clients.js";
import { ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const GROUP = "jobs.example.com";
interface Job extends KubeObject {
  spec?: { steps?: string[] };
  status?: { approved?: boolean; approvedBy?: string };
}

const approve: ActionSubresource<Job> = {
  name: "approve",
  type: "action",
  description: "Approves the job: sets status.approved.",
  requestSchema: {
    type: "object",
    properties: {
      reason: {
        type: "string",
        description: "Why the job is approved.",
        "x-kubernetes-validations": [{ rule: "self != 'never'", message: "never is not a reason" }],
      },
    },
  },
  async handle(context, body) {
    const reason = (body as { reason?: string } | undefined)?.reason ?? "";
    if (reason === "no") throw StatusError.badRequest("approval refused: the reason says no");
    return context.update(
      (job) => {
        job.status = { ...job.status, approved: true, approvedBy: context.user.name };
      },
      { subresource: "status" },
    );
  },
};

interface StepOptions {
  index: number;
}
const step: ReadSubresource<Job, StepOptions> = {
  name: "step",
  type: "read",
  parameters: [{ name: "index", type: "integer", description: "Which step." }],
  parseOptions(query) {
    const index = Number(query.get("index") ?? "0");
    if (!Number.isInteger(index) || index < 0)
      throw StatusError.badRequest(`index: must be a non-negative integer, got ${query.get("index")}`);
    return { index };
  },
  handle(context, options) {
    const steps = context.object.spec?.steps ?? [];
    if (options.index >= steps.length)
      throw StatusError.badRequest(`index: ${options.index} is out of range (${steps.length} steps)`);
    return { kind: "Step", apiVersion: `${GROUP}/v1`, index: options.index, name: steps[options.index] };
  },
};

interface LogOptions {
  follow?: boolean;
}
let openStreams = 0;
const log: StreamSubresource<Job, LogOptions> = {
  name: "log",
  type: "stream",
  // No parseOptions: the declared parameter arrives converted (follow=true → true).
  parameters: [{ name: "follow", type: "boolean", description: "Keep streaming new lines." }],
  async handle(context, options, write) {
    // Refused before its first write: the client gets this Status, not a 200 and an empty stream.
    if ((context.object.spec?.steps ?? []).length === 0) throw StatusError.badRequest("the job has no steps to log");
    openStreams++;
    try {
      for (const s of context.object.spec?.steps ?? []) await write(`step ${s}\n`);
      let n = 0;
      while (options.follow && !context.signal.aborted) {
        await write(`tick ${n++}\n`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      openStreams--;
    }
  },
};

interface WindowOptions {
  from?: number;
  verbose?: boolean;
  label?: string;
}
/** Answers the options it got: declared parameters, converted by the runtime (no parseOptions). */
const window: ReadSubresource<Job, WindowOptions> = {
  name: "window",
  type: "read",
  parameters: [
    { name: "from", type: "integer", description: "The first step." },
    { name: "verbose", type: "boolean" },
    { name: "label", type: "string" },
  ],
  handle(context, options) {
    return {
      kind: "Window",
      apiVersion: `${GROUP}/v1`,
      options,
      steps: context.object.spec?.steps?.slice(options.from),
    };
  },
};

/** Declares its answer's kind and schema (as withSubresourceResponse does) and leaves apiVersion and kind to the server. */
const summary: ReadSubresource<Job, Record<string, string>, { steps: number; approved: boolean }> = {
  name: "summary",
  type: "read",
  responseKind: { group: GROUP, version: "v1", kind: "JobSummary" },
  responseSchema: {
    type: "object",
    description: "How far a Job is.",
    properties: { steps: { type: "integer" }, approved: { type: "boolean" } },
  },
  handle: (context) => ({
    steps: context.object.spec?.steps?.length ?? 0,
    approved: context.object.status?.approved === true,
  }),
};

const jobDefinition: ResourceDefinition<Job> = {
  group: GROUP,
  names: { kind: "Job", plural: "jobs", singular: "job" },
  scope: "Namespaced",
  customSubresources: [approve, step, log, window, summary],
  versions: [
    {
      name: "v1",
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: {
        type: "object",
        properties: {
          spec: { type: "object", properties: { steps: { type: "array", items: { type: "string" } } } },
          status: { type: "object", properties: { approved: { type: "boolean" }, approvedBy: { type: "string" } } },
        },
      },
    },
  ],
};

const job = (name: string, steps: string[]) => ({
  apiVersion: `${GROUP}/v1`,
  kind: "Job",
  metadata: { name },
  spec: { steps },
});
const base = `/apis/${GROUP}/v1/namespaces/default/jobs`;

/** A kind served in two versions: v2 names the same fields and defaults spec.priority. */
interface Task extends KubeObject {
  spec?: { owner?: string; priority?: string };
  status?: { done?: boolean };
}
const taskSchema = (withDefault: boolean) => ({
  type: "object" as const,
  properties: {
    spec: {
      type: "object" as const,
      properties: {
        owner: { type: "string" as const },
        priority: { type: "string" as const, ...(withDefault ? { default: "normal" } : {}) },
      },
    },
    status: { type: "object" as const, properties: { done: { type: "boolean" as const } } },
  },
});
const finish: ActionSubresource<Task> = {
  name: "finish",
  type: "action",
  handle: (context) =>
    context.update(
      (task) => {
        task.status = { done: true };
      },
      { subresource: "status" },
    ),
};
const current: ReadSubresource<Task> = { name: "current", type: "read", handle: (context) => context.object };
const taskDefinition: ResourceDefinition<Task> = {
  group: GROUP,
  names: { kind: "Task", plural: "tasks", singular: "task" },
  scope: "Namespaced",
  customSubresources: [finish, current],
  versions: [
    { name: "v1", served: true, storage: true, subresources: { status: {} }, schema: taskSchema(false) },
    {
      name: "v2",
      served: true,
      storage: false,
      subresources: { status: {} },
      schema: taskSchema(true),
      conversion: { toHub: (o) => o, fromHub: (o) => o },
    },
  ],
};

describe("custom subresources answering the object itself", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: [taskDefinition] });
    const created = await server.request(`/apis/${GROUP}/v1/namespaces/default/tasks`, {
      method: "POST",
      body: { apiVersion: `${GROUP}/v1`, kind: "Task", metadata: { name: "t1" }, spec: { owner: "ann" } },
    });
    assert.equal(created.status, 201, created.body);
  });
  after(async () => {
    await server.close();
  });

  it("answers it in the version the request named, with that version's read-time defaults", async () => {
    for (const version of ["v1", "v2"]) {
      const path = `/apis/${GROUP}/${version}/namespaces/default/tasks/t1`;
      const finished = await server.request(`${path}/finish`, { method: "POST", body: {} });
      assert.equal(finished.status, 201, finished.body);
      const read = await server.request(`${path}/current`);
      assert.equal(read.status, 200, read.body);
      const got = (await server.request(path)).json<Task>();
      for (const answer of [finished.json<Task>(), read.json<Task>()]) {
        assert.equal(answer.apiVersion, `${GROUP}/${version}`);
        assert.deepEqual(answer.spec, version === "v2" ? { owner: "ann", priority: "normal" } : { owner: "ann" });
        assert.deepEqual(answer.status, { done: true });
        assert.deepEqual(answer, got, "as a GET of the same version answers it");
      }
    }
  });
});

describe("custom subresources", () => {
  let server: TestServer;
  let jobs: ResourceClient;
  before(async () => {
    server = await startTestServer({ resources: [jobDefinition] });
    jobs = new ResourceClient(server, base);
    await jobs.create(job("build", ["fetch", "compile", "test"]));
  });
  after(async () => {
    await server.close();
  });

  it("lists them in discovery with their verbs", async () => {
    const list = (await server.request(`/apis/${GROUP}/v1`)).json<{
      resources: Array<{ name: string; verbs: string[] }>;
    }>();
    const byName = Object.fromEntries(list.resources.map((r) => [r.name, r.verbs]));
    assert.deepEqual(byName["jobs/approve"], ["create"]);
    assert.deepEqual(byName["jobs/step"], ["get"]);
    assert.deepEqual(byName["jobs/log"], ["get"]);
    assert.deepEqual(byName["jobs/window"], ["get"]);
  });

  it("describes them in OpenAPI: the action as POST, the read and the stream as GET with their parameters", async () => {
    const doc = (await server.request(`/openapi/v3/apis/${GROUP}/v1`)).json<{
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; responses?: object }>>;
    }>();
    const item = `/apis/${GROUP}/v1/namespaces/{namespace}/jobs/{name}`;
    const methods = (path: string) =>
      Object.keys(doc.paths[path] ?? {})
        .filter((m) => ["get", "put", "post", "patch", "delete"].includes(m))
        .sort();
    assert.deepEqual(methods(`${item}/approve`), ["post"]);
    assert.deepEqual(methods(`${item}/step`), ["get"]);
    assert.deepEqual(methods(`${item}/log`), ["get"]);
    const names = (path: string) => (doc.paths[path]?.get?.parameters ?? []).map((p) => p.name);
    assert.ok(names(`${item}/step`).includes("index"), JSON.stringify(doc.paths[`${item}/step`]));
    assert.ok(names(`${item}/log`).includes("follow"), JSON.stringify(doc.paths[`${item}/log`]));
  });

  it("publishes only the query parameters an action honours: fieldValidation with a requestSchema, no dryRun or fieldManager", async () => {
    const item = `/apis/${GROUP}/v1/namespaces/{namespace}/jobs/{name}/approve`;
    const v3 = (await server.request(`/openapi/v3/apis/${GROUP}/v1`)).json<{
      paths: Record<string, { post?: { parameters?: Array<{ name: string }> } }>;
    }>();
    assert.deepEqual(
      (v3.paths[item]?.post?.parameters ?? []).map((p) => p.name),
      ["fieldValidation"],
      JSON.stringify(v3.paths[item]),
    );
    const v2 = (await server.request("/openapi/v2")).json<{
      paths: Record<string, { post?: { parameters?: Array<{ name: string; in: string }> } }>;
    }>();
    assert.deepEqual(
      (v2.paths[item]?.post?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
      ["fieldValidation"],
    );
  });

  it("publishes an action's request schema in OpenAPI v3 and v2, and refers the POST body to it", async () => {
    const name = `${GROUP.split(".").reverse().join(".")}.v1.JobApproveRequest`;
    const item = `/apis/${GROUP}/v1/namespaces/{namespace}/jobs/{name}/approve`;
    const v3 = (await server.request(`/openapi/v3/apis/${GROUP}/v1`)).json<{
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } } }>;
      components: { schemas: Record<string, { properties?: Record<string, { type?: string; description?: string }> }> };
    }>();
    const body = v3.paths[item]?.post?.requestBody?.content["application/json"]?.schema;
    assert.equal(body?.$ref, `#/components/schemas/${name}`, JSON.stringify(v3.paths[item]));
    assert.deepEqual(v3.components.schemas[name]?.properties?.reason, {
      type: "string",
      description: "Why the job is approved.",
      "x-kubernetes-validations": [{ rule: "self != 'never'", message: "never is not a reason" }],
    });
    const v2 = (await server.request("/openapi/v2")).json<{
      paths: Record<string, { post?: { parameters?: Array<{ in: string; schema?: { $ref?: string } }> } }>;
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    }>();
    const bodyParam = v2.paths[item]?.post?.parameters?.find((p) => p.in === "body");
    assert.equal(bodyParam?.schema?.$ref, `#/definitions/${name}`);
    assert.ok(v2.definitions[name]?.properties?.reason);
  });

  it("answers a read of a declared response kind with that kind's apiVersion and kind, and publishes its schema", async () => {
    await jobs.create(job("summarized", ["one", "two"]));
    const res = await server.request(`${base}/summarized/summary`);
    assert.equal(res.status, 200);
    assert.equal(
      res.body,
      JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: "JobSummary", steps: 2, approved: false }),
    );
    const doc = (await server.request(`/openapi/v3/apis/${GROUP}/v1`)).json<{
      paths: Record<string, { get?: { responses: Record<string, { content: Record<string, { schema: object }> }> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> } & Record<string, unknown>> };
    }>();
    const name = `${GROUP.split(".").reverse().join(".")}.v1.JobSummary`;
    const definition = doc.components.schemas[name];
    assert.deepEqual(Object.keys(definition?.properties ?? {}), ["apiVersion", "kind", "steps", "approved"]);
    assert.deepEqual(definition?.["x-kubernetes-group-version-kind"], [
      { group: GROUP, kind: "JobSummary", version: "v1" },
    ]);
    const ok = doc.paths[`/apis/${GROUP}/v1/namespaces/{namespace}/jobs/{name}/summary`]?.get?.responses["200"];
    assert.deepEqual(ok?.content["application/json"]?.schema, { $ref: `#/components/schemas/${name}` });
    const discovery = (
      await server.request("/apis", {
        headers: { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" },
      })
    ).json<{
      items: Array<{
        metadata: { name: string };
        versions: Array<{ resources: Array<{ subresources?: Array<{ subresource: string; responseKind: object }> }> }>;
      }>;
    }>();
    const subresources = discovery.items.find((g) => g.metadata.name === GROUP)?.versions[0]?.resources[0]
      ?.subresources;
    assert.deepEqual(subresources?.find((s) => s.subresource === "summary")?.responseKind, {
      group: GROUP,
      version: "v1",
      kind: "JobSummary",
    });
    // A stream answers bytes: listed under its kind, as pods/log is under Pod.
    assert.deepEqual(subresources?.find((s) => s.subresource === "log")?.responseKind, {
      group: GROUP,
      version: "v1",
      kind: "Job",
    });
    const legacy = (await server.request(`/apis/${GROUP}/v1`)).json<{
      resources: Array<{ name: string; kind: string; group?: string; version?: string }>;
    }>();
    const log = legacy.resources.find((r) => r.name === "jobs/log");
    assert.deepEqual([log?.kind, log?.group, log?.version], ["Job", undefined, undefined]);
  });

  it("runs an action that changes the object, and answers its errors", async () => {
    const res = await server.request(`${base}/build/approve`, { method: "POST", body: { reason: "looks good" } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.json<Job>().status, { approved: true, approvedBy: "admin" });
    assert.equal((await jobs.get("build")).json<Job>().status?.approved, true);
    const refused = await server.request(`${base}/build/approve`, { method: "POST", body: { reason: "no" } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json().message, "approval refused: the reason says no");
    assert.equal((await server.request(`${base}/missing/approve`, { method: "POST", body: {} })).status, 404);
    assert.equal((await server.request(`${base}/build/approve`)).status, 405, "an action is POST only");
  });

  it("checks an action's body against its requestSchema as an object is checked", async () => {
    const post = (body: string, query = "") =>
      server.request(`${base}/build/approve${query}`, {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
      });
    const wrongType = await post('{"reason":5}');
    assert.equal(wrongType.status, 422, wrongType.body);
    const status = wrongType.json<{ reason: string; message: string; details: Record<string, unknown> }>();
    // A wrong type keeps the rules from running, and kube-apiserver says so.
    assert.equal(
      status.message,
      'JobApproveRequest.jobs.example.com "build" is invalid: [reason: Invalid value: "integer": reason in body must be of type string: "integer", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    );
    assert.deepEqual([status.details.group, status.details.kind], [GROUP, "JobApproveRequest"]);
    const rule = await post('{"reason":"never"}');
    assert.equal(rule.status, 422, rule.body);
    assert.equal(
      rule.json<{ message: string }>().message,
      'JobApproveRequest.jobs.example.com "build" is invalid: reason: Invalid value: "string": never is not a reason',
    );
    // Unknown and repeated fields: warned (the default), refused under Strict, silent under Ignore.
    const warned = await post('{"reazon":"typo","reason":"a","reason":"b"}');
    assert.equal(warned.status, 201, warned.body);
    assert.equal(warned.headers.warning, '299 - "duplicate field \\"reason\\"", 299 - "unknown field \\"reazon\\""');
    const strict = await post('{"reazon":"typo"}', "?fieldValidation=Strict");
    assert.equal(strict.status, 400, strict.body);
    assert.equal(strict.json<{ message: string }>().message, 'strict decoding error: unknown field "reazon"');
    const ignored = await post('{"reazon":"typo"}', "?fieldValidation=Ignore");
    assert.equal(ignored.status, 201, ignored.body);
    assert.equal(ignored.headers.warning, undefined);
    // An empty body is an empty request; an action cannot be a dry run.
    assert.equal((await post("")).status, 201);
    const dry = await post("{}", "?dryRun=All");
    assert.equal(dry.status, 400, dry.body);
    assert.equal(dry.json<{ message: string }>().message, 'dryRun is not supported by the "approve" subresource');
  });

  it("parses a read subresource's query into typed options", async () => {
    const res = await server.request(`${base}/build/step?index=1`);
    assert.equal(res.status, 200);
    assert.equal(res.json().name, "compile");
    const bad = await server.request(`${base}/build/step?index=-2`);
    assert.equal(bad.status, 400);
    assert.match(String(bad.json().message), /non-negative integer/);
  });

  it("converts declared query parameters by type when the subresource has no parseOptions", async () => {
    const options = async (query: string) => {
      const res = await server.request(`${base}/build/window${query}`);
      assert.equal(res.status, 200, res.body);
      return res.json<{ options: WindowOptions; steps: string[] }>();
    };
    const all = await options("?from=1&verbose=False&label=x&from=2&other=1");
    assert.deepEqual(all.options, { from: 1, verbose: false, label: "x" }, "the first value; undeclared ones left out");
    assert.deepEqual(all.steps, ["compile", "test"]);
    assert.deepEqual((await options("")).options, {}, "absent stays absent");
    // As kube's parameter codec: only false and 0 are false, the empty string included.
    for (const [value, expected] of [
      ["0", false],
      ["FALSE", false],
      ["", true],
      ["yes", true],
      ["1", true],
    ] as const) {
      assert.equal((await options(`?verbose=${value}`)).options.verbose, expected, `verbose=${value}`);
    }
    assert.equal((await options("?from=-0")).options.from, 0);
    for (const [value, message] of [
      ["abc", 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ["1.5", 'strconv.ParseInt: parsing "1.5": invalid syntax'],
      ["", 'strconv.ParseInt: parsing "": invalid syntax'],
      ["99999999999999999999", 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
      ["9007199254740993", "from: 9007199254740993 is beyond the integers this server represents exactly (±2^53-1)"],
    ]) {
      const res = await server.request(`${base}/build/window?from=${value}`);
      assert.equal(res.status, 400, value);
      assert.deepEqual([res.json().reason, res.json().message], ["BadRequest", message]);
    }
  });

  it("answers a stream's refusal at its start as a Status", async () => {
    await jobs.create(job("empty", []));
    const res = await server.request(`${base}/empty/log`);
    assert.equal(res.status, 400);
    assert.deepEqual([res.json().reason, res.json().message], ["BadRequest", "the job has no steps to log"]);
  });

  it("streams until done, or until the client leaves when following", async () => {
    const done = await server.request(`${base}/build/log`);
    assert.equal(done.status, 200);
    assert.equal(done.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(done.body, "step fetch\nstep compile\nstep test\n");
    // Follow, read a few lines, then leave: the handler must see the abort and stop.
    const text = await new Promise<string>((resolve, reject) => {
      const admin = server.local.pki.admin;
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: server.port,
          path: `${base}/build/log?follow=true`,
          ca: server.local.pki.ca.cert,
          cert: admin.cert,
          key: admin.key,
          agent: false,
        },
        (res) => {
          let seen = "";
          res.on("data", (chunk: Buffer) => {
            seen += chunk.toString();
            if (seen.includes("tick 3")) {
              req.destroy();
              resolve(seen);
            }
          });
        },
      );
      req.on("error", (error) => {
        if ((error as NodeJS.ErrnoException).code !== "ECONNRESET") reject(error);
      });
      req.end();
    });
    assert.match(text, /^step fetch\nstep compile\nstep test\ntick 0\n/);
    for (let i = 0; i < 50 && openStreams > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(openStreams, 0, "the stream handler ended when the client left");
  });

  it("is reachable with client-node's configuration and client", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const server_ = kc.getCurrentCluster()?.server as string;
    const call = async (method: string, path: string, body?: string) => {
      const options: import("node:https").RequestOptions = { method, headers: { "Content-Type": "application/json" } };
      await kc.applyToHTTPSOptions(options);
      return new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(new URL(path, server_), options, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    };
    await new ResourceClient(server, base).create(job("node-job", ["one"]));
    const approved = await call("POST", `${base}/node-job/approve`, "{}");
    assert.equal(approved.status, 201);
    assert.equal((await call("GET", `${base}/node-job/log`)).text, "step one\n");
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const status = await api.getNamespacedCustomObjectStatus({
      group: GROUP,
      version: "v1",
      namespace: "default",
      plural: "jobs",
      name: "node-job",
    });
    assert.equal(status.status.approved, true);
  });
});

for (const minor of [33]) {
  describe(
    `kubectl 1.${minor}: custom subresources with --raw`,
    { skip: !hasKubectl(minor) && `kubectl.1.${minor} is not installed` },
    () => {
      let server: TestServer;
      let k: Kubectl;
      before(async () => {
        server = await startTestServer({ resources: [jobDefinition] });
        k = new Kubectl(minor, server.kubeconfig);
        await new ResourceClient(server, base).create(job("deploy", ["plan", "apply"]));
      });
      after(async () => {
        k.dispose();
        await server.close();
      });

      it("posts to an action with create --raw and reads a stream with get --raw", async () => {
        const out = await k.ok(["create", "--raw", `${base}/deploy/approve`, "-f", "-"], {
          input: '{"reason":"ship it"}',
        });
        assert.equal(JSON.parse(out).status.approved, true);
        assert.equal(await k.ok(["get", "--raw", `${base}/deploy/log`]), "step plan\nstep apply\n");
        assert.equal(JSON.parse(await k.ok(["get", "--raw", `${base}/deploy/step?index=1`])).name, "apply");
        assert.deepEqual(JSON.parse(await k.ok(["get", "--raw", `${base}/deploy/window?from=1&verbose=true`])).steps, [
          "apply",
        ]);
        const bad = await k.run(["get", "--raw", `${base}/deploy/window?from=x`]);
        assert.match(bad.stderr, /Error from server \(BadRequest\): strconv\.ParseInt: parsing "x": invalid syntax/);
      });
    },
  );
}

describe("authorization of subresource requests", () => {
  const seen: AuthorizationAttributes[] = [];
  const noLogs: Authorizer = {
    authorize(attributes) {
      seen.push(attributes);
      if (attributes.subresource === "log") return { decision: "deny", reason: "logs are private" };
      return { decision: "allow" };
    },
  };
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ resources: [jobDefinition], authorizer: noLogs });
    await new ResourceClient(server, base).create(job("secret", ["x"]));
  });
  after(async () => {
    await server.close();
  });

  it("forms resource, subresource and verb as Kubernetes does, and refuses the denied stream", async () => {
    assert.equal((await server.request(`${base}/secret`)).status, 200);
    const res = await server.request(`${base}/secret/log`);
    assert.equal(res.status, 403);
    assert.equal(
      res.json().message,
      'jobs.jobs.example.com "secret" is forbidden: User "admin" cannot get resource "jobs/log" in API group "jobs.example.com" in the namespace "default": logs are private',
    );
    await server.request(`${base}/secret/approve`, { method: "POST", body: {} });
    const approveAttrs = seen.find((a) => a.subresource === "approve");
    assert.deepEqual(
      approveAttrs && {
        verb: approveAttrs.verb,
        resource: approveAttrs.resource,
        subresource: approveAttrs.subresource,
        name: approveAttrs.name,
        namespace: approveAttrs.namespace,
        apiGroup: approveAttrs.apiGroup,
      },
      {
        verb: "create",
        resource: "jobs",
        subresource: "approve",
        name: "secret",
        namespace: "default",
        apiGroup: GROUP,
      },
    );
  });
});
