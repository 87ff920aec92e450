import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ActionRequestSchema } from "./api-model.js";
import type {
  ActionRequest,
  ActionSubresource,
  ReadSubresource,
  StreamSubresource,
  SubresourceOptions,
  SubresourceResponse,
} from "./resource.js";
import { withActionRequest, withSubresourceOptions, withSubresourceResponse } from "./subresource-types.js";

const request: ActionRequest = {
  requestKind: { group: "wardle.example.com", version: "v1alpha1", kind: "BanRequest" },
  requestSchema: { type: "object", required: ["flunder"], properties: { flunder: { type: "string" } } },
};

const action: ActionSubresource<never, { flunder: string }> = {
  type: "action",
  name: "ban",
  handle: (_context, body) => body.flunder,
};

describe("withActionRequest", () => {
  it("gives the action the derived request kind and schema, keeping its handler", () => {
    const wired = withActionRequest(action as ActionSubresource, request);
    assert.deepEqual(wired.requestKind, request.requestKind);
    assert.deepEqual(wired.requestSchema, request.requestSchema);
    assert.equal(wired.handle, action.handle);
    assert.equal(action.requestSchema, undefined, "the handler's own object is not changed");
  });

  it("refuses an action that declares its own requestSchema or requestKind", () => {
    for (const extra of [{ requestSchema: { type: "object" as const } }, { requestKind: request.requestKind }]) {
      const key = Object.keys(extra)[0];
      assert.throws(
        () => withActionRequest({ ...(action as ActionSubresource), ...extra }, request),
        new RegExp(`subresource "ban" declares a ${key} and BanRequest in src/apis is its @actionRequest`),
      );
    }
  });

  it("refuses a subresource that is not an action", () => {
    const read: ReadSubresource<never, unknown> = { type: "read", name: "ban", handle: () => ({}) };
    assert.throws(() => withActionRequest(read as never, request), /is a read subresource, but BanRequest/);
  });
});

describe("withSubresourceOptions", () => {
  const options: SubresourceOptions = {
    kind: "BuildLogOptions",
    parameters: [{ name: "follow", type: "boolean", description: "Keep streaming." }],
  };
  const read: ReadSubresource<never, { follow?: boolean }> = {
    type: "read",
    name: "log",
    handle: (_context, parsed) => parsed.follow,
  };

  it("gives the read or stream the derived parameters, keeping its handler", () => {
    const wired = withSubresourceOptions(read as never, options);
    assert.deepEqual(wired.parameters, options.parameters);
    assert.equal(wired.handle, read.handle);
    assert.equal(read.parameters, undefined, "the handler's own object is not changed");
  });

  it("refuses a handler that declares parameters or parseOptions, and an action", () => {
    for (const extra of [{ parameters: [] }, { parseOptions: () => ({}) }]) {
      const key = Object.keys(extra)[0];
      assert.throws(
        () => withSubresourceOptions({ ...read, ...extra } as never, options),
        new RegExp(`subresource "log" declares ${key} and BuildLogOptions in src/apis is its @subresourceOptions`),
      );
    }
    assert.throws(
      () => withSubresourceOptions(action as never, options),
      /subresource "ban" is an action, but BuildLogOptions is its @subresourceOptions/,
    );
  });
});

describe("withSubresourceResponse", () => {
  const response: SubresourceResponse = {
    responseKind: { group: "ci.example.com", version: "v1alpha1", kind: "BuildSummary" },
    responseSchema: { type: "object", properties: { steps: { type: "integer" } } },
  };
  const read: ReadSubresource<never, unknown, { steps: number }> = {
    type: "read",
    name: "summary",
    handle: () => ({ steps: 2 }),
  };

  it("gives an action or a read the derived response kind and schema, keeping its handler and options", () => {
    const options: SubresourceOptions = { kind: "BuildSummaryOptions", parameters: [{ name: "all", type: "boolean" }] };
    const wired = withSubresourceResponse(withSubresourceOptions(read as never, options), response);
    assert.deepEqual(wired.type === "read" && wired.responseKind, response.responseKind);
    assert.deepEqual(wired.type === "read" && wired.responseSchema, response.responseSchema);
    assert.deepEqual(wired.parameters, options.parameters);
    assert.equal(wired.handle, read.handle);
    assert.equal(read.responseKind, undefined, "the handler's own object is not changed");
    const acted = withSubresourceResponse(withActionRequest(action as ActionSubresource, request), response);
    assert.deepEqual([acted.requestKind, acted.responseKind], [request.requestKind, response.responseKind]);
  });

  it("refuses a handler that declares responseKind or responseSchema, and a stream", () => {
    for (const extra of [{ responseKind: response.responseKind }, { responseSchema: { type: "object" as const } }]) {
      const key = Object.keys(extra)[0];
      assert.throws(
        () => withSubresourceResponse({ ...read, ...extra } as never, response),
        new RegExp(`subresource "summary" declares a ${key} and BuildSummary in src/apis is its @subresourceResponse`),
      );
    }
    const stream: StreamSubresource<never, unknown> = { type: "stream", name: "log", handle: async () => {} };
    assert.throws(
      () => withSubresourceResponse(stream as never, response),
      /subresource "log" is a stream, but BuildSummary is its @subresourceResponse: a stream answers text/,
    );
  });
});

describe("ActionRequestSchema", () => {
  it("names an undeclared request kind <Kind><Action>Request, dashes joined as scaffold names its interfaces", () => {
    const kindOf = (action: string) =>
      new ActionRequestSchema({ group: "ci.example.com", kind: "Build" }, action, { type: "object" }).groupKind.kind;
    assert.equal(kindOf("cancel"), "BuildCancelRequest");
    assert.equal(kindOf("roll-back"), "BuildRollBackRequest");
    assert.equal(kindOf("retry-2x"), "BuildRetry2xRequest");
  });
});
