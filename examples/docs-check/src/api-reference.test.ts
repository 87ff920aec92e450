/** docs/reference/runtime-api.md and controller-api.md are what the generator makes of the packages today. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, it } from "node:test";
import { apiReferencePage } from "./api-reference/generate.js";
import { API_PAGES, API_REFERENCE_COMMAND } from "./api-reference/pages.js";
import { CHECKOUT } from "./paths.js";

describe("the generated API reference", () => {
  for (const page of API_PAGES) {
    const path = relative(CHECKOUT, page.out);
    it(`${path} is up to date`, () => {
      const expected = apiReferencePage(page);
      const actual = existsSync(page.out) ? readFileSync(page.out, "utf8") : "";
      assert.ok(actual === expected, `${path} is stale: run \`${API_REFERENCE_COMMAND}\``);
    });
  }
});
