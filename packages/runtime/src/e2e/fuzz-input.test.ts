/**
 * Bad input, property-based (issue 14): fast-check on a fixed seed generates request bodies
 * (JSON and YAML), paths, query parameters (selectors, limits, resourceVersions, continue
 * tokens), headers (Accept, Content-Type) and patches of every type. Unexpected exceptions
 * render as 500 InternalError, so "no 500" is "no unexpected exception". Each class of bad
 * input must get its own answer — code, reason, and a message or cause naming what was wrong
 * — not a catch-all 400. The limits: bodies over 3 MiB → 413, nesting past 1,000 → 400,
 * oversized names, labels and annotations → 422 naming the field, invalid resourceVersion →
 * 400/422, invalid continue tokens → 400. `__proto__`, `constructor` and `prototype` keys
 * never pollute prototypes in any patch type or body. Afterwards the server still serves and
 * its memory after GC is bounded.
 *
 * RELIABILITY_LONG=1 runs ten times as many cases; FUZZ_SEED=n replays another seed.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { stringify as toYAML } from "yaml";
import { type CallOptions, type HttpAnswer, HttpsClient } from "../testing/processes/https-client.js";
import { heldBytesAfterGc } from "../testing/processes/memory.js";
import { WARDLE_API } from "../testing/processes/write-storm.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

const LONG = process.env.RELIABILITY_LONG === "1";
const SEED = Number(process.env.FUZZ_SEED ?? 14_014);
const RUNS = LONG ? 250 : 25;
const NS = "fuzz";
const COLLECTION = `${WARDLE_API}/namespaces/${NS}/flunders`;
const TARGET = `${COLLECTION}/target`;
const MiB = 1024 * 1024;

/** What a class of bad input must be answered with. */
interface Expected {
  code: number;
  reason: string;
  /** The message must match (it says what was wrong). */
  message?: RegExp;
  /** A cause must name this field (422 Invalid). */
  field?: string;
}

interface Case {
  path: string;
  options: CallOptions;
}

/** The reasons a code may carry, for answers to arbitrary input. */
const REASONS: Record<number, readonly string[]> = {
  400: ["BadRequest"],
  404: ["NotFound"],
  405: ["MethodNotAllowed"],
  406: ["NotAcceptable"],
  409: ["Conflict", "AlreadyExists"],
  410: ["Expired", "Gone"],
  413: ["RequestEntityTooLarge"],
  415: ["UnsupportedMediaType"],
  422: ["Invalid"],
  504: ["Timeout"],
};

const flunder = (metadata: Record<string, unknown>, spec: Record<string, unknown> = { replicas: 1 }) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata,
  spec,
});

/** A request, printed short in fast-check's counterexamples (bodies run to megabytes). */
function request(path: string, options: CallOptions): Case {
  const body = typeof options.body === "string" ? options.body : "";
  const shown = body.length > 160 ? `${body.slice(0, 120)}… (${body.length} bytes)` : body;
  return {
    path,
    options,
    [fc.toStringMethod]: () =>
      `${options.method ?? "GET"} ${path.slice(0, 200)} ${JSON.stringify(options.headers ?? {})} ${JSON.stringify(shown)}`,
  } as Case;
}
const post = (body: string, contentType = "application/json", query = ""): Case =>
  request(`${COLLECTION}${query}`, { method: "POST", body, headers: { "Content-Type": contentType } });
const patch = (type: string, body: string, query = ""): Case =>
  request(`${TARGET}${query}`, { method: "PATCH", body, headers: { "Content-Type": type } });
const get = (path: string, headers: Record<string, string> = {}): Case => request(path, { headers });

const JSON_PATCH = "application/json-patch+json";
const MERGE_PATCH = "application/merge-patch+json";
const STRATEGIC_PATCH = "application/strategic-merge-patch+json";
const APPLY_PATCH = "application/apply-patch+yaml";

