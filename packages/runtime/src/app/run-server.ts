/**
 * The application harness a generated project's `src/server.ts` calls: parses the server flags,
 * opens the chosen storage, serves with local-mode or given certificates, runs the project's
 * controllers in-process, and stops gracefully on SIGINT or SIGTERM.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Storage } from "@apiserver-kit/storage";
import type { ResourceDefinition } from "../model/resource.js";
import { ApiServer, type NonApiHandler } from "../server/api-server.js";
import { parseCommandLine } from "./command-line.js";
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
  /** Where SIGINT/SIGTERM come from; default `process`; false installs no listeners. */
  signals?: SignalSource | false;
  /** How long stopping waits for controllers to return. Default 10 s. */
  shutdownGraceMs?: number;
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
  const serverOptions = resolveServerOptions(parsed.values, options.cwd ?? process.cwd());
  const serving = prepareServing(serverOptions);
  const storage = await openStorage(serverOptions);
  const server = new ApiServer({
    resources: options.resources,
    storage,
    tls: serving.tls,
    authenticator: serving.authenticator,
    authorizer: serving.authorizer,
    ...(options.nonApiHandler ? { nonApiHandler: options.nonApiHandler } : {}),
    ...(options.projectVersion ? { projectVersion: options.projectVersion } : {}),
  });
  let port: number;
  try {
    port = (await server.listen(serverOptions.securePort, serverOptions.bindAddress)).port;
  } catch (error) {
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

  const abort = new AbortController();
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
      abort.abort();
      await settleWithin(Promise.all(running), options.shutdownGraceMs ?? 10_000);
      await server.close();
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
  if (kubeconfig !== undefined) {
    log(`local mode: certificates in ${serverOptions.certDir}/pki; kubectl as admin with:`);
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
    return await runServer(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (error instanceof ServerFlagError) process.stderr.write(`Run ${options.name} --help for the flags.\n`);
    process.exitCode = error instanceof ServerFlagError ? 2 : 1;
    return undefined;
  }
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
