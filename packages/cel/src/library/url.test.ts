import assert from "node:assert/strict";
import { test } from "node:test";
import { fails, holds } from "../testing/evaluate.js";

test("url accessors", () => {
  holds('url("https://example.com:8080/path%20x?a=1&a=2&b").getScheme() == "https"');
  holds('url("https://example.com:8080/path").getHost() == "example.com:8080"');
  holds('url("https://example.com:8080/path").getHostname() == "example.com"');
  holds('url("https://example.com:8080/path").getPort() == "8080"');
  holds('url("https://example.com/").getPort() == ""');
  holds('url("https://[::1]:80/").getHostname() == "::1"');
  holds('url("https://example.com/a%20b").getEscapedPath() == "/a%20b"');
  holds('url("https://example.com/?a=1&a=2&b=x").getQuery() == {"a": ["1", "2"], "b": ["x"]}');
  holds('url("/absolute/path").getHost() == ""');
});

test("isURL accepts absolute URIs and absolute paths only", () => {
  holds('isURL("https://example.com")');
  holds('isURL("/path")');
  holds('!isURL("relative/path")');
  holds('!isURL("mailto:someone@example.com")');
  holds('!isURL("")');
  assert.match(fails('url("nope") == url("nope")'), /URL parse error during conversion from string/);
});
