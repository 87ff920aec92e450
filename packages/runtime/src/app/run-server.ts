/**
 * The application harness a generated project's `src/server.ts` calls: parses the server flags,
 * opens the chosen storage, serves with local-mode or given certificates, runs the project's
 * controllers in-process, and stops gracefully on SIGINT or SIGTERM.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Storage, systemClock } from "@apiserver-kit/storage";
import type { NamespaceInformer } from "../admission/namespace-lifecycle.js";
import type { ResourceDefinition } from "../model/resource.js";
import type { Logger } from "../observability/logging.js";
import { ApiServer, type NonApiHandler } from "../server/api-server.js";
import { watchServingCertificate } from "../server/serving-certificate.js";
import { parseCommandLine } from "./command-line.js";
import { type NamespaceInformerContext, prepareDelegation } from "./delegation.js";
import { type FlagValues, SERVER_FLAG_GROUPS, ServerFlagError, type ServerFlagGroup } from "./flags.js";
import { resolveServerOptions, type ServerOptions } from "./server-options.js";
import { localServerURL, prepareServing, writeLocalKubeconfig } from "./serving.js";
import { describeStorage, openStorage } from "./storage-backend.js";

/** What an in-process controller is given. */
export interface ControllerContext {
  /** Aborts when the server stops; the controller returns soon after. */
  signal: AbortSignal;
  /** A kubeconfig file for reaching the API; undefined means the in-cluster service account. */
  kubeconfig?: string;
  /** This server's own URL from this machine. */
  serverURL: string;
  /** Every flag value, built-in and added. */
  flags: FlagValues;
  log(line: string): void;
}

/** A controller the harness runs beside the server (an adapter around the controller package's manager). */
export interface ServerController {
  name: string;
  /** Runs until `context.signal` aborts. A rejection is logged; the server keeps serving. */
  run(context: ControllerContext): Promise<void>;
}

/** SIGINT and SIGTERM listeners; `process` is one. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

export interface RunServerOptions {
  /** The program name in `--help`, e.g. `widgets-server`. */
  name: string;
  description?: string;
  resources: readonly ResourceDefinition[];
  controllers?: readonly ServerController[];
  /** The arguments after the program name: `process.argv.slice(2)`. */
  argv: readonly string[];
  /** Flag groups added after the built-in ones. */
  flagGroups?: readonly ServerFlagGroup[];
  projectVersion?: string;
  /** Requests outside the API paths (an express app). */
  nonApiHandler?: NonApiHandler;
  /** Relative paths in flags are resolved against it; default `process.cwd()`. */
  cwd?: string;
  /** Where start-up and shutdown lines go; default stdout. */
  log?: (line: string) => void;
  /**
   * The request log and errors (`createLogger({ level: "info" })` for a line per request).
   * Default: warnings and errors only.
   */
  logger?: Logger;
  /** Where SIGINT/SIGTERM come from; default `process`; false installs no listeners. */
  signals?: SignalSource | false;
  /** How long stopping waits for controllers to return. Default 10 s. */
  shutdownGraceMs?: number;
  /** The process environment (a pod's $KUBERNETES_SERVICE_HOST means cluster mode); default `process.env`. */
  environment?: Readonly<Record<string, string | undefined>>;
  /** How often certificate files, CA files and the authentication ConfigMap are re-read. Default 10 s. */
  reloadIntervalMs?: number;
  /**
   * A namespace informer for the NamespaceLifecycle admission plugin in cluster mode (e.g. the
   * controller package's Informer over `/api/v1/namespaces`); without it namespaces are read live.
   */
  namespaceInformer?: (context: NamespaceInformerContext) => NamespaceInformer;
}

export interface RunningServer {
  readonly server: ApiServer;
  readonly storage: Storage;
  readonly options: ServerOptions;
  readonly flags: FlagValues;
  readonly url: string;
  readonly port: number;
  /** The kubeconfig written in local mode. */
  readonly kubeconfig?: string;
  /** Stops controllers, then the server, then storage; safe to call twice. */
  stop(): Promise<void>;
  /** Settles once stopped (by `stop()` or a signal). */
  readonly stopped: Promise<void>;
}

