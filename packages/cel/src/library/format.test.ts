import assert from "node:assert/strict";
import { test } from "node:test";
import { holds, run } from "../testing/evaluate.js";

test("named formats validate to optional.none() when valid", () => {
  holds('!format.dns1123Label().validate("my-name").hasValue()');
  holds('!format.dns1123Subdomain().validate("example.com").hasValue()');
  holds('!format.dns1035Label().validate("abc-123").hasValue()');
  holds('!format.qualifiedName().validate("example.com/MyName").hasValue()');
  holds('!format.labelValue().validate("").hasValue()');
  holds('!format.dns1123LabelPrefix().validate("my-name-").hasValue()');
  holds('!format.uri().validate("https://example.com").hasValue()');
  holds('!format.uuid().validate("123e4567-e89b-12d3-a456-426614174000").hasValue()');
  holds('!format.byte().validate("aGVsbG8=").hasValue()');
  holds('!format.date().validate("2024-02-29").hasValue() && format.date().validate("2023-02-29").hasValue()');
  holds('!format.datetime().validate("2024-01-01T00:00:00Z").hasValue()');
  holds('format.named("dns1123Label").hasValue() && !format.named("nope").hasValue()');
});

test("invalid values list apimachinery's messages", () => {
  const r = run('format.dns1123Label().validate("Not_Valid").value()[0] == "x"');
  assert.ok(r.ok);
  holds(
    `format.dns1123Label().validate("Not_Valid").value() == ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]`,
  );
  holds('format.dns1123Label().validate(self).value()[0] == "must be no more than 63 characters"', "a".repeat(64));
  holds('format.uuid().validate("nope").value() == ["does not match the UUID format"]');
});
