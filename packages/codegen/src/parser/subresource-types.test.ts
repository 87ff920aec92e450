import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emitProjectModel } from "../emit/project-model.js";
import { readProjectModel } from "../emit/read-project-model.js";
import { toJSONSchema } from "../emit/schema.js";
import { emitDefinitionsModule } from "../emit/typescript-module.js";
import {
  assertNoErrors,
  KIND_FILE,
  kindSource,
  lineOf,
  onlyKind,
  parseFiles,
  singleError,
} from "../testing/fixtures.js";

const REQUEST_FILE = "src/apis/wardle/v1alpha1/flunder-approve-request.ts";
const request = (
  doc: string,
  body = "  /** Who approves. */\n  approver: string;\n  /** @minimum 1 */\n  days?: int32;",
) =>
  `import type { int32 } from "@apiserver-kit/runtime";\n${doc}\nexport interface FlunderApproveRequest {\n${body}\n}\n`;
const DOC = "/**\n * Approves a Flunder.\n *\n * @actionRequest kind=Flunder action=approve\n */";
const parse = (requestSource: string, path = REQUEST_FILE) =>
  parseFiles({ [KIND_FILE]: kindSource("  color?: string;"), [path]: requestSource });

describe("@actionRequest", () => {
  it("attaches the interface's schema to the kind's action, named after the interface", () => {
    const result = parse(request(DOC));
    assertNoErrors(result.errors);
    const [approve, ...others] = onlyKind(result).actionRequests;
    assert.equal(others.length, 0);
    assert.equal(approve?.subresource, "approve");
    assert.equal(approve?.kind, "FlunderApproveRequest");
    assert.equal(approve?.version, "v1alpha1");
    assert.deepEqual(approve?.source, { file: REQUEST_FILE, line: 7, column: 18 });
    assert.deepEqual(toJSONSchema(approve?.schema ?? { type: "object" }), {
      type: "object",
      description: "Approves a Flunder.",
      required: ["approver"],
      properties: {
        approver: { type: "string", description: "Who approves." },
        days: { type: "integer", format: "int32", minimum: 1 },
      },
    });
  });

  it("is emitted as an ActionRequest constant beside the kind's definition, and kept in api-model.json", () => {
    const result = parse(request(DOC));
    const module = emitDefinitionsModule(result.model);
    assert.match(module, /^import type \{ ActionRequest, ResourceDefinition \} from "@apiserver-kit\/runtime";$/m);
    assert.match(
      module,
      /export const flunderApproveRequest: ActionRequest = \{\n {2}requestKind: \{\n {4}group: "wardle\.example\.com",\n {4}version: "v1alpha1",\n {4}kind: "FlunderApproveRequest",\n {2}\},\n {2}requestSchema: \{\n {4}description: "Approves a Flunder\.",/,
    );
    const json = emitProjectModel(result.model);
    assert.deepEqual(
      readProjectModel(json).groups[0]?.kinds[0]?.actionRequests.map((r) => [r.subresource, r.kind, r.source.file]),
      [["approve", "FlunderApproveRequest", REQUEST_FILE]],
    );
    // Without requests, neither the import nor the JSON changes.
    const plain = parseFiles({ [KIND_FILE]: kindSource("  color?: string;") });
    assert.match(emitDefinitionsModule(plain.model), /^import type \{ ResourceDefinition \} from/m);
    assert.doesNotMatch(emitProjectModel(plain.model), /actionRequests/);
  });

  const refusals: Array<[string, string, RegExp, string?]> = [
    [
      "a kind the group lacks",
      "@actionRequest kind=Fisher action=approve",
      /Fisher: wardle\.example\.com has no kind Fisher/,
      "its kinds: Flunder",
    ],
    ["a missing argument", "@actionRequest kind=Flunder", /@actionRequest needs action=/],
    [
      "an unknown argument",
      "@actionRequest kind=Flunder action=approve verb=post",
      /does not take verb=post|does not take verb/,
    ],
    [
      "a built-in subresource",
      "@actionRequest kind=Flunder action=status",
      /action=status is not a custom subresource name/,
    ],
    [
      "an upper-case action",
      "@actionRequest kind=Flunder action=Approve",
      /action=Approve is not a custom subresource name/,
    ],
  ];
  for (const [what, tag, message, hint] of refusals) {
    it(`refuses ${what}, at the marker`, () => {
      const source = request(`/** ${tag} */`);
      const error = singleError(parse(source), "InvalidActionRequest");
      assert.match(error.message, message);
      assert.equal(error.line, lineOf(source, "@actionRequest"));
      if (hint) assert.equal(error.hint, hint);
    });
  }

  it("refuses a second body for one action, and a request named like a kind", () => {
    const twice = parseFiles({
      [KIND_FILE]: kindSource("  color?: string;"),
      [REQUEST_FILE]: request(DOC),
      "src/apis/wardle/v1alpha1/other.ts":
        "/** @actionRequest kind=Flunder action=approve */\nexport interface Other {\n  x?: string;\n}\n",
    });
    assert.match(
      singleError(twice, "DuplicateActionRequest").message,
      /Flunder's subresource approve already takes FlunderApproveRequest/,
    );
    const named = parseFiles({
      [KIND_FILE]: kindSource("  color?: string;"),
      "src/apis/wardle/v1alpha1/x.ts":
        "/** @actionRequest kind=Flunder action=approve */\nexport interface Flunder {\n  x?: string;\n}\n",
    });
    assert.match(
      singleError(named, "DuplicateActionRequest").message,
      /Flunder is already a kind of wardle\.example\.com/,
    );
  });

  it("reads only its own markers: a tag named like an object's key (@constructor) is not one", () => {
    const result = parse(request("/** @constructor */"));
    assertNoErrors(result.errors);
    assert.deepEqual(onlyKind(result).actionRequests, []);
  });

  it("accepts an empty body (an action that takes no fields yet)", () => {
    const empty = parse(request(DOC, ""));
    assertNoErrors(empty.errors);
    assert.deepEqual(toJSONSchema(onlyKind(empty).actionRequests[0]?.schema ?? { type: "string" }), {
      type: "object",
      description: "Approves a Flunder.",
    });
  });

  it("refuses the marker outside a version folder, on a kind, on a field and on an unexported interface", () => {
    const outside = parseFiles({
      [KIND_FILE]: kindSource("  color?: string;"),
      "src/apis/wardle/common/req.ts":
        "/** @actionRequest kind=Flunder action=approve */\nexport interface Req {\n  x?: string;\n}\n",
    });
    assert.match(singleError(outside, "InvalidActionRequest").message, /outside a version folder/);
    const onKind = parseFiles({
      [KIND_FILE]: kindSource(
        "  color?: string;",
        "",
        "/**\n * @kind\n * @actionRequest kind=Flunder action=approve\n */",
      ),
    });
    assert.match(
      singleError(onKind, "MarkerNotApplicable").message,
      /@actionRequest belongs on an exported interface of its own/,
    );
    const onField = parseFiles({
      [KIND_FILE]: kindSource("  /** @actionRequest kind=Flunder action=approve */\n  color?: string;"),
    });
    assert.match(singleError(onField, "MarkerNotApplicable").message, /not on a field/);
    const hidden = parse(request(DOC).replace("export interface", "interface"));
    assert.match(singleError(hidden, "InvalidActionRequest").message, /not exported/);
  });

  it("checks the body's types like any schema, and lets a kind's field reuse the request type", () => {
    const bad = parse(request(DOC, "  when: Date;"));
    assert.deepEqual(
      bad.errors.map((e) => e.code),
      ["UnsupportedType"],
    );
    const reused = parseFiles({
      [KIND_FILE]: kindSource("  lastApproval?: FlunderApproveRequest;", "")
        .replace(
          "export interface Flunder {",
          'import type { FlunderApproveRequest } from "./flunder-approve-request.js";\n/** @kind */\nexport interface Flunder {',
        )
        .replace("/** @kind */\nimport", "import"),
      [REQUEST_FILE]: request(DOC),
    });
    assertNoErrors(reused.errors);
    assert.equal(onlyKind(reused).actionRequests.length, 1);
  });
});

describe("@subresourceOptions", () => {
  const OPTIONS_FILE = "src/apis/wardle/v1alpha1/flunder-log-options.ts";
  const options = (
    body: string,
    doc = "/**\n * How to read the log.\n * @subresourceOptions kind=Flunder subresource=log\n */",
  ) =>
    `import type { int64 } from "@apiserver-kit/runtime";\n${doc}\nexport interface FlunderLogOptions {\n${body}\n}\n`;
  const parseOptions = (source: string) =>
    parseFiles({ [KIND_FILE]: kindSource("  color?: string;"), [OPTIONS_FILE]: source });

  it("turns optional strings, integers and booleans into the subresource's query parameters", () => {
    const result = parseOptions(
      options(
        "  /** Keep streaming. */\n  follow?: boolean;\n  /** Only the last lines. */\n  tailLines?: int64;\n  container?: string;",
      ),
    );
    assertNoErrors(result.errors);
    const [log] = onlyKind(result).subresourceOptions;
    assert.deepEqual([log?.subresource, log?.kind, log?.version], ["log", "FlunderLogOptions", "v1alpha1"]);
    const module = emitDefinitionsModule(result.model);
    assert.match(module, /^import type \{ ResourceDefinition, SubresourceOptions \} from "@apiserver-kit\/runtime";$/m);
    const flat = module.replace(/\s+/g, " ").replace(/,? \}/g, " }").replace(/,? \]/g, " ]");
    assert.ok(
      flat.includes(
        'export const flunderLogOptions: SubresourceOptions = { kind: "FlunderLogOptions", parameters: [ { name: "follow", type: "boolean", description: "Keep streaming." }, { name: "tailLines", type: "integer", description: "Only the last lines." }, { name: "container", type: "string" } ] };',
      ),
      module,
    );
    const json = emitProjectModel(result.model);
    assert.deepEqual(
      readProjectModel(json).groups[0]?.kinds[0]?.subresourceOptions.map((o) => [o.subresource, o.kind, o.source.file]),
      [["log", "FlunderLogOptions", OPTIONS_FILE]],
    );
  });

  const refusals: Array<[string, string, RegExp]> = [
    ["a required field", "  follow: boolean;", /follow: a query parameter is optional/],
    ["an object field", "  range?: { from?: int64 };", /range: a query parameter is a string, an integer or a boolean/],
    ["a list field", "  names?: string[];", /names: a query parameter is a string, an integer or a boolean/],
    [
      "a constraint",
      "  /** @minimum 0 */\n  tailLines?: int64;",
      /tailLines: a query parameter is converted by type, not validated \(minimum\)/,
    ],
    ["an enum", '  mode?: "a" | "b";', /mode: a query parameter is converted by type, not validated \(enum\)/],
  ];
  for (const [what, body, message] of refusals) {
    it(`refuses ${what}`, () => {
      assert.match(singleError(parseOptions(options(body)), "InvalidSubresourceOptions").message, message);
    });
  }

  it("refuses options and a body for one subresource, and an unknown kind", () => {
    const both = parseFiles({
      [KIND_FILE]: kindSource("  color?: string;"),
      [OPTIONS_FILE]: options("  follow?: boolean;"),
      [REQUEST_FILE]: request("/** @actionRequest kind=Flunder action=log */"),
    });
    assert.match(
      singleError(both, "DuplicateSubresourceOptions").message,
      /Flunder's subresource log already takes FlunderApproveRequest/,
    );
    const unknown = parseOptions(
      options("  follow?: boolean;", "/** @subresourceOptions kind=Fluffer subresource=log */"),
    );
    assert.match(
      singleError(unknown, "InvalidSubresourceOptions").message,
      /Fluffer: wardle\.example\.com has no kind Fluffer/,
    );
    const wrongKey = parseOptions(options("  follow?: boolean;", "/** @subresourceOptions kind=Flunder action=log */"));
    assert.match(
      singleError(wrongKey, "InvalidSubresourceOptions").message,
      /does not take action=log|does not take action/,
    );
  });
});

