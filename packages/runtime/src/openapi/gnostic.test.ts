import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeDocument, encodeSchema } from "./gnostic.js";
import { type ProtoField, readFields } from "./protobuf.js";

const sub = (f: ProtoField | undefined) => readFields(f?.value as Buffer);
const str = (f: ProtoField | undefined) => (f?.value as Buffer | undefined)?.toString() ?? "";
const one = (fields: ProtoField[], n: number) => fields.find((f) => f.field === n);

describe("gnostic openapi.v2.Document encoding", () => {
  it("puts a schema's keywords at OpenAPIv2.proto's field numbers", () => {
    const fields = readFields(
      encodeSchema({
        description: "d",
        type: "object",
        required: ["a"],
        maxLength: 5,
        minimum: 0.5,
        additionalProperties: false,
        properties: { a: { type: "string", enum: ["x"] } },
        "x-kubernetes-list-type": "atomic",
      }).finish(),
    );
    assert.equal(str(one(fields, 4)), "d");
    assert.equal(str(one(sub(one(fields, 22)), 1)), "object", "type → TypeItem.value");
    assert.equal(str(one(fields, 19)), "a");
    assert.equal(one(fields, 11)?.value, 5n);
    assert.equal(one(fields, 9)?.value, 0.5);
    assert.deepEqual(
      sub(one(fields, 21)),
      [{ field: 2, wire: 0, value: 0n }],
      "additionalProperties: false is present",
    );
    const property = sub(one(sub(one(fields, 25)), 1));
    assert.equal(str(one(property, 1)), "a");
    const enumValue = sub(one(sub(one(property, 2)), 20));
    assert.equal(str(one(enumValue, 2)), '"x"', "enum values travel as YAML text in Any.yaml");
    const extension = sub(one(fields, 31));
    assert.equal(str(one(extension, 1)), "x-kubernetes-list-type");
    assert.equal(str(one(sub(one(extension, 2)), 2)), '"atomic"');
  });

  it("encodes operations with query, path and body parameters and their responses", () => {
    const doc = readFields(
      encodeDocument({
        swagger: "2.0",
        info: { title: "T", version: "v" },
        paths: {
          "/p/{name}": {
            parameters: [{ name: "name", in: "path", required: true, type: "string", uniqueItems: true }],
            patch: {
              operationId: "patchX",
              consumes: ["application/merge-patch+json"],
              parameters: [
                { name: "body", in: "body", required: true, schema: { $ref: "#/definitions/X" } },
                { name: "fieldValidation", in: "query", type: "string", uniqueItems: true },
              ],
              responses: { "200": { description: "OK", schema: { $ref: "#/definitions/X" } } },
              "x-kubernetes-action": "patch",
            },
          },
        },
        definitions: { X: { type: "object" } },
      }),
    );
    assert.equal(str(one(doc, 1)), "2.0");
    assert.equal(str(one(sub(one(doc, 2)), 1)), "T");
    const pathEntry = sub(one(sub(one(doc, 8)), 2));
    assert.equal(str(one(pathEntry, 1)), "/p/{name}");
    const item = sub(one(pathEntry, 2));
    // PathItem.parameters = 9 → ParametersItem.parameter = 1 → Parameter.non_body = 2 → path = 4.
    const pathParam = sub(one(sub(one(sub(one(sub(one(item, 9)), 1)), 2)), 4));
    assert.equal(one(pathParam, 1)?.value, 1n, "required");
    assert.equal(str(one(pathParam, 4)), "name");
    assert.equal(str(one(pathParam, 5)), "string");
    const op = sub(one(item, 8));
    assert.equal(str(one(op, 5)), "patchX");
    assert.equal(str(one(op, 7)), "application/merge-patch+json");
    const [body, query] = op.filter((f) => f.field === 8).map((f) => sub(one(sub(f), 1)));
    const bodyParam = sub(one(body ?? [], 1));
    assert.equal(str(one(bodyParam, 3)), "body");
    assert.equal(str(one(sub(one(bodyParam, 5)), 1)), "#/definitions/X");
    const queryParam = sub(one(sub(one(query ?? [], 2)), 3));
    assert.equal(str(one(queryParam, 4)), "fieldValidation");
    assert.equal(str(one(queryParam, 6)), "string");
    const response = sub(one(sub(one(op, 9)), 1));
    assert.equal(str(one(response, 1)), "200");
    const schema = sub(one(sub(one(sub(one(response, 2)), 1)), 2));
    assert.equal(str(one(sub(one(schema, 1)), 1)), "#/definitions/X");
    assert.equal(str(one(sub(one(op, 13)), 1)), "x-kubernetes-action");
    const definition = sub(one(sub(one(doc, 9)), 1));
    assert.equal(str(one(definition, 1)), "X");
  });
});
