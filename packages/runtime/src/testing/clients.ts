/**
 * Real Kubernetes clients for end-to-end tests: the versioned kubectl binaries
 * (`kubectl.1.NN` beside the real kubectl) and the python `kubernetes` client of
 * Debian's python3-kubernetes. Each call gets its own cache directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs a program without a shell and collects its output (never throws on exit codes). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A child process whose output tests wait on. Stopped by pid with `stop()`. */
export class BackgroundProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(command: string, args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const notify = () => {
      for (const w of this.waiters) w();
    };
    this.child.stdout?.on("data", (c: Buffer) => {
      this.stdout += c.toString();
      notify();
    });
    this.child.stderr?.on("data", (c: Buffer) => {
      this.stderr += c.toString();
      notify();
    });
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        notify();
        resolve(code);
      }),
    );
  }

  /** Resolves once stdout matches; rejects with the output so far after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) {
          cleanup();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

let kubectlDir: string | undefined;

/** The folder holding kubectl.1.27 … kubectl.1.33: beside kubectl's real binary. */
export function kubectlDirectory(): string {
  if (kubectlDir) return kubectlDir;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "kubectl");
    if (existsSync(candidate)) {
      kubectlDir = dirname(realpathSync(candidate));
      return kubectlDir;
    }
  }
  throw new Error("kubectl is not on PATH: the end-to-end tests need kubectl 1.27–1.33 installed");
}

export function kubectlBinary(minor: number): string {
  return join(kubectlDirectory(), `kubectl.1.${minor}`);
}

export function hasKubectl(minor: number): boolean {
  try {
    return existsSync(kubectlBinary(minor));
  } catch {
    return false;
  }
}

/** A kubectl of one minor version bound to a kubeconfig, with its own discovery cache. */
export class Kubectl {
  readonly cacheDir: string;

  constructor(
    readonly minor: number,
    readonly kubeconfig: string,
  ) {
    this.cacheDir = mkdtempSync(join(tmpdir(), `kubectl-1.${minor}-cache-`));
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
    return run(kubectlBinary(this.minor), ["--kubeconfig", this.kubeconfig, "--cache-dir", this.cacheDir, ...args], {
      ...options,
      env: { HOME: this.cacheDir, KUBECTL_KUBERC: "false", ...options.env },
    });
  }

  /** Runs and fails with kubectl's output when it exits non-zero. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      throw new Error(
        `kubectl.1.${this.minor} ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      );
    }
    return result.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get -w`) whose output can be awaited line by line. */
  spawn(args: readonly string[]): BackgroundProcess {
    return new BackgroundProcess(
      kubectlBinary(this.minor),
      ["--kubeconfig", this.kubeconfig, "--cache-dir", this.cacheDir, ...args],
      {
        HOME: this.cacheDir,
        KUBECTL_KUBERC: "false",
      },
    );
  }

  dispose(): void {
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}

/** Debian's python with python3-kubernetes (not the pyenv python first on PATH). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export async function hasPythonKubernetes(): Promise<boolean> {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  const result = await run(SYSTEM_PYTHON, ["-c", "import kubernetes"]);
  return result.code === 0;
}

/** Runs a python script (text) with the system python; argv after the script. */
export function runPython(
  script: string,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return run(SYSTEM_PYTHON, ["-c", script, ...args], options);
}
