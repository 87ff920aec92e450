/**
 * Reads and watches at the HTTP level (issue 3): pagination, resourceVersion rules,
 * selectors, Table and PartialObjectMetadata output, bookmarks, timeouts,
 * sendInitialEvents, and selector transitions in watches.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EtcdStorage, MemoryStorage, SqliteStorage, type Storage } from "@apiserver-kit/storage";
import { type EtcdProcess, etcdAvailable, startEtcd } from "@apiserver-kit/storage/testing";
import { openWatch, ResourceClient } from "../testing/http.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

type Obj = { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
type List<T = Obj> = {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
};
const gv = "/apis/wardle.example.com/v1alpha1";
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
const flunder = (
  name: string,
  labels: Record<string, string> = {},
  spec: Record<string, unknown> = { reference: "r" },
) => ({
  apiVersion: "wardle.example.com/v1alpha1",
  kind: "Flunder",
  metadata: { name, labels },
  spec,
});

describe("HTTP: lists", () => {
  let server: TestServer;
  let fl: ResourceClient;
  before(async () => {
    // A small watch-cache window, so that a continue token can fall out of it.
    server = await startTestServer({ server: { watchCacheOptions: { historySize: 8 } } });
    fl = new ResourceClient(server, `${gv}/namespaces/default/flunders`);
    for (let i = 1; i <= 5; i++)
      await fl.create(
        flunder(
          `item-${i}`,
          { parity: i % 2 ? "odd" : "even", n: String(i) },
          { reference: `r${i}`, color: i % 2 ? "red" : "blue" },
        ),
      );
  });
  after(async () => {
    await server.close();
  });

  it("lists with kind, apiVersion on items, and an empty list as []", async () => {
    const list = (await fl.list()).json<List<Obj & { kind: string; apiVersion: string }>>();
    assert.equal(list.kind, "FlunderList");
    assert.equal(list.apiVersion, "wardle.example.com/v1alpha1");
    assert.match(list.metadata.resourceVersion, /^\d+$/);
    assert.equal(list.items.length, 5);
    assert.ok(list.items.every((i) => i.kind === "Flunder" && i.apiVersion === "wardle.example.com/v1alpha1"));
    const empty = await server.request(`${gv}/namespaces/empty/flunders`);
    assert.equal(empty.body.includes('"items":[]'), true);
    const all = (await server.request(`${gv}/flunders`)).json<List>();
    assert.equal(all.items.length, 5, "a namespaced kind lists across all namespaces");
  });

  it("paginates with limit and continue, at one snapshot", async () => {
    const first = (await fl.list("?limit=2")).json<List>();
    assert.deepEqual(
      first.items.map((i) => i.metadata.name),
      ["item-1", "item-2"],
    );
    assert.equal(first.metadata.remainingItemCount, 3);
    assert.ok(first.metadata.continue);
    await fl.delete("item-3");
    const second = (
      await fl.list(`?limit=2&continue=${encodeURIComponent(first.metadata.continue as string)}`)
    ).json<List>();
    assert.deepEqual(
      second.items.map((i) => i.metadata.name),
      ["item-3", "item-4"],
      "the deleted item-3 still shows: same snapshot",
    );
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    const third = (
      await fl.list(`?limit=2&continue=${encodeURIComponent(second.metadata.continue as string)}`)
    ).json<List>();
    assert.deepEqual(
      third.items.map((i) => i.metadata.name),
      ["item-5"],
    );
    assert.equal(third.metadata.continue, undefined);
    await fl.create(flunder("item-3", { parity: "odd", n: "3" }, { reference: "r3", color: "red" }));
  });

  it("answers an invalid continue token with 400 and an expired one with 410", async () => {
    const bad = await fl.list("?limit=2&continue=not-a-token");
    assert.equal(bad.status, 400);
    assert.match(String(bad.json().message), /^invalid continue token: continue key is not valid/);
    // Go's RawURLEncoding: a lone last byte, or a byte outside the URL alphabet.
    for (const [token, at] of [
      ["bogus", 4],
      ["ab*d", 2],
    ] as const) {
      const refused = await fl.list(`?limit=2&continue=${encodeURIComponent(token)}`);
      assert.equal(refused.status, 400);
      assert.equal(
        refused.json().message,
        `invalid continue token: continue key is not valid: illegal base64 data at input byte ${at}`,
      );
    }
    const traversal = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: 5, start: "../../other\u0000" })).toString(
      "base64url",
    );
    assert.equal((await fl.list(`?limit=2&continue=${traversal}`)).status, 400);
    const first = (await fl.list("?limit=2")).json<List>();
    for (let i = 0; i < 10; i++)
      await fl.patch("item-1", "merge", { spec: { reference: i === 9 ? "moved-on" : `moving-${i}` } });
    await server.storage.compact(await server.storage.currentRevision());
    const expired = await fl.list(`?limit=2&continue=${encodeURIComponent(first.metadata.continue as string)}`);
    assert.equal(expired.status, 410);
    assert.equal(expired.json().reason, "Expired");
    // A list at a compacted revision, asked for exactly or (limit without a match) the legacy way:
    // etcd3's interpretListError, not the watch cache's "too old resource version".
    const rv = first.metadata.resourceVersion;
    for (const query of [`?resourceVersion=${rv}&resourceVersionMatch=Exact`, `?resourceVersion=${rv}&limit=2`]) {
      const exact = await fl.list(query);
      assert.equal(exact.status, 410, query);
      assert.deepEqual(
        { reason: exact.json().reason, message: exact.json().message, code: exact.json().code },
        { reason: "Expired", message: "The resourceVersion for the provided list is too old.", code: 410 },
      );
    }
  });

  it("applies resourceVersion and resourceVersionMatch rules", async () => {
    const current = Number((await fl.list()).json<List>().metadata.resourceVersion);
    assert.equal((await fl.list("?resourceVersion=0")).status, 200);
    assert.equal((await fl.list(`?resourceVersion=${current}&resourceVersionMatch=NotOlderThan`)).status, 200);
    const noRv = await fl.list("?resourceVersionMatch=NotOlderThan");
    assert.equal(noRv.status, 422);
    assert.equal(
      noRv.json().message,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    const exactZero = await fl.list("?resourceVersion=0&resourceVersionMatch=Exact");
    assert.equal(exactZero.status, 422);
    assert.match(String(exactZero.json().message), /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/);
    const unknownMatch = await fl.list("?resourceVersion=1&resourceVersionMatch=Sometimes");
    assert.equal(unknownMatch.status, 422);
    const withContinue = await fl.list("?resourceVersion=5&continue=abc");
    assert.equal(withContinue.status, 400);
    assert.equal(withContinue.json().message, "specifying resource version is not allowed when using continue");
    const notNumber = await fl.list("?resourceVersion=abc");
    assert.equal(notNumber.status, 400);
    const future = await fl.list(`?resourceVersion=${current + 1000}`);
    assert.equal(future.status, 504);
    assert.equal(future.json().reason, "Timeout");
    assert.equal(future.headers["retry-after"], "1");
  });

  it("selects by labels with the full syntax and reports parse errors", async () => {
    const names = async (selector: string) =>
      (await fl.list(`?labelSelector=${encodeURIComponent(selector)}`))
        .json<List>()
        .items.map((i) => i.metadata.name)
        .sort();
    assert.deepEqual(await names("parity=odd"), ["item-1", "item-3", "item-5"]);
    assert.deepEqual(await names("parity==even"), ["item-2", "item-4"]);
    assert.deepEqual(await names("parity!=odd"), ["item-2", "item-4"]);
    assert.deepEqual(await names("n in (1,2)"), ["item-1", "item-2"]);
    assert.deepEqual(await names("n notin (1,2),parity"), ["item-3", "item-4", "item-5"]);
    assert.deepEqual(await names("!parity"), []);
    assert.deepEqual(await names("n>3"), ["item-4", "item-5"]);
    assert.deepEqual(await names("n<2,parity=odd"), ["item-1"]);
    assert.deepEqual(await names("n in (1,),parity notin ()"), ["item-1"], "an empty value in a set, as Kubernetes");
    for (const [bad, message] of [
      ["a=b=c", "found '=', expected: ',' or 'end of string'"],
      ["n in (1", "unable to parse requirement: found '', expected: ',' or ')'"],
      ["!", "unable to parse requirement: found '', expected: identifier"],
      ["bad key!=x", "unable to parse requirement: found 'key', expected: in, notin, =, ==, !=, gt, lt"],
      ["a,", "found '', expected: identifier after ','"],
      [
        "n>x",
        "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
      ],
    ]) {
      const res = await fl.list(`?labelSelector=${encodeURIComponent(bad as string)}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.json().reason, "BadRequest", bad);
      assert.equal(res.json().message, message, bad);
    }
  });

  it("selects by fields the kind declares and refuses others", async () => {
    const names = async (selector: string) =>
      (await fl.list(`?fieldSelector=${encodeURIComponent(selector)}`))
        .json<List>()
        .items.map((i) => i.metadata.name)
        .sort();
    assert.deepEqual(await names("metadata.name=item-2"), ["item-2"]);
    assert.deepEqual(await names("metadata.namespace=default,spec.color=blue"), ["item-2", "item-4"]);
    assert.deepEqual(await names("spec.color!=blue"), ["item-1", "item-3", "item-5"]);
    const unsupported = await fl.list("?fieldSelector=spec.reference%3Dr1");
    assert.equal(unsupported.status, 400);
    assert.equal(unsupported.json().message, "field label not supported: spec.reference");
    assert.equal((await fl.list("?fieldSelector=nonsense")).status, 400);
  });

  it("renders Tables with Name, printer columns and Age, and includeObject", async () => {
    const res = await fl.list("?limit=2", { Accept: `${TABLE},application/json` });
    assert.equal(res.headers["content-type"], "application/json;as=Table;g=meta.k8s.io;v=v1");
    const table = res.json<{
      kind: string;
      columnDefinitions: Array<{ name: string; type: string; priority: number }>;
      rows: Array<{ cells: unknown[]; object: Obj & { kind: string } }>;
      metadata: { continue?: string };
    }>();
    assert.equal(table.kind, "Table");
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
      [
        ["Name", "string", 0],
        ["Reference", "string", 0],
        ["Replicas", "integer", 0],
        ["Phase", "string", 1],
        ["Age", "date", 0],
      ],
    );
    assert.equal(table.rows.length, 2);
    assert.deepEqual(table.rows[0]?.cells.slice(0, 4), ["item-1", "moved-on", 1, null]);
    assert.match(String(table.rows[0]?.cells[4]), /^\d+s$/);
    assert.equal(table.rows[0]?.object.kind, "PartialObjectMetadata");
    assert.ok(table.metadata.continue, "a paged Table carries continue");
    const none = (await fl.list("?includeObject=None", { Accept: TABLE })).json<{
      rows: Array<{ object?: unknown }>;
    }>();
    assert.equal(none.rows[0]?.object, undefined);
    const full = (await fl.list("?includeObject=Object", { Accept: TABLE })).json<{
      rows: Array<{ object: { kind: string; spec: unknown } }>;
    }>();
    assert.equal(full.rows[0]?.object.kind, "Flunder");
    const one = (
      await server.request(`${gv}/namespaces/default/flunders/item-2`, { headers: { Accept: TABLE } })
    ).json<{ rows: unknown[] }>();
    assert.equal(one.rows.length, 1);
  });

  it("serves PartialObjectMetadata and PartialObjectMetadataList", async () => {
    const one = await server.request(`${gv}/namespaces/default/flunders/item-2`, {
      headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
    });
    const partial = one.json<{ kind: string; apiVersion: string; metadata: { name: string }; spec?: unknown }>();
    assert.equal(partial.kind, "PartialObjectMetadata");
    assert.equal(partial.apiVersion, "meta.k8s.io/v1");
    assert.equal(partial.metadata.name, "item-2");
    assert.equal(partial.spec, undefined);
    const list = (
      await fl.list("", { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1" })
    ).json<List<{ kind: string }>>();
    assert.equal(list.kind, "PartialObjectMetadataList");
    assert.equal(list.items[0]?.kind, "PartialObjectMetadata");
    // The first acceptable media range decides; a form that does not fit is refused, not skipped.
    const wrong = await fl.list("", {
      Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json",
    });
    assert.equal(wrong.status, 406, "a list asks for the List form");
    assert.deepEqual(
      [wrong.json().reason, wrong.json().message],
      [
        "NotAcceptable",
        "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)",
      ],
    );
    const wrongOne = await server.request(`${gv}/namespaces/default/flunders/item-2`, {
      headers: { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json" },
    });
    assert.equal(wrongOne.status, 406, "one object is not a list");
    assert.deepEqual(
      [wrongOne.json().reason, wrongOne.json().message],
      [
        "NotAcceptable",
        "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)",
      ],
    );
  });

  it("serves Table and PartialObjectMetadata[List] in meta.k8s.io/v1beta1 too", async () => {
    const TABLE_V1BETA1 = "application/json;as=Table;v=v1beta1;g=meta.k8s.io";
    const table = await fl.list("", { Accept: TABLE_V1BETA1 });
    assert.equal(table.headers["content-type"], "application/json;as=Table;g=meta.k8s.io;v=v1beta1");
    const body = table.json<{ kind: string; apiVersion: string; rows: Array<{ object: { apiVersion: string } }> }>();
    assert.deepEqual([body.kind, body.apiVersion], ["Table", "meta.k8s.io/v1beta1"]);
    assert.equal(body.rows[0]?.object.apiVersion, "meta.k8s.io/v1beta1", "rows' metadata in the Table's version");
    const oneTable = await server.request(`${gv}/namespaces/default/flunders/item-2`, {
      headers: { Accept: TABLE_V1BETA1 },
    });
    assert.equal(oneTable.json().apiVersion, "meta.k8s.io/v1beta1");
    const one = await server.request(`${gv}/namespaces/default/flunders/item-2`, {
      headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1" },
    });
    assert.deepEqual([one.json().kind, one.json().apiVersion], ["PartialObjectMetadata", "meta.k8s.io/v1beta1"]);
    const list = (
      await fl.list("", { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1" })
    ).json<List<{ kind: string; apiVersion: string }>>();
    assert.deepEqual([list.kind, list.apiVersion], ["PartialObjectMetadataList", "meta.k8s.io/v1beta1"]);
    assert.ok(list.items.every((i) => i.apiVersion === "meta.k8s.io/v1beta1"));
    // No other version exists: the range is skipped for the next.
    const v2 = await fl.list("", { Accept: "application/json;as=Table;v=v2;g=meta.k8s.io,application/json" });
    assert.equal(v2.json().kind, "FlunderList");
  });

  it("refuses an unknown includeObject in apiserver's words, and takes an empty one as Metadata", async () => {
    const bogus = await fl.list("?includeObject=bogus", { Accept: TABLE });
    assert.equal(bogus.status, 400);
    assert.deepEqual(
      [bogus.json().reason, bogus.json().message],
      [
        "BadRequest",
        "Unable to convert to Table as requested: includeObject: Invalid value: \"bogus\": must be 'Metadata', 'Object', 'None', or empty",
      ],
    );
    const get = await server.request(`${gv}/namespaces/default/flunders/item-2?includeObject=bogus`, {
      headers: { Accept: TABLE },
    });
    assert.equal(get.status, 400);
    const empty = await fl.list("?includeObject=", { Accept: TABLE });
    assert.equal(empty.status, 200, empty.body);
    assert.equal(
      empty.json<{ rows: Array<{ object: { kind: string } }> }>().rows[0]?.object.kind,
      "PartialObjectMetadata",
    );
    assert.equal((await fl.list("?includeObject=bogus")).status, 200, "only a Table reads it");
  });

  it("pretty-prints JSON for pretty=true|1, a pretty=1 media range, and curl, Wget or browser agents", async () => {
    const isPretty = (body: string) => body === JSON.stringify(JSON.parse(body), null, 2) && body.includes("\n  ");
    const isCompact = (body: string) => body === JSON.stringify(JSON.parse(body));
    const item = `${gv}/namespaces/default/flunders/item-2`;
    assert.ok(isCompact((await fl.list()).body), "compact by default");
    assert.ok(isCompact((await server.request(item)).body));
    for (const query of ["?pretty=true", "?pretty=1", "?pretty=True", "?limit=1&pretty=t"]) {
      assert.ok(isPretty((await fl.list(query)).body), query);
    }
    assert.ok(isPretty((await server.request(`${item}?pretty=true`)).body));
    assert.ok(isPretty((await fl.list("?pretty=true", { Accept: TABLE })).body), "a Table too");
    const missing = await server.request(`${gv}/namespaces/default/flunders/nope?pretty=true`);
    assert.equal(missing.status, 404);
    assert.ok(isPretty(missing.body), "and a Status");
    assert.ok(isPretty((await fl.list("", { Accept: "application/json;pretty=1" })).body));
    for (const agent of ["curl/8.5.0", "Wget/1.21", "Mozilla/5.0 (X11; Linux x86_64)"]) {
      assert.ok(isPretty((await fl.list("", { "User-Agent": agent })).body), agent);
    }
    // An explicit value wins over the agent; anything but a Go true is false.
    for (const query of ["?pretty=false", "?pretty=0", "?pretty=yes"]) {
      assert.ok(isCompact((await fl.list(query, { "User-Agent": "curl/8.5.0" })).body), query);
    }
    assert.ok(isPretty((await fl.list("?pretty=", { "User-Agent": "curl/8.5.0" })).body), "empty: the agent decides");
    assert.ok(isCompact((await fl.list("", { "User-Agent": "kubectl/v1.33.0" })).body));
    const yaml = await fl.list("?pretty=true", { Accept: "application/yaml" });
    assert.match(yaml.body, /^kind: FlunderList$/m, "YAML stays YAML");
    // Discovery too (its documents are prepared once, compact), with the same ETag.
    const v2 = { Accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" };
    assert.ok(isCompact((await server.request("/apis")).body));
    for (const path of ["/apis?pretty=true", `${gv}?pretty=1`, "/apis/wardle.example.com?pretty=true"]) {
      assert.ok(isPretty((await server.request(path)).body), path);
    }
    const compactV2 = await server.request("/apis", { headers: v2 });
    const prettyV2 = await server.request("/apis", { headers: { ...v2, "User-Agent": "curl/8.5.0" } });
    assert.ok(isCompact(compactV2.body) && isPretty(prettyV2.body), "aggregated discovery");
    assert.deepEqual(JSON.parse(prettyV2.body), JSON.parse(compactV2.body));
    assert.equal(prettyV2.headers.etag, compactV2.headers.etag);
  });

  it("ignores unknown query parameters and serves YAML", async () => {
    assert.equal((await fl.list("?timeout=32s&whatever=1")).status, 200);
    const yaml = await fl.get("item-2", "");
    assert.equal(yaml.status, 200);
    const asYaml = await server.request(`${gv}/namespaces/default/flunders/item-2`, {
      headers: { Accept: "application/yaml" },
    });
    assert.equal(asYaml.headers["content-type"], "application/yaml");
    assert.match(asYaml.body, /^kind: Flunder$/m);
  });
});

describe("HTTP: watches", () => {
  let server: TestServer;
  let fl: ResourceClient;
  before(async () => {
    server = await startTestServer({ handlerOptions: { watch: { bookmarkIntervalMs: 100 } } });
    fl = new ResourceClient(server, `${gv}/namespaces/default/flunders`);
  });
  after(async () => {
    await server.close();
  });

  it("sends bookmarks to watchers that ask, with only kind, apiVersion and resourceVersion", async () => {
    await fl.create(flunder("bm"));
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true&allowWatchBookmarks=true`);
    try {
      const events = await watch.waitFor(2);
      assert.equal(events[0]?.type, "ADDED");
      const bookmark = events[1];
      assert.equal(bookmark?.type, "BOOKMARK");
      assert.deepEqual(Object.keys(bookmark?.object ?? {}).sort(), ["apiVersion", "kind", "metadata"]);
      assert.deepEqual(Object.keys(bookmark?.object.metadata ?? {}), ["resourceVersion"]);
    } finally {
      watch.close();
    }
    // A quiet watch from a resourceVersion gets bookmarks at that revision, so clients see it is alive.
    const from = await server.storage.currentRevision();
    const idle = await openWatch(
      server,
      `${gv}/namespaces/default/flunders?watch=true&allowWatchBookmarks=true&resourceVersion=${from}`,
    );
    try {
      const [first] = await idle.waitFor(1);
      assert.equal(first?.type, "BOOKMARK");
      assert.equal((first?.object.metadata as { resourceVersion: string }).resourceVersion, String(from));
    } finally {
      idle.close();
    }
    const quiet = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true`);
    await new Promise((r) => setTimeout(r, 300));
    quiet.close();
    assert.deepEqual(
      quiet.events.map((e) => e.type),
      ["ADDED"],
      "no bookmarks unless asked for",
    );
  });

  it("ends the stream after timeoutSeconds", async () => {
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true&timeoutSeconds=1`);
    assert.equal(watch.status, 200);
    assert.equal(watch.headers["content-type"], "application/json");
    const started = Date.now();
    await watch.ended;
    assert.ok(Date.now() - started < 5000);
  });

  it("ends a watch without timeoutSeconds after the minimum request timeout (up to twice that)", async () => {
    const short = await startTestServer({ handlerOptions: { minRequestTimeoutSeconds: 1 } });
    const watch = await openWatch(short, `${gv}/namespaces/default/flunders?watch=true`);
    try {
      const started = Date.now();
      // Generous against a loaded machine; without a default timeout the stream would stay open.
      const ended = await Promise.race([
        watch.ended.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      assert.ok(ended, "the server ended the watch on its own");
      assert.ok(Date.now() - started >= 900, "not before the minimum request timeout");
    } finally {
      watch.close();
      await short.close();
    }
  });

  it("streams initial events then the initial-events-end bookmark for sendInitialEvents", async () => {
    const watch = await openWatch(
      server,
      `${gv}/namespaces/default/flunders?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    try {
      const events = await watch.waitFor(2);
      assert.equal(events[0]?.type, "ADDED");
      assert.equal(events[1]?.type, "BOOKMARK");
      assert.deepEqual((events[1]?.object.metadata as { annotations: unknown }).annotations, {
        "k8s.io/initial-events-end": "true",
      });
    } finally {
      watch.close();
    }
    const missingMatch = await server.request(`${gv}/namespaces/default/flunders?watch=true&sendInitialEvents=true`);
    assert.equal(missingMatch.status, 422);
    assert.match(
      String(missingMatch.json().message),
      /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/,
    );
  });

  it("filters by label and sends DELETED when an object stops matching, ADDED when it starts", async () => {
    await fl.create(flunder("sel", { tier: "gold" }));
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true&labelSelector=tier%3Dgold`);
    try {
      await watch.waitFor(1);
      const silver = (await fl.patch("sel", "merge", { metadata: { labels: { tier: "silver" } } })).json<Obj>();
      await fl.patch("sel", "merge", { spec: { reference: "unseen" } });
      await fl.patch("sel", "merge", { metadata: { labels: { tier: "gold" } } });
      const events = await watch.waitFor(3);
      assert.deepEqual(
        events.map((e) => e.type),
        ["ADDED", "DELETED", "ADDED"],
      );
      assert.equal(
        (events[1]?.object.metadata as { labels: Record<string, string> }).labels.tier,
        "gold",
        "DELETED carries the last matching state",
      );
      assert.equal(
        (events[1]?.object.metadata as { resourceVersion: string }).resourceVersion,
        silver.metadata.resourceVersion,
        "at the resourceVersion of the change that made it stop matching",
      );
      const unsupported = await server.request(
        `${gv}/namespaces/default/flunders?watch=true&fieldSelector=spec.reference%3Dr`,
      );
      assert.equal(unsupported.status, 400);
      assert.equal(unsupported.json().message, "field label not supported: spec.reference");
    } finally {
      watch.close();
    }
  });

  it("streams one-row Tables, with column definitions in the first event only", async () => {
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true`, { Accept: TABLE });
    try {
      await watch.waitFor(2);
      const [first, second] = watch.events;
      assert.equal(first?.object.kind, "Table");
      assert.ok(Array.isArray(first?.object.columnDefinitions));
      assert.equal(second?.object.columnDefinitions, null);
      assert.equal((second?.object.rows as unknown[]).length, 1);
      const before = watch.events.length;
      const patched = await fl.patch("bm", "merge", { spec: { reference: "table-watch" } });
      const rv = patched.json<Obj>().metadata.resourceVersion;
      const events = await watch.waitFor(before + 1);
      const modified = events.find((e) => e.type === "MODIFIED");
      assert.ok(modified, "the patch arrives as a MODIFIED Table");
      // Each event's Table carries its object's resourceVersion (the table convertor's ObjectMeta case).
      assert.deepEqual(modified.object.metadata, { resourceVersion: rv });
      for (const event of events) {
        const [row] = event.object.rows as Array<{ object: Obj }>;
        assert.equal(event.object.metadata?.resourceVersion, row?.object.metadata.resourceVersion);
      }
    } finally {
      watch.close();
    }
  });

  it("streams v1beta1 Tables when asked, and refuses YAML (no watch framer) with 406", async () => {
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true&pretty=true`, {
      Accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io",
    });
    try {
      const [event] = await watch.waitFor(1);
      assert.equal(event?.object.apiVersion, "meta.k8s.io/v1beta1", "lines stay compact JSON even with pretty");
    } finally {
      watch.close();
    }
    for (const accept of ["application/yaml", "application/yaml,application/json"]) {
      const refused = await server.request(`${gv}/namespaces/default/flunders?watch=true`, {
        headers: { Accept: accept },
      });
      assert.equal(refused.status, 406, accept);
      assert.deepEqual(
        [refused.json().reason, refused.json().message],
        ["NotAcceptable", "only the following media types are accepted: application/json;stream=watch"],
      );
    }
  });

  it("streams PartialObjectMetadata when asked", async () => {
    const watch = await openWatch(server, `${gv}/namespaces/default/flunders?watch=true`, {
      Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
    });
    try {
      const [event] = await watch.waitFor(1);
      assert.equal(event?.object.kind, "PartialObjectMetadata");
    } finally {
      watch.close();
    }
  });
});

/** The continue token's JSON (apiserver storage continueToken). */
const tokenOf = (token: string) =>
  JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v: string; rv: number; start: string };