const DEFAULT_DESCRIPTION = "A Kubernetes extension API server built with apiserver-kit.";

/** The `--help` text of a server with these flag groups. */
export function serverHelp(options: Pick<RunServerOptions, "name" | "description" | "flagGroups">): string {
  const parsed = parseCommandLine(["--help"], {
    name: options.name,
    description: options.description ?? DEFAULT_DESCRIPTION,
    groups: [...SERVER_FLAG_GROUPS, ...(options.flagGroups ?? [])],
  });
  return parsed.kind === "help" ? parsed.text : "";
}

/**
 * Starts the server the command line describes. Resolves once it is serving, or with undefined
 * after printing `--help`; throws ServerFlagError on a bad command line.
 */
export async function runServer(options: RunServerOptions): Promise<RunningServer | undefined> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const parsed = parseCommandLine(options.argv, {
    name: options.name,
    description: options.description ?? DEFAULT_DESCRIPTION,
    groups: [...SERVER_FLAG_GROUPS, ...(options.flagGroups ?? [])],
  });
  if (parsed.kind === "help") {
    log(parsed.text.trimEnd());
    return undefined;
  }
  const serverOptions = resolveServerOptions(
    parsed.values,
    options.cwd ?? process.cwd(),
    options.environment ?? process.env,
  );
  const serving = prepareServing(serverOptions);
  const abort = new AbortController();
  const delegation = await prepareDelegation({
    options: serverOptions,
    pki: serving.pki,
    log,
    signal: abort.signal,
    ...(options.reloadIntervalMs !== undefined ? { reloadIntervalMs: options.reloadIntervalMs } : {}),
    ...(options.namespaceInformer ? { namespaceInformer: options.namespaceInformer } : {}),
  });
  if (parsed.values["audit-log-path"] !== undefined && !serverOptions.audit) {
    log("no audit policy file provided (--audit-policy-file), no events will be recorded");
  }
  let storage: Storage;
  try {
    storage = await openStorage(serverOptions);
  } catch (error) {
    delegation.close();
    throw error;
  }
  const server = new ApiServer({
    resources: options.resources,
    storage,
    tls: { ...serving.tls, clientCA: delegation.clientCA() },
    authenticator: delegation.authenticator,
    authorizer: delegation.authorizer,
    alwaysAllowPaths: serverOptions.authorization.alwaysAllowPaths,
    admission: delegation.admission,
    ...(delegation.audit ? { audit: delegation.audit } : {}),
    inflight: {
      maxRequestsInflight: serverOptions.maxRequestsInflight,
      maxMutatingRequestsInflight: serverOptions.maxMutatingRequestsInflight,
    },
    requestTimeoutMs: serverOptions.requestTimeoutMs,
    garbageCollection: serverOptions.garbageCollection,
    // In local mode kubectl talks to the server as to a cluster, and looks for the core group.
    coreGroupDiscovery: !serverOptions.clusterMode,
    ...(options.nonApiHandler ? { nonApiHandler: options.nonApiHandler } : {}),
    ...(options.projectVersion ? { projectVersion: options.projectVersion } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  delegation.onClientCAChange(() => {
    server.updateTLS({ clientCA: delegation.clientCA() });
    log("client CAs changed: new connections use them");
  });
  const stopCertificateWatch =
    serverOptions.tlsCertFile !== undefined && serverOptions.tlsPrivateKeyFile !== undefined
      ? watchServingCertificate(
          { cert: serving.tls.cert, key: serving.tls.key },
          {
            certFile: serverOptions.tlsCertFile,
            keyFile: serverOptions.tlsPrivateKeyFile,
            ...(options.reloadIntervalMs !== undefined ? { intervalMs: options.reloadIntervalMs } : {}),
            clock: systemClock,
            onChange: (pair) => {
              server.updateTLS(pair);
              log(`serving certificate reloaded from ${serverOptions.tlsCertFile}`);
            },
            onError: (error) => log(`serving certificate not reloaded: ${error.message}`),
          },
        )
      : undefined;
  const release = () => {
    stopCertificateWatch?.();
    delegation.close();
  };
  let port: number;
  try {
    port = (await server.listen(serverOptions.securePort, serverOptions.bindAddress)).port;
  } catch (error) {
    release();
    await storage.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new ServerFlagError(
        "InvalidFlagValue",
        `port ${serverOptions.securePort} on ${serverOptions.bindAddress} is in use: stop what serves it or pick another --secure-port`,
        "secure-port",
      );
    }
    throw error;
  }
  const url = localServerURL(serverOptions.bindAddress, port);
  const kubeconfig =
    serving.local && serverOptions.kubeconfigOut !== undefined
      ? writeLocalKubeconfig(serverOptions.kubeconfigOut, url, serving.pki)
      : undefined;

  const controllerKubeconfig = serverOptions.controllersKubeconfig ?? kubeconfig;
  const controllers = serverOptions.runControllers ? (options.controllers ?? []) : [];
  const running = controllers.map((controller) =>
    controller
      .run({
        signal: abort.signal,
        ...(controllerKubeconfig === undefined ? {} : { kubeconfig: controllerKubeconfig }),
        serverURL: url,
        flags: parsed.values,
        log: (line) => log(`[${controller.name}] ${line}`),
      })
      .catch((error: unknown) => {
        log(`[${controller.name}] stopped with an error: ${error instanceof Error ? error.message : String(error)}`);
      }),
  );

  const signals = options.signals === undefined ? process : options.signals;
  let stopping: Promise<void> | undefined;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  const onSignal = () => {
    if (stopping) return;
    log("stopping (a signal was received)");
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Readiness fails at once; the server keeps serving through --shutdown-delay-duration, then drains.
      server.beginShutdown();
      abort.abort();
      const controllersDone = settleWithin(Promise.all(running), options.shutdownGraceMs ?? 10_000);
      await server.shutdown({ delayMs: serverOptions.shutdownDelayMs });
      await controllersDone;
      release();
      await storage.close();
      // Listeners stay until here: a second signal (a terminal's SIGINT to the whole process group
      // and a parent's SIGTERM) must not cut the graceful stop short.
      if (signals) {
        signals.off("SIGINT", onSignal);
        signals.off("SIGTERM", onSignal);
      }
      log("stopped");
      resolveStopped();
    })();
    return stopping;
  };
  if (signals) {
    signals.on("SIGINT", onSignal);
    signals.on("SIGTERM", onSignal);
  }
  // Listeners go in before the first line is printed: whoever waits for that line may signal at once.
  const groupVersions = server.model.groupVersions().map((gv) => `${gv.group}/${gv.version}`);
  log(`serving ${groupVersions.join(", ") || "no API groups"} on ${url}`);
  log(`storage: ${describeStorage(serverOptions)}`);
  for (const line of delegation.description) log(line);
  if (kubeconfig !== undefined) {
    log(`local mode: certificates in ${serverOptions.certDir}; kubectl as admin with:`);
    log(`export KUBECONFIG=${kubeconfig}`);
  }
  if (controllers.length > 0) log(`controllers: ${controllers.map((c) => c.name).join(", ")}`);
  return {
    server,
    storage,
    options: serverOptions,
    flags: parsed.values,
    url,
    port,
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    stop,
    stopped,
  };
}

function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * runServer for a program's entry point: prints a bad command line's error with a pointer to
 * `--help` and sets the exit code (2 for flags, 1 otherwise) instead of throwing.
 */
export async function runServerMain(options: RunServerOptions): Promise<RunningServer | undefined> {
  try {
    const running = await runServer(options);
    exitAfterStop(running);
    return running;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (error instanceof ServerFlagError) process.stderr.write(`Run ${options.name} --help for the flags.\n`);
    process.exitCode = error instanceof ServerFlagError ? 2 : 1;
    return undefined;
  }
}

/**
 * Exits the process a moment after the server stopped, in case something (a controller's
 * leftover timer or socket) would keep it alive: a stop is bounded, as Kubernetes expects of a
 * pod it sent SIGTERM.
 */
export function exitAfterStop(running: RunningServer | undefined, graceMs = 1000): void {
  void running?.stopped.then(() => {
    setTimeout(() => process.exit(), graceMs).unref();
  });
}

/** True when the module with this `import.meta.url` is the program node was started with. */
export function isMainModule(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(fileURLToPath(importMetaUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}