describe("@subresourceResponse", () => {
  const RESPONSE_FILE = "src/apis/wardle/v1alpha1/flunder-summary.ts";
  const response = (
    doc = "/**\n * How a Flunder is doing.\n * @subresourceResponse kind=Flunder subresource=summary\n */",
  ) =>
    `import type { int32 } from "@apiserver-kit/runtime";\n${doc}\nexport interface FlunderSummary {\n  /** Days since it was made. */\n  age: int32;\n  colors?: string[];\n}\n`;
  const parseResponse = (files: Record<string, string>) =>
    parseFiles({ [KIND_FILE]: kindSource("  color?: string;"), ...files });

  it("is emitted as a SubresourceResponse constant with the interface's kind and schema, and kept in api-model.json", () => {
    const result = parseResponse({ [RESPONSE_FILE]: response() });
    assertNoErrors(result.errors);
    const [summary, ...others] = onlyKind(result).subresourceResponses;
    assert.equal(others.length, 0);
    assert.deepEqual(
      [summary?.subresource, summary?.kind, summary?.version],
      ["summary", "FlunderSummary", "v1alpha1"],
    );
    const module = emitDefinitionsModule(result.model);
    assert.match(
      module,
      /^import type \{ ResourceDefinition, SubresourceResponse \} from "@apiserver-kit\/runtime";$/m,
    );
    const flat = module.replace(/\s+/g, " ").replace(/,? \}/g, " }").replace(/,? \]/g, " ]");
    assert.ok(
      flat.includes(
        'export const flunderSummaryResponse: SubresourceResponse = { responseKind: { group: "wardle.example.com", version: "v1alpha1", kind: "FlunderSummary" }, responseSchema: { description: "How a Flunder is doing.", type: "object", properties: { age: { description: "Days since it was made.", type: "integer", format: "int32" }, colors: { type: "array", items: { type: "string" } } }, required: ["age"] } };',
      ),
      module,
    );
    const json = emitProjectModel(result.model);
    assert.deepEqual(
      readProjectModel(json).groups[0]?.kinds[0]?.subresourceResponses.map((r) => [
        r.subresource,
        r.kind,
        r.source.file,
      ]),
      [["summary", "FlunderSummary", RESPONSE_FILE]],
    );
  });

  it("goes with a body or options on the same subresource, one response each", () => {
    const withBody = parseResponse({
      [RESPONSE_FILE]: response("/** @subresourceResponse kind=Flunder subresource=approve */"),
      [REQUEST_FILE]: request(DOC),
    });
    assertNoErrors(withBody.errors);
    const kind = onlyKind(withBody);
    assert.deepEqual(
      [kind.actionRequests[0]?.subresource, kind.subresourceResponses[0]?.subresource],
      ["approve", "approve"],
    );
    const twice = parseResponse({
      [RESPONSE_FILE]: response(),
      "src/apis/wardle/v1alpha1/flunder-summary-too.ts":
        "/** @subresourceResponse kind=Flunder subresource=summary */\nexport interface FlunderSummaryToo {\n  age?: string;\n}\n",
    });
    assert.match(
      singleError(twice, "DuplicateSubresourceResponse").message,
      /Flunder's subresource summary already answers FlunderSummary/,
    );
  });

  it("refuses a response named like a kind or like another subresource's type, and an unknown kind", () => {
    const likeKind = parseResponse({
      "src/apis/wardle/v1alpha1/answer.ts":
        "/** @subresourceResponse kind=Flunder subresource=summary */\nexport interface Flunder {\n  age?: string;\n}\n",
    });
    assert.ok(likeKind.errors.some((e) => e.code === "DuplicateSubresourceResponse" || e.code === "DuplicateKind"));
    const likeRequest = parseResponse({
      [REQUEST_FILE]: request(DOC),
      "src/apis/wardle/v1alpha1/zz-answer.ts":
        "/** @subresourceResponse kind=Flunder subresource=summary */\nexport interface FlunderApproveRequest {\n  age?: string;\n}\n",
    });
    assert.match(
      singleError(likeRequest, "DuplicateSubresourceResponse").message,
      /FlunderApproveRequest already names another subresource's type in wardle\.example\.com/,
    );
    const unknown = parseResponse({
      [RESPONSE_FILE]: response("/** @subresourceResponse kind=Fluffer subresource=summary */"),
    });
    assert.match(
      singleError(unknown, "InvalidSubresourceResponse").message,
      /Fluffer: wardle\.example\.com has no kind Fluffer/,
    );
  });
});
