// The application harness generated servers call: server flags, storage choice, serving, delegation, controllers, signals.

export type { NamespaceInformer } from "../admission/namespace-lifecycle.js";
export type { CommandLine, CommandLineSpec } from "./command-line.js";
export { parseCommandLine } from "./command-line.js";
export type { NamespaceInformerContext } from "./delegation.js";
export { formatDuration, parseDuration } from "./duration.js";
export type {
  FlagValue,
  FlagValues,
  ServerFlag,
  ServerFlagErrorCode,
  ServerFlagGroup,
  StorageBackend,
} from "./flags.js";
export {
  AUDIT_FLAGS,
  AUTHENTICATION_FLAGS,
  AUTHORIZATION_FLAGS,
  CLUSTER_FLAGS,
  LIMITS_FLAGS,
  LOCAL_MODE_FLAGS,
  SECURE_SERVING_FLAGS,
  SERVER_FLAG_GROUPS,
  ServerFlagError,
  STORAGE_FLAGS,
} from "./flags.js";
export type {
  ControllerContext,
  RunningServer,
  RunServerOptions,
  ServerController,
  SignalSource,
} from "./run-server.js";
export { isMainModule, runServer, runServerMain, serverHelp } from "./run-server.js";
export type {
  AuditOptions,
  AuthenticationOptions,
  AuthorizationOptions,
  EtcdOptions,
  ServerOptions,
} from "./server-options.js";
export { resolveServerOptions } from "./server-options.js";
