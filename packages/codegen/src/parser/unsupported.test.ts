import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CodegenErrorCode } from "../errors/codegen-error.js";
import { formatCodegenError } from "../errors/codegen-error.js";
import { KIND_FILE, kindSource, lineOf, parseFiles, parseSpec, singleError } from "../testing/fixtures.js";

/** Each case: spec fields, extra declarations, the expected code, the text on the reported line, and a hint fragment. */
const CASES: Array<{ name: string; spec: string; extra?: string; code: CodegenErrorCode; at: string; hint: RegExp }> = [
  {
    name: "a union of object types",
    spec: "  target: Cat | Dog;",
    extra: "interface Cat { meow: string }\ninterface Dog { bark: string }",
    code: "UnionOfObjects",
    at: "target: Cat | Dog",
    hint: /discriminator/,
  },
  {
    name: "a union of different value types",
    spec: "  port: number | string;",
    code: "UnsupportedUnion",
    at: "port: number | string",
    hint: /IntOrString/,
  },
  {
    name: "a function-typed field",
    spec: "  onChange: (value: string) => void;",
    code: "FunctionType",
    at: "onChange",
    hint: /data/,
  },
  { name: "a method", spec: "  compute(): int32;", code: "FunctionType", at: "compute()", hint: /data/ },
  {
    name: "any without a marker",
    spec: "  blob: any;",
    code: "UntypedField",
    at: "blob: any",
    hint: /@preserveUnknownFields/,
  },
  {
    name: "unknown without a marker",
    spec: "  blob: unknown;",
    code: "UntypedField",
    at: "blob: unknown",
    hint: /@preserveUnknownFields/,
  },
  {
    name: "unknown array items",
    spec: "  blobs: unknown[];",
    code: "UntypedField",
    at: "blobs: unknown[]",
    hint: /type alias/,
  },
  {
    name: "Record values of unknown",
    spec: "  bag: Record<string, unknown>;",
    code: "UntypedField",
    at: "bag: Record",
    hint: /@preserveUnknownFields/,
  },
  { name: "a tuple", spec: "  pair: [string, int32];", code: "TupleType", at: "pair: [string, int32]", hint: /array/ },
  {
    name: "a class",
    spec: "  owner: Owner;",
    extra: "class Owner { name = '' }",
    code: "ClassType",
    at: "owner: Owner",
    hint: /interface/,
  },
  {
    name: "a TypeScript enum",
    spec: "  color: Color;",
    extra: "enum Color { Red = 'Red' }",
    code: "EnumDeclaration",
    at: "color: Color",
    hint: /string-literal union/,
  },
  {
    name: "an index signature",
    spec: "  [key: string]: string;",
    code: "IndexSignature",
    at: "[key: string]: string",
    hint: /Record<string, T>/,
  },
  {
    name: "an intersection",
    spec: "  both: A & B;",
    extra: "interface A { a: string }\ninterface B { b: string }",
    code: "IntersectionType",
    at: "both: A & B",
    hint: /extends/,
  },
  {
    name: "a recursive type",
    spec: "  tree: Node;",
    extra: "interface Node { children?: Node[] }",
    code: "RecursiveType",
    at: "children?: Node[]",
    hint: /@preserveUnknownFields/,
  },
  {
    name: "mutually recursive types",
    spec: "  a: Ping;",
    extra: "interface Ping { pong?: Pong }\ninterface Pong { ping?: Ping }",
    code: "RecursiveType",
    at: "ping?: Ping",
    hint: /cycle/,
  },
  {
    name: "a generic type",
    spec: "  box: Box<string>;",
    extra: "interface Box<T> { value: T }",
    code: "GenericType",
    at: "box: Box<string>",
    hint: /non-generic/,
  },
  { name: "Date", spec: "  at: Date;", code: "UnsupportedType", at: "at: Date", hint: /Time/ },
  {
    name: "a utility type",
    spec: "  partial: Partial<Other>;",
    extra: "interface Other { a: string }",
    code: "UnsupportedType",
    at: "partial: Partial",
    hint: /fields out/,
  },
  {
    name: "Record with non-string keys",
    spec: "  byNumber: Record<number, string>;",
    code: "UnsupportedType",
    at: "byNumber: Record",
    hint: /Record<string, T>/,
  },
  {
    name: "a type from another package",
    spec: "  other: Foreign;",
    extra: 'import type { Foreign } from "some-package";',
    code: "ExternalType",
    at: "other: Foreign",
    hint: /src\/apis/,
  },
  {
    name: "a runtime type that is not a meta type",
    spec: "  strategy: Strategy;",
    extra: 'import type { Strategy } from "@apiserver-kit/runtime";',
    code: "UnknownMetaType",
    at: "strategy: Strategy",
    hint: /ObjectMeta/,
  },
  {
    name: "a name that resolves nowhere",
    spec: "  ghost: Ghost;",
    code: "UnresolvedType",
    at: "ghost: Ghost",
    hint: /import it from a file under src\/apis/,
  },
  {
    name: "a computed field name",
    spec: "  [KEY]: string;",
    extra: 'const KEY = "k";',
    code: "UnsupportedPropertyName",
    at: "[KEY]: string",
    hint: /literally/,
  },
  {
    name: "an empty field name",
    spec: '  "": string;',
    code: "UnsupportedPropertyName",
    at: '"": string',
    hint: /non-empty/,
  },
  {
    name: "an empty field name in an object type",
    spec: "  inline: {\n    ''?: int32;\n  };",
    code: "UnsupportedPropertyName",
    at: "''?: int32",
    hint: /non-empty/,
  },
  { name: "object", spec: "  o: object;", code: "UnsupportedType", at: "o: object", hint: /Record/ },
  { name: "bigint", spec: "  big: bigint;", code: "UnsupportedType", at: "big: bigint", hint: /int64/ },
  {
    name: "a template literal type",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the TypeScript under test is a template literal type
    spec: "  ref: `ref-${string}`;",
    code: "UnsupportedType",
    at: "ref: `ref-",
    hint: /string with @pattern/,
  },
  {
    name: "keyof",
    spec: "  key: keyof Other;",
    extra: "interface Other { a: string }",
    code: "UnsupportedType",
    at: "key: keyof",
    hint: /"a" \| "b"/,
  },
  {
    name: "a type query",
    spec: "  copy: typeof DEFAULTS;",
    extra: "const DEFAULTS = { a: 1 };",
    code: "UnsupportedType",
    at: "copy: typeof",
    hint: /write the type out/,
  },
  {
    name: "undefined alone",
    spec: "  gone: undefined;",
    code: "UnsupportedType",
    at: "gone: undefined",
    hint: /supported:/,
  },
  {
    name: "a JSDoc comment after another field on its line (TypeScript attaches it to nothing)",
    spec: "  a: int32; /** @minimum 1 */ b: int32;",
    code: "DetachedJsDoc",
    at: "/** @minimum 1 */ b",
    hint: /own line above what it describes/,
  },
  {
    name: "a JSDoc comment after the brace of a one-line object type",
    spec: "  inline: { /** @maxLength 3 */ x: string };",
    code: "DetachedJsDoc",
    at: "/** @maxLength 3 */ x",
    hint: /own line above what it describes/,
  },
  {
    name: "a JSDoc comment before the closing brace of an interface (after its last field)",
    spec: "  a: int32;\n  /** @minimum 1 */",
    code: "DetachedJsDoc",
    at: "/** @minimum 1 */",
    hint: /above the field it describes/,
  },
  {
    name: "a JSDoc comment before the closing brace of an object type",
    spec: "  inline: {\n    x: string;\n    /** The name.\n     * @maxLength 3\n     */\n  };",
    code: "DetachedJsDoc",
    at: "/** The name.",
    hint: /above the field it describes/,
  },
  {
    name: "a JSDoc comment alone in an interface without fields",
    spec: "  empty?: Empty;",
    extra: "/** Nothing yet. */\ninterface Empty {\n  /** @minLength 1 */\n}",
    code: "DetachedJsDoc",
    at: "/** @minLength 1 */",
    hint: /above the field it describes/,
  },
];

