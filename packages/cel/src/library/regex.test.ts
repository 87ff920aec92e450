import assert from "node:assert/strict";
import { test } from "node:test";
import { compileError, fails, holds, run } from "../testing/evaluate.js";

test("matches uses RE2: partial match, (?i) flags, no backreferences", () => {
  holds('"hello".matches("ell")');
  holds('"Hello".matches("(?i)^hello$")');
  holds('!"hello".matches("^ell")');
  holds('matches("abc", "b")');
  assert.match(
    compileError('"a".matches("(a)\\\\1")'),
    /program instantiation failed: error parsing regexp: invalid escape sequence/,
  );
  assert.match(fails("self.matches(self)", "(a"), /error parsing regexp/);
});

test("a pattern that backtracks exponentially in JavaScript runs in linear time", () => {
  const r = run('self.matches("^(a+)+$")', `${"a".repeat(40)}!`);
  assert.ok(r.ok);
  assert.equal(r.value, false);
});

test("find and findAll", () => {
  holds('"abc 123".find("[0-9]+") == "123"');
  holds('"abc".find("[0-9]+") == ""');
  holds('"123 abc 456".findAll("[0-9]+") == ["123", "456"]');
  holds('"123 abc 456".findAll("[0-9]+", 1) == ["123"]');
  holds('"123".findAll("x") == []');
});
