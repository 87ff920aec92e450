/**
 * `scaffold run`: generate, compile, and run the project's server (its controllers included)
 * locally with TLS and a kubeconfig; with `--watch`, do it again and restart whenever the types,
 * handlers or controllers change, keeping the last good server while the code does not build.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { CliError, isCliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { planGenerate } from "../generate/generated-files.js";
import { FilePlan, isTemporaryFile } from "../machinery/file-plan.js";
import { GENERATED_DIR } from "../project/layout.js";
import { findProjectRoot, readProjectFile } from "../project/project-file.js";
import { compileProject } from "./compile.js";
import { type TreeWatch, watchTree } from "./watch-tree.js";

export type RunStorage = "sqlite" | "memory" | "etcd";

export interface RunOptions {
  cwd?: string;
  storage?: RunStorage;
  /** --secure-port; 0 picks a free port. Default 8443. */
  port?: number;
  watch?: boolean;
  /** More server flags, passed as they are (e.g. --etcd-servers). */
  serverArgs?: string[];
  dryRun?: boolean;
  /** Stops the run (tests); SIGINT and SIGTERM do too. */
  signal?: AbortSignal;
  /** How long a burst of file changes settles before a rebuild. Default 300 ms. */
  settleMs?: number;
}

/** The server's command line for `scaffold run`. */
export function serverCommandLine(root: string, options: RunOptions): string[] {
  return [
    join(root, "dist", "server.js"),
    `--secure-port=${options.port ?? 8443}`,
    "--bind-address=127.0.0.1",
    `--storage=${options.storage ?? "sqlite"}`,
    `--data-dir=${join(root, ".data")}`,
    ...(options.serverArgs ?? []),
  ];
}

class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly args: string[],
    private readonly reporter: Reporter,
    /** Called when the server exits on its own (not through stop()). */
    private readonly onExit: (code: number | null) => void,
  ) {}

  start(): void {
    const child = spawn(process.execPath, this.args, { cwd: this.root, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        if (this.child === child) {
          this.child = undefined;
          if (code !== 0 && signal === null) this.reporter.warn(`the server exited with code ${code}`);
          this.onExit(code);
        }
        resolve();
      }),
    );
  }

  /** SIGTERM (the server stops gracefully), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) return;
    this.child = undefined;
    const exited = this.exited;
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }

  get running(): boolean {
    return this.child !== undefined;
  }
}

/** Generates and compiles; returns false (after printing why) when the project does not build. */
async function build(root: string, reporter: Reporter, failHard: boolean): Promise<boolean> {
  try {
    const plan = new FilePlan(root);
    const done = reporter.step("generating from src/apis");
    planGenerate(plan, readProjectFile(root));
    plan.apply();
    done();
  } catch (error) {
    if (failHard || !isCliError(error)) throw error;
    reporter.warn(`${error.message}\n${error.fix ? `fix: ${error.fix}` : ""}`);
    return false;
  }
  const done = reporter.step("compiling");
  const compiled = await compileProject(root);
  done();
  if (!compiled.ok) {
    const error = new CliError(
      "CompileFailed",
      `the project does not compile:\n${compiled.output}`,
      "fix the errors above",
    );
    if (failHard) throw error;
    reporter.warn(`${error.message}\nkeeping the last good server running`);
    return false;
  }
  return true;
}

/**
 * Fails fast, before generating and compiling, when scaffold run's port is taken (the server
 * would say so only after the build, naming its own --secure-port flag). Server flags after `--`
 * that choose the port or address are the server's to check.
 */
export async function checkPortFree(port: number, serverArgs: readonly string[]): Promise<void> {
  if (port === 0 || serverArgs.some((arg) => /^--(secure-port|bind-address)(=|$)/.test(arg))) return;
  const inUse = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(false)));
  });
  if (inUse) {
    throw new CliError(
      "ServerFailed",
      `port ${port} on 127.0.0.1 is in use`,
      "stop what serves it, or pick another with --port (0: any free port)",
    );
  }
}

export async function runCommand(options: RunOptions, reporter: Reporter): Promise<void> {
  const root = findProjectRoot(options.cwd ?? process.cwd());
  const args = serverCommandLine(root, options);
  if (options.dryRun) {
    reporter.info("would generate src/generated, compile with tsc, then start:");
    reporter.info(`  node ${args.map((arg) => relative(root, arg) || arg).join(" ")}`);
    if (options.watch) reporter.info("and restart it whenever a file under src/ changes");
    return;
  }
  await checkPortFree(options.port ?? 8443, options.serverArgs ?? []);
  await build(root, reporter, true);
  let exitedOnItsOwn: (code: number | null) => void = () => {};
  const serverExit = new Promise<number | null>((resolve) => {
    exitedOnItsOwn = resolve;
  });
  const server = new ServerProcess(root, args, reporter, (code) => {
    if (!options.watch) exitedOnItsOwn(code);
  });
  server.start();

  let watcher: TreeWatch | undefined;
  let pending: NodeJS.Timeout | undefined;
  let rebuilding: Promise<void> = Promise.resolve();
  const changed = new Set<string>();
  if (options.watch) {
    const src = join(root, "src");
    watcher = watchTree(src, (file) => {
      const path = `src/${file}`;
      if (path.startsWith(`${GENERATED_DIR}/`) || isTemporaryFile(path)) return;
      changed.add(path);
      clearTimeout(pending);
      pending = setTimeout(() => {
        const files = [...changed].sort();
        changed.clear();
        rebuilding = rebuilding.then(async () => {
          reporter.info(`reloading: ${files.join(", ")} changed`);
          if (!(await build(root, reporter, false))) return;
          await server.stop();
          server.start();
        });
      }, options.settleMs ?? 300);
    });
    reporter.info(`watching ${relative(process.cwd(), src) || "src"} for changes`);
  }

  let exitCode: number | null | undefined;
  await new Promise<void>((resolve) => {
    void serverExit.then((code) => {
      exitCode = code;
      stop();
    });
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      options.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    options.signal?.addEventListener("abort", stop);
    if (options.signal?.aborted) stop();
  });
  watcher?.close();
  clearTimeout(pending);
  await rebuilding;
  await server.stop();
  if (exitCode !== undefined && exitCode !== 0) {
    throw new CliError("ServerFailed", `the server stopped with exit code ${exitCode}`, "read its error above");
  }
}
