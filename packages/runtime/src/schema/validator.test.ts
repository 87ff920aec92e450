import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "../api/errors.js";
import type { JSONSchemaProps } from "../model/schema.js";
import { compileSchemaValidator } from "./validator.js";

// A kind with an embedded resource (`@embeddedResource @preserveUnknownFields`), a list of them,
// and a map of them: apiextensions' objectmeta.Validate walks all three.
const embedded: JSONSchemaProps = {
  type: "object",
  "x-kubernetes-embedded-resource": true,
  "x-kubernetes-preserve-unknown-fields": true,
};
const schema: JSONSchemaProps = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        template: embedded,
        templates: { type: "array", items: embedded },
        byName: { type: "object", additionalProperties: embedded },
      },
    },
  },
};
const object = (spec: Record<string, unknown>) => ({
  apiVersion: "example.com/v1",
  kind: "Thing",
  metadata: { name: "t" },
  spec,
});
const messages = (spec: Record<string, unknown>) =>
  compileSchemaValidator(schema).validate(object(spec)).map(fieldErrorMessage).sort();

describe("the schema validator, on embedded resources (x-kubernetes-embedded-resource)", () => {
  it("accepts a whole object, with or without metadata", () => {
    assert.deepEqual(
      messages({
        template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "x" } }, spec: {} },
        templates: [{ apiVersion: "apps/v1", kind: "Deployment" }],
        byName: { a: { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "default" } } },
      }),
      [],
    );
  });

  it("requires apiVersion and kind, at any depth, as kube-apiserver does", () => {
    assert.deepEqual(
      messages({ template: { foo: 1 }, templates: [{ kind: "Pod" }], byName: { a: { apiVersion: "" } } }),
      [
        "spec.byName[a].apiVersion: Required value",
        "spec.byName[a].kind: Required value",
        "spec.template.apiVersion: Required value",
        "spec.template.kind: Required value",
        "spec.templates[0].apiVersion: Required value",
      ],
    );
  });

  it("checks apiVersion's and kind's type and form", () => {
    assert.deepEqual(
      messages({ template: { apiVersion: "a/b/c", kind: "my_kind" }, templates: [{ apiVersion: 1, kind: true }] }),
      [
        'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
        "spec.template.kind: Invalid value: \"my_kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        "spec.templates[0].apiVersion: Invalid value: 1: must be a string",
        "spec.templates[0].kind: Invalid value: true: must be a string",
      ],
    );
  });

  it("validates the embedded metadata as ObjectMeta, with path-segment names", () => {
    assert.deepEqual(
      messages({
        template: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "a/b", namespace: "Not_A_Label", labels: { "bad key!": "v" } },
        },
        templates: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "..", generateName: "x%" } }],
        byName: { a: { apiVersion: "v1", kind: "Pod", metadata: "nope" } },
      }),
      [
        'spec.byName[a].metadata: Invalid value: "nope": invalid metadata: expected object, got string',
        "spec.template.metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
        "spec.template.metadata.namespace: Invalid value: \"Not_A_Label\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        "spec.templates[0].metadata.generateName: Invalid value: \"x%\": may not contain '%'",
        "spec.templates[0].metadata.name: Invalid value: \"..\": may not be '..'",
      ],
    );
  });

  it("leaves the root's own apiVersion, kind and metadata to the object-meta rules", () => {
    const validator = compileSchemaValidator(schema);
    assert.deepEqual(validator.validate({ spec: {} }), []);
  });
});