/** A DNS-1123 label, the shape of a valid name. */
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const token = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const doesNotParseAsJSON = (text: string) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
};
const nested = (depth: number, kind: "array" | "object", leaf: string) =>
  kind === "array"
    ? `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;

/** Every class of bad input: how to make one, and the answer it must get. */
const CLASSES: Array<{ name: string; runs?: number; input: fc.Arbitrary<Case>; expect: Expected }> = [
  {
    name: "a JSON body that does not parse",
    input: fc
      .string({ maxLength: 40 })
      .filter(doesNotParseAsJSON)
      .map((text) => post(text)),
    expect: { code: 400, reason: "BadRequest", message: /^error decoding request body/ },
  },
  {
    name: "a PUT or PATCH of the collection's URL",
    input: fc
      .record({
        method: fc.constantFrom("PUT", "PATCH"),
        body: fc.oneof(fc.constant(JSON.stringify(flunder({ name: "whole" }))), fc.constant("{}")),
      })
      .map(({ method, body }) =>
        request(COLLECTION, {
          method,
          body,
          headers: { "Content-Type": method === "PUT" ? "application/json" : MERGE_PATCH },
        }),
      ),
    expect: { code: 400, reason: "BadRequest", message: /^name must be provided$/ },
  },
  {
    name: "a JSON body that is not an object",
    input: fc
      .oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 })))
      .map((value) => post(JSON.stringify(value))),
    expect: { code: 400, reason: "BadRequest", message: /must be a JSON object/ },
  },
  {
    name: "a wrong or missing apiVersion or kind",
    input: fc
      .record({
        apiVersion: fc.oneof(fc.constant(undefined), fc.string(), fc.constant("wardle.example.com/v1alpha1")),
        kind: fc.oneof(fc.constant(undefined), fc.string(), fc.constant("Flunder")),
      })
      .filter((t) => !(t.apiVersion === "wardle.example.com/v1alpha1" && t.kind === "Flunder"))
      .map((t) => post(JSON.stringify({ ...t, metadata: { name: "x" } }))),
    expect: {
      code: 400,
      reason: "BadRequest",
      message: /Object '(Kind|apiVersion)' is missing|does not match the expected (kind|API version)/,
    },
  },
  {
    name: "a spec that breaks the schema",
    input: fc
      .oneof(
        fc.record({ replicas: fc.oneof(fc.string(), fc.integer({ max: -1 }), fc.double({ noInteger: true })) }),
        fc.record({ referenceType: fc.string().filter((s) => s !== "Flunder" && s !== "Fischer") }),
        fc.record({ reference: fc.string({ minLength: 64, maxLength: 200 }) }),
        fc.record({ items: fc.array(fc.record({ size: fc.integer({ max: -1 }) }), { minLength: 1, maxLength: 3 }) }),
      )
      .map((spec) => post(JSON.stringify(flunder({ name: "schema" }, spec)))),
    expect: { code: 422, reason: "Invalid", field: "spec." },
  },
  {
    name: "unknown fields with fieldValidation=Strict",
    input: fc
      .dictionary(
        fc
          .stringMatching(/^[a-z][a-zA-Z]{0,10}$/)
          .filter((k) => !["reference", "referenceType", "replicas", "color", "items"].includes(k)),
        fc.jsonValue({ maxDepth: 1 }),
        { minKeys: 1, maxKeys: 3 },
      )
      .map((extra) =>
        post(
          JSON.stringify(flunder({ name: "strict" }, { replicas: 1, ...extra })),
          "application/json",
          "?fieldValidation=Strict",
        ),
      ),
    expect: { code: 400, reason: "BadRequest", message: /^strict decoding error: unknown field "spec\./ },
  },
  {
    name: "a YAML body that does not parse",
    input: fc
      .tuple(label, token, fc.constantFrom("[", "{", '"', "'"))
      .map(([key, value, open]) => post(`${key}: ${open}${value}\n  - ${key}: : ]`, "application/yaml")),
    expect: { code: 400, reason: "BadRequest", message: /^error converting YAML to JSON/ },
  },
  {
    name: "a YAML body that is not a mapping",
    input: fc
      .oneof(fc.integer(), fc.array(token, { minLength: 1 }), token)
      .map((value) => post(toYAML(value), "application/yaml")),
    expect: { code: 400, reason: "BadRequest", message: /must be a JSON object/ },
  },
  {
    name: "a Content-Type that is not JSON or YAML",
    input: fc
      .oneof(
        fc.constantFrom("text/plain", "application/xml", "application/vnd.kubernetes.protobuf", "multipart/form-data"),
        fc.tuple(fc.constantFrom("text", "image", "video", "application"), token).map(([t, s]) => `${t}/x-${s}`),
      )
      .map((type) => post(JSON.stringify(flunder({ name: "ctype" })), type)),
    expect: { code: 415, reason: "UnsupportedMediaType" },
  },
  {
    name: "a body over 3 MiB",
    runs: LONG ? 20 : 4,
    input: fc.tuple(fc.integer({ min: 3 * MiB + 1, max: 3.5 * MiB }), fc.boolean()).map(([size, chunked]) =>
      request(COLLECTION, {
        method: "POST",
        body: JSON.stringify({ ...flunder({ name: "big" }), pad: "x".repeat(size) }),
        chunked,
      }),
    ),
    expect: { code: 413, reason: "RequestEntityTooLarge" },
  },
  {
    name: "nesting past 1,000 levels",
    input: fc
      .tuple(fc.integer({ min: 1001, max: 6000 }), fc.constantFrom("array", "object" as const), fc.boolean())
      .map(([depth, kind, yaml]) =>
        yaml
          ? post(`spec: ${nested(depth, kind as "array" | "object", "1")}\n`, "application/yaml")
          : post(
              `{"apiVersion":"wardle.example.com/v1alpha1","kind":"Flunder","spec":${nested(depth, kind as "array" | "object", "1")}}`,
            ),
      ),
    expect: {
      code: 400,
      reason: "BadRequest",
      message: /^the request body nests (deeper than the limit of 1000 levels|too deeply)$/,
    },
  },
  {
    name: "an invalid or oversized name",
    input: fc
      .oneof(
        fc.stringMatching(/^[a-z]{254,300}$/),
        fc.tuple(label, fc.constantFrom("A", "_", " ", "/", "%", "..", "-$", "ä")).map(([l, bad]) => `${l}${bad}x`),
        label.map((l) => `-${l}`),
      )
      .map((name) => post(JSON.stringify(flunder({ name })))),
    expect: { code: 422, reason: "Invalid", field: "metadata.name" },
  },
  {
    name: "an invalid or oversized label",
    input: fc
      .oneof(
        fc.tuple(label, fc.stringMatching(/^[a-z]{64,100}$/)).map(([k, v]) => ({ [k]: v })),
        fc.tuple(label, token).map(([k, v]) => ({ [`-${k}`]: v })),
        fc.tuple(label, token).map(([k, v]) => ({ [`${k}/x/y`]: v })),
        fc.tuple(fc.stringMatching(/^[a-z]{64,80}$/), token).map(([k, v]) => ({ [k]: v })),
        fc.tuple(label, token).map(([k, v]) => ({ [k]: `${v} space` })),
      )
      .map((labels) => post(JSON.stringify(flunder({ name: "labels", labels })))),
    expect: { code: 422, reason: "Invalid", field: "metadata.labels" },
  },
  {
    name: "annotations over 256 KiB",
    runs: LONG ? 50 : 6,
    input: fc
      .tuple(fc.integer({ min: 256 * 1024 + 1, max: 400 * 1024 }), fc.integer({ min: 1, max: 4 }))
      .map(([total, keys]) => {
        const annotations: Record<string, string> = {};
        for (let i = 0; i < keys; i++) annotations[`k${i}`] = "a".repeat(Math.ceil(total / keys));
        return post(JSON.stringify(flunder({ name: "annotated", annotations })));
      }),
    expect: { code: 422, reason: "Invalid", field: "metadata.annotations" },
  },
  {
    name: "a namespace in the body that differs from the URL's",
    input: label.filter((n) => n !== NS).map((namespace) => post(JSON.stringify(flunder({ name: "ns", namespace })))),
    expect: { code: 400, reason: "BadRequest", message: /namespace of the provided object does not match/ },
  },
  {
    name: "a label selector that does not parse",
    input: fc
      .tuple(label, token, fc.constantFrom("in (", "notin", "(", ")", ",,", "=!", "in ()", "!!"))
      .map(([k, v, bad]) => `${k} ${bad} ${v}`)
      .map((selector) => get(`${COLLECTION}?labelSelector=${encodeURIComponent(selector)}`)),
    expect: { code: 400, reason: "BadRequest", message: /unable to parse requirement|invalid|couldn't parse|found/ },
  },
  {
    name: "a field selector on a field that is not selectable",
    input: fc
      .tuple(fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{1,8}){0,2}$/), token)
      .filter(([field]) => !["metadata.name", "metadata.namespace", "spec.color"].includes(field))
      .map(([field, value]) => get(`${COLLECTION}?fieldSelector=${encodeURIComponent(`${field}=${value}`)}`)),
    expect: { code: 400, reason: "BadRequest", message: /^field label not supported: / },
  },
  {
    name: "a limit that is not an integer",
    input: fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => !/^-?\d+$/.test(s))
      .map((limit) => get(`${COLLECTION}?limit=${encodeURIComponent(limit)}`)),
    expect: { code: 400, reason: "BadRequest", message: /^invalid limit: / },
  },
  {
    name: "a resourceVersion that is not a decimal uint64",
    input: fc
      .tuple(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/^\d+$/.test(s)),
          fc.stringMatching(/^[1-9]\d{20,25}$/),
          fc.integer({ max: -1 }).map(String),
        ),
        fc.constantFrom(COLLECTION, TARGET, `${COLLECTION}?watch=true&timeoutSeconds=1`),
      )
      .map(([rv, path]) => get(`${path}${path.includes("?") ? "&" : "?"}resourceVersion=${encodeURIComponent(rv)}`)),
    expect: { code: 400, reason: "BadRequest", message: /^invalid resource version: / },
  },
  {
    name: "a resourceVersionMatch that does not exist",
    input: fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => s !== "Exact" && s !== "NotOlderThan")
      .map((m) => get(`${COLLECTION}?resourceVersion=1&resourceVersionMatch=${encodeURIComponent(m)}`)),
    expect: { code: 422, reason: "Invalid", field: "resourceVersionMatch" },
  },
  {
    name: "a continue token that does not decode",
    input: fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString("base64url")),
        fc
          .record({ rv: fc.oneof(fc.integer({ max: 0 }), fc.string()), start: fc.string() })
          .map((t) => Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", ...t })).toString("base64url")),
        fc
          .constantFrom("../x\u0000", "/abs\u0000", "a/../../b\u0000", "no-terminator")
          .map((start) => Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 1, start })).toString("base64url")),
      )
      .map((token) => get(`${COLLECTION}?limit=1&continue=${encodeURIComponent(token)}`)),
    expect: { code: 400, reason: "BadRequest", message: /^invalid continue token: continue key is not valid: / },
  },
  {
    name: "a watch timeoutSeconds that is not a number",
    input: fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((s) => !/^\d+$/.test(s))
      .map((t) => get(`${COLLECTION}?watch=true&timeoutSeconds=${encodeURIComponent(t)}`)),
    expect: { code: 400, reason: "BadRequest", message: /^invalid timeoutSeconds: / },
  },
  {
    name: "a dryRun value that does not exist",
    input: fc
      .string({ minLength: 1, maxLength: 10 })
      .filter((s) => s !== "All")
      .map((v) =>
        post(JSON.stringify(flunder({ name: "dry" })), "application/json", `?dryRun=${encodeURIComponent(v)}`),
      ),
    expect: { code: 422, reason: "Invalid", field: "dryRun" },
  },
  {
    name: "a fieldValidation value that does not exist",
    input: fc
      .string({ minLength: 1, maxLength: 10 })
      .filter((s) => !["Strict", "Warn", "Ignore"].includes(s))
      .map((v) =>
        post(JSON.stringify(flunder({ name: "fv" })), "application/json", `?fieldValidation=${encodeURIComponent(v)}`),
      ),
    expect: { code: 422, reason: "Invalid", field: "fieldValidation" },
  },
  {
    name: "an Accept header offering nothing served",
    input: fc
      .oneof(
        fc.constantFrom("application/vnd.kubernetes.protobuf", "text/html", "application/xml", "image/png"),
        fc.tuple(fc.constantFrom("text", "image", "audio", "foo"), token).map(([t, s]) => `${t}/${s}`),
        token.map((s) => `application/x-${s}`),
      )
      .chain((accept) => fc.constantFrom(get(COLLECTION, { Accept: accept }), get(TARGET, { Accept: accept }))),
    expect: { code: 406, reason: "NotAcceptable" },
  },
  {
    name: "a patch Content-Type that is not a patch type",
    input: fc
      .constantFrom("application/json", "text/plain", "application/yaml", "application/x-www-form-urlencoded")
      .map((type) => patch(type, "{}")),
    expect: { code: 415, reason: "UnsupportedMediaType" },
  },
  {
    name: "a JSON patch that is malformed",
    input: fc
      .oneof(
        fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)),
        fc.array(
          fc.record({
            op: fc.string().filter((s) => !["add", "remove", "replace", "move", "copy", "test"].includes(s)),
            path: fc.constant("/spec"),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map((value) => patch(JSON_PATCH, JSON.stringify(value))),
    expect: { code: 400, reason: "BadRequest" },
  },
  {
    name: "a JSON patch that does not apply",
    input: fc
      .tuple(token, fc.constantFrom("remove", "replace", "test"))
      .map(([key, op]) =>
        patch(
          JSON_PATCH,
          JSON.stringify([
            { op, path: op === "test" ? "/spec/replicas" : `/spec/no-${key}/deeper`, value: `v-${key}` },
          ]),
        ),
      ),
    expect: { code: 422, reason: "Invalid" },
  },
  {
    // A merge patch that is a scalar or null is evanphx/json-patch's ErrBadJSONPatch; a strategic
    // merge patch that is not a map fails to decode (null decodes, as a patch that changes nothing).
    name: "a merge patch that is neither an object nor an array, or a strategic merge patch that is not an object",
    input: fc
      .oneof(
        fc.tuple(fc.constant(MERGE_PATCH), fc.oneof(fc.integer(), fc.string(), fc.constant(null))),
        fc.tuple(fc.constant(STRATEGIC_PATCH), fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer()))),
      )
      .map(([type, value]) => patch(type, JSON.stringify(value))),
    expect: { code: 400, reason: "BadRequest" },
  },
  {
    // The merge patch of an array is that array: it does not decode as an object.
    name: "a merge patch that is an array",
    input: fc.array(fc.integer()).map((value) => patch(MERGE_PATCH, JSON.stringify(value))),
    expect: { code: 422, reason: "Invalid", field: "patch" },
  },
  {
    name: "an apply patch without a fieldManager",
    input: fc
      .integer({ min: 0, max: 100 })
      .map((replicas) => patch(APPLY_PATCH, toYAML({ ...flunder({ name: "target" }, { replicas }) }))),
    expect: { code: 422, reason: "Invalid", field: "fieldManager" },
  },
  {
    name: "an apply patch that is not a YAML mapping",
    input: fc
      .oneof(
        fc.tuple(label, token).map(([k, v]) => `${k}: [${v}`),
        fc.oneof(fc.integer(), fc.array(token, { minLength: 1 })).map((v) => toYAML(v)),
      )
      .map((body) => patch(APPLY_PATCH, body, "?fieldManager=fuzz")),
    expect: { code: 400, reason: "BadRequest", message: /^error decoding YAML/ },
  },
];

/** Keys that reach for prototypes, at the places a merge would walk into. */
const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"] as const;

function pollutingDocument(key: string, at: number, payload: Record<string, unknown>): Record<string, unknown> {
  // Parsed, not built: JSON.parse makes "__proto__" an own key, as a request body does.
  const poison = (extra = "") => JSON.parse(`{${extra}"${key}":${JSON.stringify(payload)}}`) as Record<string, unknown>;
  const places: Array<() => Record<string, unknown>> = [
    () => poison(),
    () => ({ metadata: poison() }),
    () => ({ metadata: { labels: JSON.parse(`{"${key}":"x"}`), annotations: JSON.parse(`{"${key}":"x"}`) } }),
    () => ({ spec: poison() }),
    () => ({ spec: { items: [poison('"name":"a",')] } }),
    () => ({ spec: { constructor: { prototype: payload } } }),
  ];
  return (places[at % places.length] as () => Record<string, unknown>)();
}

/** Ordinary keys of the same shape (length, leading underscores): the control for each dangerous one. */
const TWINS: ReadonlyArray<readonly [string, string]> = [
  ["__proto__", "__xroto__"],
  ["constructor", "construxtor"],
  ["prototype", "protxtype"],
];

function toTwins(text: string): string {
  return TWINS.reduce((t, [word, twin]) => t.replaceAll(word, twin), text);
}

/** An object read back, without what differs between two objects by nature, in the dangerous keys' spelling. */
function comparable(body: string, variant: "poison" | "control"): string {
  const object = JSON.parse(body) as { metadata: Record<string, unknown> };
  for (const field of ["name", "uid", "resourceVersion", "creationTimestamp"]) delete object.metadata[field];
  const managed = object.metadata.managedFields as Array<Record<string, unknown>> | undefined;
  for (const entry of managed ?? []) delete entry.time;
  const text = JSON.stringify(object);
  return variant === "poison" ? text : TWINS.reduce((t, [word, twin]) => t.replaceAll(twin, word), text);
}

function prototypesUntouched(): string | undefined {
  const probe = {} as Record<string, unknown>;
  for (const name of ["polluted", "isAdmin", "replicas"]) {
    if (name in probe || name in Object.prototype || name in Array.prototype || name in Function.prototype) {
      return `Object.prototype now has "${name}"`;
    }
  }
  return undefined;
}

/** The path of the first object or array under `value` whose prototype is not the plain one. */
function foreignPrototype(value: unknown, path = ""): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== (Array.isArray(value) ? Array.prototype : Object.prototype) && proto !== null) return path || "/";
  for (const key of Object.keys(value)) {
    const found = foreignPrototype((value as Record<string, unknown>)[key], `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

const OBJECT_PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(",");

function describeAnswer(answer: HttpAnswer): string {
  return `${answer.status} ${answer.body.slice(0, 300)}`;
}

describe(`bad input (fast-check seed ${SEED})`, () => {
  let server: TestServer;
  let client: HttpsClient;
  let baseline: number;
  const tally = { requests: 0, classes: 0 };
  before(async () => {
    server = await startTestServer();
    const { ca, admin } = server.local.pki;
    client = new HttpsClient(server.url, { ca: ca.cert, cert: admin.cert, key: admin.key }, { maxSockets: 4 });
    const created = await client.request(COLLECTION, {
      method: "POST",
      body: flunder({ name: "target", labels: { app: "fuzz" } }, { replicas: 1, items: [{ name: "a", size: 1 }] }),
    });
    assert.equal(created.status, 201, created.body);
    baseline = await heldBytesAfterGc();
  });
  after(async () => {
    client.close();
    await server.close();
  });

  for (const badInput of CLASSES) {
    it(`${badInput.name} → ${badInput.expect.code} ${badInput.expect.reason}`, async () => {
      await fc.assert(
        fc.asyncProperty(badInput.input, async ({ path, options }) => {
          const answer = await client.request(path, { timeoutMs: 10_000, ...options });
          tally.requests++;
          const what = `${options.method ?? "GET"} ${path.slice(0, 200)}`;
          assert.equal(answer.status, badInput.expect.code, `${what} → ${describeAnswer(answer)}`);
          const status = answer.json<{
            kind?: string;
            reason?: string;
            message?: string;
            details?: { causes?: Array<{ field?: string }> };
          }>();
          assert.equal(status.kind, "Status", describeAnswer(answer));
          assert.equal(status.reason, badInput.expect.reason, `${what} → ${describeAnswer(answer)}`);
          if (badInput.expect.message) assert.match(status.message ?? "", badInput.expect.message, what);
          const field = badInput.expect.field;
          if (field) {
            const named = status.details?.causes?.some((c) => c.field?.startsWith(field));
            assert.ok(named, `${what}: no cause names ${field}: ${describeAnswer(answer)}`);
          }
        }),
        { seed: SEED, numRuns: badInput.runs ?? RUNS, endOnFailure: true },
      );
      tally.classes++;
    });
  }

  it("anything at all: never a 500, always a Status whose reason fits its code", async () => {
    const methods = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    const segment = fc.oneof(
      label,
      fc.constantFrom("flunders", "fischers", "status", "scale", "namespaces", NS, "target", "..", "%2F", "%00", "~"),
      fc.string({ maxLength: 6 }).map(encodeURIComponent),
    );
    const paths = fc.oneof(
      fc.array(segment, { maxLength: 6 }).map((s) => `${COLLECTION}/${s.join("/")}`),
      fc.array(segment, { maxLength: 6 }).map((s) => `/apis/${s.join("/")}`),
      fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join("/")}`),
    );
    const query = fc.dictionary(
      fc.constantFrom(
        "labelSelector",
        "fieldSelector",
        "limit",
        "continue",
        "resourceVersion",
        "resourceVersionMatch",
        "timeoutSeconds",
        "dryRun",
        "fieldValidation",
        "fieldManager",
        "force",
        "propagationPolicy",
        "gracePeriodSeconds",
        "includeObject",
        "sendInitialEvents",
        "allowWatchBookmarks",
        "watch",
      ),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.integer().map(String),
        fc.constantFrom("0", "1", "true", "All", "Exact"),
      ),
      { maxKeys: 4 },
    );
    const contentTypes = fc.constantFrom(
      "application/json",
      "application/yaml",
      JSON_PATCH,
      MERGE_PATCH,
      STRATEGIC_PATCH,
      APPLY_PATCH,
      "text/plain",
      "application/json; charset=utf-8",
    );
    const accepts = fc.constantFrom(
      undefined,
      "application/json",
      "application/yaml",
      "application/json;as=Table;v=v1;g=meta.k8s.io",
      "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
      "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
      "application/vnd.kubernetes.protobuf",
      "*/*;q=0",
      "application/*",
    );
    const bodies = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({ name: fc.oneof(label, fc.string()), spec: fc.jsonValue({ maxDepth: 2 }) })
        .map(({ name, spec }) => JSON.stringify({ ...flunder({ name }), spec })),
      fc.string({ maxLength: 40 }),
    );
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ method: methods, path: paths, query, contentType: contentTypes, accept: accepts, body: bodies }),
        async (c) => {
          const search = new URLSearchParams(c.query);
          // A watch that happens to be valid streams: keep it short.
          if (search.get("watch") !== null) search.set("timeoutSeconds", "1");
          const path = `${c.path}${search.size ? `?${search}` : ""}`;
          let answer: HttpAnswer;
          try {
            answer = await client.request(path, {
              method: c.method,
              timeoutMs: 10_000,
              headers: { "Content-Type": c.contentType, ...(c.accept ? { Accept: c.accept } : {}) },
              ...(c.body === undefined ? {} : { body: c.body }),
            });
          } catch (error) {
            assert.fail(`${c.method} ${path}: no answer (${String(error)})`);
          }
          requests++;
          assert.notEqual(answer.status, 500, `${c.method} ${path} → ${describeAnswer(answer)}`);
          if (answer.status >= 400 && c.method !== "HEAD") {
            const status = answer.json<{ kind?: string; reason?: string }>();
            assert.equal(status.kind, "Status", `${c.method} ${path} → ${describeAnswer(answer)}`);
            const allowed = REASONS[answer.status];
            assert.ok(allowed?.includes(status.reason ?? ""), `${c.method} ${path} → ${describeAnswer(answer)}`);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 12, endOnFailure: true },
    );
    tally.requests += requests;
  });

  it("__proto__, constructor and prototype keys pollute nothing and act like any other key, in every patch type and body", async (t) => {
    const kinds = fc.constantFrom("create-json", "create-yaml", "update", "json", "merge", "strategic", "apply");
    let requests = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        kinds,
        fc.constantFrom(...POLLUTING_KEYS),
        fc.nat(),
        fc.constantFrom({ polluted: "yes" }, { isAdmin: true }, { replicas: 99 }),
        async (kind, key, at, payload) => {
          run++;
          // The same write twice: with the dangerous key, and with an ordinary key of the same shape.
          const outcomes: Array<{ answer: HttpAnswer; stored: string }> = [];
          for (const variant of ["poison", "control"] as const) {
            const rename = (text: string) => (variant === "poison" ? text : toTwins(text));
            const doc = JSON.parse(rename(JSON.stringify(pollutingDocument(key, at, payload)))) as Record<
              string,
              unknown
            >;
            const name = `${variant}-${run}`;
            const path = `${COLLECTION}/${name}`;
            const full = { ...flunder({ name }), ...doc, metadata: { name, ...(doc.metadata as object) } };
            if (!kind.startsWith("create")) {
              const created = await client.request(COLLECTION, {
                method: "POST",
                body: flunder({ name }, { replicas: 1, items: [{ name: "a" }] }),
              });
              assert.equal(created.status, 201, describeAnswer(created));
            }
            let c: Case;
            switch (kind) {
              case "create-json":
                c = post(JSON.stringify(full));
                break;
              case "create-yaml":
                c = post(toYAML(full), "application/yaml");
                break;
              case "update": {
                const current = (await client.request(path)).json<{ metadata: { resourceVersion: string } }>();
                const body = {
                  ...full,
                  metadata: { ...full.metadata, resourceVersion: current.metadata.resourceVersion },
                };
                c = request(path, { method: "PUT", body: JSON.stringify(body) });
                break;
              }
              case "json": {
                const ops = Object.entries(doc).map(([k, v]) => ({ op: "add", path: `/${k}`, value: v }));
                ops.push({ op: "add", path: rename(`/metadata/${key}`), value: payload });
                ops.push({ op: "add", path: rename(`/spec/${key}/polluted`), value: "yes" });
                c = request(path, {
                  method: "PATCH",
                  body: JSON.stringify(ops),
                  headers: { "Content-Type": JSON_PATCH },
                });
                break;
              }
              case "merge":
              case "strategic":
                c = request(path, {
                  method: "PATCH",
                  body: JSON.stringify(doc),
                  headers: { "Content-Type": kind === "merge" ? MERGE_PATCH : STRATEGIC_PATCH },
                });
                break;
              default:
                c = request(`${path}?fieldManager=fuzz&force=true`, {
                  method: "PATCH",
                  body: JSON.stringify(full),
                  headers: { "Content-Type": APPLY_PATCH },
                });
            }
            const answer = await client.request(c.path, { timeoutMs: 10_000, ...c.options });
            requests++;
            assert.equal(prototypesUntouched(), undefined, `${kind} with ${JSON.stringify(doc)}`);
            assert.equal(Object.getOwnPropertyNames(Object.prototype).sort().join(","), OBJECT_PROTOTYPE_KEYS);
            const read = await client.request(path);
            outcomes.push({ answer, stored: read.status === 200 ? comparable(read.body, variant) : `${read.status}` });
          }
          const [poison, control] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
          const what = `${kind} with ${key} at place ${at % 6}`;
          assert.notEqual(poison.answer.status, 500, `${what}: ${describeAnswer(poison.answer)}`);
          assert.equal(
            poison.answer.status,
            control.answer.status,
            `${what}: ${describeAnswer(poison.answer)} vs ${describeAnswer(control.answer)}`,
          );
          assert.equal(poison.stored, control.stored, what);
          // What was stored is plain data all the way down: no object got another prototype.
          const stored = await server.storage.list(`/registry/wardle.example.com/flunders/${NS}/`);
          for (const item of stored.items) assert.equal(foreignPrototype(item), undefined, what);
        },
      ),
      { seed: SEED, numRuns: RUNS * 6, endOnFailure: true },
    );
    tally.requests += requests;
    t.diagnostic(
      `${run} writes with __proto__/constructor/prototype keys, each compared with the same write using an ordinary key`,
    );
  });

  it("leaves the server serving, with bounded memory", async (t) => {
    assert.equal((await client.request("/readyz")).status, 200);
    assert.equal((await client.request(TARGET)).status, 200);
    const growth = (await heldBytesAfterGc()) - baseline;
    t.diagnostic(
      `${tally.classes} classes of bad input, ${tally.requests} requests; memory after GC grew ${(growth / MiB).toFixed(1)} MiB`,
    );
    assert.ok(growth < 64 * MiB, `memory grew by ${growth} bytes`);
  });
});
