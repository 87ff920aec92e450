export * from "./aggregator/index.js";
export type { ProcessResult, RunOptions } from "./clients.js";
export {
  BackgroundProcess,
  hasKubectl,
  hasPythonKubernetes,
  Kubectl,
  kubectlBinary,
  kubectlDirectory,
  run,
  runPython,
  SYSTEM_PYTHON,
} from "./clients.js";
export { fischerDefinition, flunderDefinition, WARDLE_GROUP, wardleDefinitions } from "./fixtures.js";
export type { TestRequestOptions, TestResponse, TestServer, TestServerOptions } from "./test-server.js";
export { startTestServer } from "./test-server.js";
