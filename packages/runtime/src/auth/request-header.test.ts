import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { type CertKeyPair, createCA, issueCertificate } from "../certs/x509.js";
import type { HttpRequest } from "../server/http.js";
import { DEFAULT_REQUEST_HEADERS, RequestHeaderAuthenticator, type RequestHeaderSettings } from "./request-header.js";
import { AuthenticationError } from "./types.js";

/** A request as the server sees it: raw header lines, and a socket presenting `client` (or nothing). */
function fakeRequest(lines: Array<[string, string]>, client?: CertKeyPair): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of lines) {
    const key = name.toLowerCase();
    headers[key] = headers[key] ? `${headers[key]}, ${value}` : value;
  }
  const peer = client ? new X509Certificate(client.cert) : undefined;
  const socket = {
    getPeerCertificate: () => (peer ? { raw: peer.raw, fingerprint256: peer.fingerprint256 } : {}),
  };
  return { headers, rawHeaders: lines.flat(), socket } as unknown as HttpRequest;
}

const proxyCA = createCA("front-proxy-ca");
const proxy = issueCertificate(proxyCA, { subject: { commonName: "front-proxy-client" }, usages: ["clientAuth"] });
const settings = (overrides: Partial<RequestHeaderSettings> = {}): RequestHeaderSettings => ({
  clientCA: proxyCA.cert,
  allowedNames: [],
  ...DEFAULT_REQUEST_HEADERS,
  ...overrides,
});

describe("requestheader authentication", () => {
  it("reads the first non-empty user header, every group line and the extras (lower-cased, %-decoded)", () => {
    const authenticator = new RequestHeaderAuthenticator(
      settings({ usernameHeaders: ["X-Primary-User", "X-Remote-User"] }),
    );
    const req = fakeRequest(
      [
        ["X-Primary-User", ""],
        ["X-Remote-User", "alice"],
        ["X-Remote-Group", "devs"],
        ["X-Remote-Group", "a,b"],
        ["X-Remote-Extra-Scopes", "read"],
        ["x-remote-extra-scopes", "write"],
        ["X-Remote-Extra-Example.com%2FTeam", "blue"],
      ],
      proxy,
    );
    assert.deepEqual(authenticator.authenticate(req), {
      name: "alice",
      groups: ["devs", "a,b", "system:authenticated"],
      extra: { scopes: ["read", "write"], "example.com/team": ["blue"] },
    });
    assert.deepEqual(req.rawHeaders, [], "the identity headers are gone after authentication");
    assert.deepEqual(req.headers, {});
  });

  it("is not the front proxy's business without a user header (null, no error)", () => {
    const authenticator = new RequestHeaderAuthenticator(settings());
    assert.equal(authenticator.authenticate(fakeRequest([["X-Remote-Group", "g"]], proxy)), null);
  });

  it("refuses other CAs and names outside the allowed list; an empty list allows any CN", () => {
    const strict = new RequestHeaderAuthenticator(settings({ allowedNames: ["aggregator"] }));
    const user: Array<[string, string]> = [["X-Remote-User", "alice"]];
    assert.throws(
      () => strict.authenticate(fakeRequest(user, proxy)),
      (e: unknown) =>
        e instanceof AuthenticationError && /cn=front-proxy-client is not in the allowed list/.test(e.message),
    );
    const stranger = issueCertificate(createCA("other"), {
      subject: { commonName: "aggregator" },
      usages: ["clientAuth"],
    });
    assert.throws(() => strict.authenticate(fakeRequest(user, stranger)), AuthenticationError);
    const open = new RequestHeaderAuthenticator(settings());
    assert.equal(open.authenticate(fakeRequest(user, proxy))?.name, "alice");
  });

  it("strips spoofed headers, keeps a verified proxy's for user routes, and follows new settings", () => {
    const authenticator = new RequestHeaderAuthenticator(settings());
    const spoofed = fakeRequest([
      ["X-Remote-User", "mallory"],
      ["X-Other", "kept"],
    ]);
    authenticator.sanitize(spoofed);
    assert.deepEqual(spoofed.headers, { "x-other": "kept" });
    const proxied = fakeRequest([["X-Remote-User", "alice"]], proxy);
    authenticator.sanitize(proxied);
    assert.deepEqual(proxied.headers, { "x-remote-user": "alice" });
    authenticator.update(settings({ allowedNames: ["someone-else"] }));
    const now = fakeRequest([["X-Remote-User", "alice"]], proxy);
    authenticator.sanitize(now);
    assert.deepEqual(now.headers, {}, "new settings apply at once");
    authenticator.update(undefined);
    const off = fakeRequest([["X-Remote-User", "alice"]], proxy);
    assert.equal(authenticator.authenticate(off), null);
    assert.deepEqual(off.headers, {}, "switched off, the default headers are still removed");
  });
});
