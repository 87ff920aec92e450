import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsDoc } from "./jsdoc.js";

describe("parseJsDoc", () => {
  it("splits the description from the tags and records where each tag starts", () => {
    const raw = [
      "/**",
      " * Flunder is an example.",
      " *",
      " * Second paragraph.",
      " * @kind",
      " * @scope Cluster",
      " */",
    ].join("\n");
    const doc = parseJsDoc(raw, 10, 1);
    assert.equal(doc.description, "Flunder is an example.\n\nSecond paragraph.");
    assert.deepEqual(doc.tags, [
      { name: "kind", text: "", line: 14, column: 4 },
      { name: "scope", text: "Cluster", line: 15, column: 4 },
    ]);
  });

  it("joins a tag's continuation lines with spaces", () => {
    const raw = ["/**", ' * @validation rule="self.a < self.b"', ' *   message="a must be below b"', " */"].join("\n");
    const doc = parseJsDoc(raw, 1);
    assert.equal(doc.description, undefined);
    assert.equal(doc.tags[0]?.text, 'rule="self.a < self.b" message="a must be below b"');
  });

  it("reads single-line comments, with the column of the tag", () => {
    const tagged = parseJsDoc("/** @minimum 1 */", 3, 5);
    assert.deepEqual(tagged.tags, [{ name: "minimum", text: "1", line: 3, column: 9 }]);
  });

  it("starts a tag at an @ after whitespace mid-line, as TypeScript does, but not inside backticks", () => {
    const doc = parseJsDoc("/** The port. @minimum 1 @maximum 9 */", 3, 5);
    assert.equal(doc.description, "The port.");
    assert.deepEqual(
      doc.tags.map((tag) => [tag.name, tag.text, tag.column]),
      [
        ["minimum", "1", 19],
        ["maximum", "9", 30],
      ],
    );
    const quoted = parseJsDoc("/** Write `@minimum 1` to bound it. */", 1);
    assert.equal(quoted.tags.length, 0);
    assert.equal(quoted.description, "Write `@minimum 1` to bound it.");
  });

  it("keeps tag-like lines inside code fences as description", () => {
    const raw = ["/**", " * Example:", " * ```", " * @notATag here", " * ```", " */"].join("\n");
    const doc = parseJsDoc(raw, 1);
    assert.equal(doc.tags.length, 0);
    assert.match(doc.description ?? "", /@notATag here/);
  });

  it("renders {@link} as its label or target", () => {
    const doc = parseJsDoc("/** See {@link FlunderSpec} and {@link Other | the other}. */", 1);
    assert.equal(doc.description, "See FlunderSpec and the other.");
  });

  it("does not treat an e-mail address in the middle of a line as a tag", () => {
    const doc = parseJsDoc("/**\n * Mail admin@example.com for help.\n */", 1);
    assert.equal(doc.tags.length, 0);
  });
});