describe("unsupported TypeScript is a typed error with file, line and hint", () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const text = kindSource(testCase.spec, testCase.extra ?? "");
      const result = parseFiles({ [KIND_FILE]: text });
      const error = singleError(result, testCase.code);
      assert.equal(error.file, KIND_FILE);
      assert.equal(error.line, lineOf(text, testCase.at), formatCodegenError(error));
      assert.match(error.hint ?? "", testCase.hint);
    });
  }

  it("reports a JSDoc comment after another declaration on its line", () => {
    const text = kindSource(
      "  code: Code;",
      "export type Name = string; /** @minLength 3 */ export type Code = string;",
    );
    const error = singleError(parseFiles({ [KIND_FILE]: text }), "DetachedJsDoc");
    assert.equal(error.line, lineOf(text, "/** @minLength 3 */"));
  });

  it("reports a JSDoc comment before an interface's closing brace at its line and column, even on the last field's line", () => {
    const text = kindSource("  a: int32; /** @minimum 1 */\n  b: int32;\n    /** @maximum 9 */");
    const result = parseFiles({ [KIND_FILE]: text });
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.line, error.column, error.message]),
      [
        [
          "DetachedJsDoc",
          lineOf(text, "/** @minimum 1 */"),
          "  a: int32; ".length + 1,
          "this JSDoc comment belongs to nothing: TypeScript attaches a comment only to a declaration on a later line",
        ],
        [
          "DetachedJsDoc",
          lineOf(text, "/** @maximum 9 */"),
          5,
          "this JSDoc comment belongs to nothing: it comes after the last field, before the closing }",
        ],
      ],
    );
  });

  it("refuses an empty field name at its line and column", () => {
    const text = kindSource("  name: string;\n  '': string;");
    const error = singleError(parseFiles({ [KIND_FILE]: text }), "UnsupportedPropertyName");
    assert.deepEqual(
      [error.line, error.column, error.message],
      [lineOf(text, "'': string"), 3, "the field name is empty: a Kubernetes field needs a name"],
    );
  });

  it("reports TypeScript syntax errors, which the parser would otherwise recover from silently", () => {
    const text = kindSource('  color?: string = "Red";\n  size?: int32;');
    const result = parseFiles({ [KIND_FILE]: text });
    const error = singleError(result, "SyntaxError");
    assert.equal(error.file, KIND_FILE);
    assert.equal(error.line, lineOf(text, "color?: string"));
    assert.match(error.message, /the field color has an initializer/);
    assert.match(error.hint ?? "", /@default "Red"/);
    const extraBrace = `${kindSource("  size?: int32;")}}\n`;
    const braces = parseFiles({ [KIND_FILE]: extraBrace });
    const stray = singleError(braces, "SyntaxError");
    assert.equal(stray.line, extraBrace.split("\n").length - 1);
    assert.match(stray.message, /Declaration or statement expected/);
    assert.match(stray.hint ?? "", /tsc/);
  });

  it("collects every error of a run, sorted by position, not just the first", () => {
    const result = parseSpec("  a: any;\n  b: [string];\n  c: Date;", "interface Unused { fn(): void }");
    assert.deepEqual(
      result.errors.map((error) => error.code),
      ["UntypedField", "TupleType", "UnsupportedType"],
    );
    assert.ok(result.errors.every((error, index, all) => index === 0 || (all[index - 1]?.line ?? 0) <= error.line));
  });

  it("reports an error in a shared type once, however often it is used", () => {
    const result = parseSpec("  a: Bad;\n  b: Bad;\n  c: Bad[];", "interface Bad { when: Date }");
    assert.equal(result.errors.length, 1);
  });

  it("formats errors as file:line:column - Code: message, then the hint", () => {
    const result = parseSpec("  pair: [string, int32];");
    const text = formatCodegenError(result.errors[0] ?? assert.fail("an error"));
    assert.match(text, /^src\/apis\/wardle\/v1alpha1\/flunder\.ts:\d+:\d+ - TupleType: .*\n {4}hint: /);
  });
});
