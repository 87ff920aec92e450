// Mirrors k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go (v0.36); the cases are in
// upstream-cases.ts, each naming the upstream case it mirrors.
//
// Upstream cases and checks NOT mirrored, and why:
// - TestSortMergeLists (8 cases) and the sorting of expectations in TestStrategicMergePatch and
//   TestCustomStrategicMergePatch: upstream sorts merging lists before comparing, making those
//   comparisons order-blind. Here every list is compared in exact order, so the helper has no use.
// - "bad struct", "nil struct": the schema is a typed value; an undefined schema means "no patch
//   metadata" by design (see the schemaless tests), not an error.
// - The second, identical copy of "add field to map in merging list" in the raw case list.
// - Running every case against three schema sources (Go struct tags, OpenAPI v2, OpenAPI v3):
//   there is one schema source here, the structural OpenAPI v3 schema.
// - Running the raw cases 10 times "to exercise map traversal orders": JavaScript objects iterate
//   in insertion order; the property test in diff/round-trip.test.ts varies inputs instead.
// - TestNumberConversion "int64 max" (9223372036854775807): a JavaScript number cannot hold it; the
//   runtime's JSON parser decides what such a number becomes before it reaches this library.
// - TestUnknownField "diff" and the struct-schema half of "json" expect the error "unable to find
//   api field": here fields a schema does not declare merge as plain JSON (mirrored with that result).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyStrategicMergePatch } from "../apply/apply.js";
import { createThreeWayMergePatch, createTwoWayMergePatch } from "../diff/create-patch.js";
import { isStrategicMergePatchError } from "../errors/strategic-merge-patch-error.js";
import {
  type CreateCase,
  createCases,
  customApplyCases,
  listCases,
  numberCases,
  orderCases,
  replaceCases,
  retainKeysCases,
  unknownFieldCases,
} from "./upstream-cases.js";
import { widgetSchema } from "./widget-schema.js";

describe("TestCustomStrategicMergePatch: hand-written patches", () => {
  for (const c of customApplyCases) {
    it(c.upstream, () => {
      if (c.error !== undefined) {
        assert.throws(
          () => applyStrategicMergePatch(c.original, c.patch, widgetSchema),
          (error) => isStrategicMergePatchError(error, c.error),
        );
      } else {
        assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, widgetSchema), c.expected);
      }
    });
  }
});

function describeCreateCases(title: string, cases: CreateCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.upstream, () => {
        const original = c.original ?? {};
        const twoWay = createTwoWayMergePatch(original, c.modified, widgetSchema);
        assert.deepEqual(twoWay, c.twoWay, "two-way patch");
        assert.deepEqual(
          applyStrategicMergePatch(original, twoWay, widgetSchema),
          c.twoWayResult ?? c.modified,
          "two-way result",
        );
        if (c.threeWay === undefined || c.current === undefined) return;

        const strict = () =>
          createThreeWayMergePatch(c.original, c.modified, c.current as typeof original, widgetSchema, {
            overwrite: false,
          });
        if (c.conflict) assert.throws(strict, (error) => isStrategicMergePatchError(error, "Conflict"), "conflict");
        else assert.deepEqual(strict(), c.threeWay, "three-way patch without overwrite");

        const threeWay = createThreeWayMergePatch(c.original, c.modified, c.current, widgetSchema);
        assert.deepEqual(threeWay, c.threeWay, "three-way patch");
        assert.deepEqual(applyStrategicMergePatch(c.current, threeWay, widgetSchema), c.result, "three-way result");
      });
    }
  });
}

describeCreateCases("TestStrategicMergePatch: createStrategicMergePatchTestCaseData", createCases);
describeCreateCases("TestStrategicMergePatch: raw cases, merging lists", listCases);
describeCreateCases("TestStrategicMergePatch: raw cases, element order", orderCases);
describeCreateCases("TestStrategicMergePatch: raw cases, retainKeys", retainKeysCases);
describeCreateCases("TestReplaceWithRawExtension", replaceCases);
describeCreateCases("TestUnknownField", unknownFieldCases);
describeCreateCases("TestNumberConversion", numberCases);

describe("TestStrategicMergePatch: bad documents", () => {
  it("bad original", () => {
    assert.throws(
      () => applyStrategicMergePatch([] as never, {}, widgetSchema),
      (error) => isStrategicMergePatchError(error, "BadJSONDoc") && error.kind === "BadRequest",
    );
  });
  it("bad patch", () => {
    for (const patch of ["<THIS IS NOT JSON>", [], null, 3]) {
      assert.throws(
        () => applyStrategicMergePatch({}, patch, widgetSchema),
        (error) => isStrategicMergePatchError(error, "BadJSONDoc") && error.message === "invalid JSON document",
      );
    }
  });
});
