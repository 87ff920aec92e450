import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLabelSelector, LabelSelectorError, parseLabelSelector } from "./labels.js";

const KEY_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("label selectors", () => {
  it("parses the full syntax, empty values included, as apimachinery does", () => {
    const selector = parseLabelSelector("x in (foo,,baz),y,z notin (),!w,n>3,m<10,a=b,c==d,e!=f");
    assert.deepEqual(
      selector.requirements.map((r) => [r.key, r.operator, r.values]),
      [
        ["x", "in", ["", "baz", "foo"]],
        ["y", "exists", []],
        ["z", "notin", [""]],
        ["w", "!", []],
        ["n", "gt", ["3"]],
        ["m", "lt", ["10"]],
        ["a", "=", ["b"]],
        ["c", "=", ["d"]],
        ["e", "!=", ["f"]],
      ],
    );
    assert.equal(selector.matches({ x: "", y: "1", z: "set", n: "4", m: "9", a: "b", c: "d" }), true);
    assert.equal(selector.matches({ x: "", y: "1", z: "", n: "4", m: "9", a: "b", c: "d" }), false, "z notin ()");
    assert.deepEqual(parseLabelSelector("x in (a,)").requirements[0]?.values, ["", "a"]);
    assert.deepEqual(
      parseLabelSelector("in=in,v in (in,notin)").requirements.map((r) => r.values),
      [["in"], ["in", "notin"]],
    );
    assert.equal(parseLabelSelector("  ").empty, true);
    assert.equal(formatLabelSelector(parseLabelSelector("b in (y,x),!c")), "b in (x,y),!c");
  });

  it("refuses malformed selectors with Kubernetes' messages", () => {
    const cases: Array<[string, string]> = [
      // Between requirements: no "unable to parse requirement" prefix.
      ["a=b=c", "found '=', expected: ',' or 'end of string'"],
      ["!a=b", "found '=', expected: ',' or 'end of string'"],
      ["a,", "found '', expected: identifier after ','"],
      [",a", "found ',', expected: !, identifier, or 'end of string'"],
      // Inside a requirement.
      ["!", "unable to parse requirement: found '', expected: identifier"],
      ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ["a=(b)", "unable to parse requirement: found '(', expected: identifier"],
      ["a in b", "unable to parse requirement: found 'b' expected: '('"],
      ["a in (b", "unable to parse requirement: found '', expected: ',' or ')'"],
      ["a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"],
      ["a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
      ["a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
      [
        "n>x",
        "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
      ],
      ["app:nginx", `unable to parse requirement: <nil>: Invalid value: "app:nginx": ${KEY_RULE}`],
      ["a=-b", `unable to parse requirement: values[0][a]: Invalid value: "-b": ${VALUE_RULE}`],
      [
        "n>-x",
        `unable to parse requirement: [values[0]: Invalid value: "-x": for 'Gt', 'Lt' operators, the value must be an integer, values[0][n]: Invalid value: "-x": ${VALUE_RULE}]`,
      ],
    ];
    for (const [input, message] of cases) {
      assert.throws(
        () => parseLabelSelector(input),
        (e: unknown) => e instanceof LabelSelectorError && e.message === message,
        `${input} → ${message}`,
      );
    }
  });
});
