// An ApiServer in this process with local-mode certificates (admin in system:masters), for
// scenarios about storage, lists, watches and memory rather than authentication.
import { request } from "node:https";
import { ApiServer, localMode } from "@apiserver-kit/runtime";
import { wardleDefinitions } from "@apiserver-kit/runtime/testing";

/** Starts a server on `storage`; resolves once /readyz says its watch caches are loaded. */
export async function startLocalServer(storage, pkiDir, extra = {}) {
  const local = localMode(pkiDir);
  const server = new ApiServer({
    resources: wardleDefinitions,
    storage,
    tls: local.tls,
    authenticator: local.authenticator,
    authorizer: local.authorizer,
    ...extra,
  });
  const { port } = await server.listen(0, "127.0.0.1");
  const credentials = { ca: local.pki.ca.cert, cert: local.pki.admin.cert, key: local.pki.admin.key };
  for (let attempt = 0; ; attempt++) {
    const status = await new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/readyz", agent: false, ...credentials }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.on("error", () => resolve(0));
      req.end();
    });
    if (status === 200) break;
    if (attempt > 600) throw new Error("the server did not become ready within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { server, port, credentials, pki: local.pki };
}
