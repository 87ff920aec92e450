/**
 * The python `kubernetes` client's e2e suites: a test server per suite, each test a script run
 * with /usr/bin/python3 (Debian's python3-kubernetes) against it, skipped when the package is
 * absent. A script prints its result as JSON on its last line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hasPythonKubernetes, runPython } from "../testing/clients.js";
import { startTestServer, type TestServer } from "../testing/test-server.js";

/** Runs `script` with the server's kubeconfig and a discovery cache file of its own as argv[1], argv[2]; its last line, parsed. */
export type PythonRunner = <T = Record<string, unknown>>(script: string) => Promise<T>;

/** A describe block whose tests (`tests(test)`) each run one python script against one fresh test server. */
export function describePython(
  title: string,
  tests: (test: (name: string, body: (python: PythonRunner) => Promise<void>) => void) => void,
): void {
  describe(title, async () => {
    const available = await hasPythonKubernetes();
    let server: TestServer | undefined;
    let caches = 0;
    before(async () => {
      if (available) server = await startTestServer();
    });
    after(async () => {
      await server?.close();
    });
    const python: PythonRunner = async <T>(script: string) => {
      const running = server as TestServer;
      const cache = join(running.dataDir, `python-discovery-${++caches}.json`);
      const result = await runPython(script, [running.kubeconfig, cache], { timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout.trim().split("\n").pop() as string) as T;
    };
    tests((name, body) => it(name, { skip: !available && "python3-kubernetes is not installed" }, () => body(python)));
  });
}
