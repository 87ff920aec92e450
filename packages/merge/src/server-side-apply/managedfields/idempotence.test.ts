import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { JSONObject } from "../../json/json.js";
import type { ServerSideApplySchema } from "../typed/schema.js";
import { applyServerSide, type FieldManagerOptions, updateManagedFields } from "./field-manager.js";

// Property (issue 11, show 3): after any history of applies and updates by several managers,
// applying a configuration and then the same configuration again changes nothing: the second
// apply returns the identical object and managedFields, so the server can skip the write.

const element: ServerSideApplySchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    value: { type: "string" },
    tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
};
const schema: ServerSideApplySchema = {
  type: "object",
  properties: {
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        replicas: { type: "integer" },
        mode: { type: "string" },
        items: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: element,
        },
        set: { type: "array", "x-kubernetes-list-type": "set", items: { type: "integer" } },
        args: { type: "array", items: { type: "string" } },
        selector: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  },
};

const word = fc.constantFrom("a", "b", "c", "__proto__");
const smallMap = fc.dictionary(word, word, { maxKeys: 3 });
const item = fc.record(
  { name: word, value: word, tags: fc.uniqueArray(word, { maxLength: 3 }), labels: smallMap },
  { requiredKeys: ["name"] },
);
const spec = fc.record(
  {
    replicas: fc.integer({ min: 0, max: 3 }),
    mode: word,
    items: fc.uniqueArray(item, { selector: (i) => i.name, maxLength: 3 }),
    set: fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
    args: fc.array(word, { maxLength: 3 }),
    selector: smallMap,
    free: fc.dictionary(word, fc.oneof(word, smallMap, fc.array(word, { maxLength: 2 })), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);
const labels = fc.dictionary(word, word, { maxKeys: 2 });
const config = fc.record({ spec, labels }).map(
  ({ spec, labels }) =>
    ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", labels },
      spec,
    }) as unknown as JSONObject,
);
const manager = fc.constantFrom("one", "two", "kubectl");
const step = fc.oneof(
  fc.record({ kind: fc.constant("apply" as const), manager, config, force: fc.boolean() }),
  fc.record({ kind: fc.constant("update" as const), manager, config }),
);

describe("server-side apply is idempotent", () => {
  it("applying the same configuration twice changes nothing (fast-check)", () => {
    let seconds = 0;
    const options: FieldManagerOptions = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      schema,
      now: () => new Date(Date.UTC(2024, 0, 1) + seconds * 1000),
    };
    fc.assert(
      fc.property(fc.array(step, { maxLength: 4 }), manager, config, (history, applier, final) => {
        let live: JSONObject | null = null;
        for (const s of history) {
          seconds += 7;
          try {
            const next: JSONObject =
              s.kind === "apply"
                ? applyServerSide(live, s.config, s.manager, s.force, options).object
                : updateManagedFields(
                    live,
                    live === null
                      ? s.config
                      : { ...s.config, metadata: { ...(s.config.metadata as JSONObject), uid: "u" } },
                    s.manager,
                    options,
                  );
            live = { ...next, metadata: { ...(next.metadata as JSONObject), uid: "u" } };
          } catch {
            // Conflicts leave the object as it was.
          }
        }
        seconds += 60;
        const first = applyServerSide(live, final, applier, true, options);
        seconds += 60;
        const second = applyServerSide(first.object, final, applier, false, options);
        assert.equal(second.changed, false);
        assert.deepEqual(second.object, first.object);
      }),
      { numRuns: 300 },
    );
  });
});