/**
 * A page whose revision was compacted: 410 Expired with etcd3's long message and, in the
 * Status' metadata.continue, the same start at rv -1; that token lists the rest as it is now.
 */
async function continuesAfterCompaction(storage: Storage): Promise<void> {
  const server = await startTestServer({ storage, server: { watchCacheOptions: { historySize: 8 } } });
  try {
    const fl = new ResourceClient(server, `${gv}/namespaces/default/flunders`);
    for (let i = 1; i <= 5; i++) assert.equal((await fl.create(flunder(`c-${i}`))).status, 201);
    const first = (await fl.list("?limit=2")).json<List>();
    const token = first.metadata.continue as string;
    assert.ok(token);
    for (let i = 0; i < 10; i++) await fl.patch("c-3", "merge", { spec: { reference: `moved-${i}` } });
    assert.equal((await fl.delete("c-4")).status, 200);
    assert.equal((await fl.create(flunder("c-6"))).status, 201);
    await server.storage.compact(await server.storage.currentRevision());

    const expired = await fl.list(`?limit=2&continue=${encodeURIComponent(token)}`);
    assert.equal(expired.status, 410, expired.body);
    const status = expired.json<{ reason: string; code: number; message: string; metadata: { continue?: string } }>();
    assert.equal(status.reason, "Expired");
    assert.equal(status.code, 410);
    assert.equal(
      status.message,
      "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    );
    const inconsistent = status.metadata.continue as string;
    assert.ok(inconsistent, "the Status offers a continue token");
    assert.deepEqual(tokenOf(inconsistent), { ...tokenOf(token), rv: -1 });

    const now = String(await server.storage.currentRevision());
    const rest = await fl.list(`?limit=2&continue=${encodeURIComponent(inconsistent)}`);
    assert.equal(rest.status, 200, rest.body);
    const second = rest.json<List>();
    assert.equal(second.metadata.resourceVersion, now, "read at the latest revision");
    assert.deepEqual(
      second.items.map((i) => [i.metadata.name, i.spec?.reference]),
      [
        ["c-3", "moved-9"],
        ["c-5", "r"],
      ],
    );
    assert.equal(tokenOf(second.metadata.continue as string).rv, Number(now), "later pages stay at that revision");
    const third = (
      await fl.list(`?limit=2&continue=${encodeURIComponent(second.metadata.continue as string)}`)
    ).json<List>();
    assert.deepEqual(
      third.items.map((i) => i.metadata.name),
      ["c-6"],
    );
    assert.equal(third.metadata.continue, undefined);
    // Without a limit the same token lists all the rest.
    const all = (await fl.list(`?continue=${encodeURIComponent(inconsistent)}`)).json<List>();
    assert.deepEqual(
      all.items.map((i) => i.metadata.name),
      ["c-3", "c-5", "c-6"],
    );
    const zero = Buffer.from(JSON.stringify({ ...tokenOf(token), rv: 0 })).toString("base64url");
    const refused = await fl.list(`?continue=${zero}`);
    assert.equal(refused.status, 400, "rv 0 stays invalid");
    assert.match(String(refused.json().message), /incorrect encoded start resourceVersion/);
  } finally {
    await server.close();
  }
}

describe("HTTP: a list continued after its revision was compacted", () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("on memory storage", () => continuesAfterCompaction(new MemoryStorage()));

  it("on SQLite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "continue-compacted-"));
    dirs.push(dir);
    await continuesAfterCompaction(await SqliteStorage.open({ dataDir: dir, compactionIntervalMs: 0 }));
  });

  describe("on etcd", { skip: !etcdAvailable() && "etcd is not installed" }, () => {
    let etcd: EtcdProcess | undefined;
    before(async () => {
      etcd = await startEtcd();
    });
    after(async () => {
      await etcd?.stop();
    });
    it("on etcd", () =>
      continuesAfterCompaction(
        new EtcdStorage({ servers: [(etcd as EtcdProcess).endpoint], compactionIntervalMs: 0 }),
      ));
  });
});
