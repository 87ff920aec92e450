/**
 * The e2e suites' common set-up for one kubectl version: a test server started before the
 * suite's tests and a Kubectl of that version on its kubeconfig, both stopped after them.
 */
import { after, before } from "node:test";
import { Kubectl } from "../testing/clients.js";
import { startTestServer, type TestServer, type TestServerOptions } from "../testing/test-server.js";

/** Registers the suite's before/after hooks; `started` receives the server and the kubectl once they run. */
export function startKubectlServer(
  minor: number,
  started: (server: TestServer, kubectl: Kubectl) => void,
  options: TestServerOptions = {},
): void {
  let server: TestServer | undefined;
  let kubectl: Kubectl | undefined;
  before(async () => {
    server = await startTestServer(options);
    kubectl = new Kubectl(minor, server.kubeconfig);
    started(server, kubectl);
  });
  after(async () => {
    kubectl?.dispose();
    await server?.close();
  });
}
