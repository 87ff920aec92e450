import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MARKERS, unknownMarkerHint } from "./catalog.js";

const reference = fileURLToPath(new URL("../../../../docs/reference/markers.md", import.meta.url));

describe("marker catalog", () => {
  it("docs/reference/markers.md documents every marker with an example", () => {
    const text = readFileSync(reference, "utf8");
    const sections = text.split(/^### /m).slice(1);
    for (const marker of MARKERS) {
      const section = sections.find((s) => s.startsWith(`@${marker.name}\n`));
      assert.ok(section, `no "### @${marker.name}" section`);
      const examples = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
      assert.ok(
        examples.some((example) => new RegExp(`@${marker.name}\\b`).test(example)),
        `the @${marker.name} section has no example using it`,
      );
    }
  });

  it("suggests the marker one or two edits away", () => {
    assert.equal(unknownMarkerHint("minimun"), "did you mean @minimum?");
    assert.equal(unknownMarkerHint("printcolum"), "did you mean @printColumn?");
    assert.equal(unknownMarkerHint("zzzzzz"), undefined);
  });
});
