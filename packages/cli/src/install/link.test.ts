import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openCheckout } from "../checkout/checkout.js";
import { linkDependencies } from "./link.js";

describe("linkDependencies", () => {
  it("links every package a project's own code may import, @apiserver-kit/storage (custom storage) and cel included", () => {
    const project = mkdtempSync(join(tmpdir(), "scaffold-link-"));
    try {
      const { linked } = linkDependencies(project, openCheckout());
      for (const name of ["runtime", "controller", "storage", "cel", "cli"]) {
        assert.ok(linked.includes(`@apiserver-kit/${name}`), JSON.stringify(linked));
        const manifest = join(project, "node_modules/@apiserver-kit", name, "package.json");
        assert.ok(existsSync(manifest), `${manifest} is missing`);
        assert.equal(JSON.parse(readFileSync(manifest, "utf8")).name, `@apiserver-kit/${name}`);
      }
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
