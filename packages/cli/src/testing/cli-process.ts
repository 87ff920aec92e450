/** Test support: the scaffold bin as a child process in a given directory, stopped by its pid. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type ProcessResult, run } from "@apiserver-kit/runtime/testing";

export const CLI_BIN = fileURLToPath(new URL("../bin.js", import.meta.url));

/**
 * Runs a command (e.g. `npm test` in a generated project) without the test runner's
 * NODE_TEST_CONTEXT, so that a nested `node --test` reports to its own stdout.
 */
export function runOutsideTests(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 180_000,
): Promise<ProcessResult> {
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, "SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `scaffold <args>` in `cwd` to completion. */
export function scaffold(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<ProcessResult> {
  return run(process.execPath, [CLI_BIN, ...args], { cwd, timeoutMs });
}

/** A long-running `scaffold <args>` (run, run --watch) whose output tests wait on. */
export class CliProcess {
  readonly child: ChildProcess;
  output = "";
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  /** Why the process could not be started, if it could not. */
  spawnError: Error | undefined;

  /** `script` is another node program to run instead of the CLI (e.g. the checkout's demo), with `env`. */
  constructor(args: readonly string[], cwd: string, options: { script?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.child = spawn(process.execPath, [options.script ?? CLI_BIN, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env ? { env: options.env } : {}),
    });
    const append = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const waiter of this.waiters) waiter();
    };
    this.child.stdout?.on("data", append);
    this.child.stderr?.on("data", append);
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code) => {
        for (const waiter of this.waiters) waiter();
        resolve(code);
      });
      // A process that never started (a missing working directory): waiters fail now, not at their timeout.
      this.child.on("error", (error) => {
        this.spawnError = error;
        for (const waiter of this.waiters) waiter();
        resolve(null);
      });
    });
  }

  /** Resolves with the first match of `pattern` in the output after `from` (a length of `output`). */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.slice(from).match(pattern);
        if (match) {
          done();
          resolve(match);
        } else if (this.spawnError) {
          done();
          reject(new Error(`scaffold did not start: ${this.spawnError.message}`));
        } else if (this.child.exitCode !== null) {
          done();
          reject(new Error(`scaffold exited (${this.child.exitCode}) before ${pattern}:\n${this.output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${pattern}:\n${this.output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** SIGTERM by pid; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.pid !== undefined) process.kill(this.child.pid, "SIGTERM");
    return this.exited;
  }
}
