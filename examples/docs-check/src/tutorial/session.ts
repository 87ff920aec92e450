/**
 * A terminal session, as a reader of the tutorial has one: each step runs in bash where the
 * previous one left off (its directory and its exported variables), servers run in the
 * background until the session ends, and files are written and edited the way the page says.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Step } from "./markdown.js";

export interface SessionOptions {
  /** Where the first step starts (the checkout, as for a reader who just cloned it). */
  cwd: string;
  /** The environment (HOME, PATH...). */
  env: Record<string, string>;
  /** Where the session keeps its state between steps. */
  stateDir: string;
  /** Literal replacements in every command and path, e.g. a fixed port to a free one. */
  substitutions?: ReadonlyArray<[string, string]>;
  /** Longest a step may run, or a background command may take to say it is ready. Default 5 minutes. */
  stepTimeoutMs?: number;
}

export interface StepOutcome {
  code: number | null;
  output: string;
}

/** A step that did not do what the page says. */
export class StepFailedError extends Error {
  readonly reason = "StepFailed";
  constructor(
    readonly where: string,
    detail: string,
    readonly output: string,
  ) {
    super(`${where}: ${detail}\n--- output ---\n${output.slice(-4000)}`);
  }
}

interface Background {
  where: string;
  child: ChildProcess;
  output: string;
  /** Output length when the last step started: a checkpoint waits for text after it. */
  mark: number;
}

/** Signals the process group a detached child leads (the child's pid), if it is still there. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** The pause between tries of a retried step. */
const RETRY_MS = 2000;
/** How long a background command must stay quiet after a checkpoint's text. */
const QUIET_MS = 3000;

// Variables of the shell itself, not of the reader's session.
const SHELL_OWN = new Set(["PWD", "OLDPWD", "SHLVL", "_"]);

export class TutorialSession {
  private cwd: string;
  private readonly backgrounds: Background[] = [];
  private readonly timeoutMs: number;

  constructor(private readonly options: SessionOptions) {
    this.cwd = options.cwd;
    this.timeoutMs = options.stepTimeoutMs ?? 5 * 60_000;
    writeFileSync(this.envFile, "");
  }

  private get envFile(): string {
    return join(this.options.stateDir, "env.sh");
  }

  private substitute(text: string): string {
    let out = text;
    for (const [from, to] of this.options.substitutions ?? []) out = out.split(from).join(to);
    return out;
  }

  /** bash: restore the session, run the step's code, save the session (even when the code fails). */
  private script(code: string, saveState: boolean): string {
    const pwdFile = join(this.options.stateDir, "pwd");
    const save = saveState
      ? `trap 'pwd > ${JSON.stringify(pwdFile)}; export -p | grep -Ev "^declare -x (${[...SHELL_OWN].join("|")})(=|$)" > ${JSON.stringify(this.envFile)}' EXIT\n`
      : "";
    return `set -o pipefail\ncd ${JSON.stringify(this.cwd)}\nsource ${JSON.stringify(this.envFile)}\n${save}${this.substitute(code)}`;
  }

  private restoreCwd(): void {
    const pwdFile = join(this.options.stateDir, "pwd");
    if (existsSync(pwdFile)) this.cwd = readFileSync(pwdFile, "utf8").trim() || this.cwd;
  }

  private markBackgrounds(): void {
    for (const background of this.backgrounds) background.mark = background.output.length;
  }

  /** Runs one step as the page says. Throws StepFailedError when it doesn't behave. */
  async run(step: Step): Promise<StepOutcome | undefined> {
    switch (step.kind) {
      case "skip":
        return undefined;
      case "write":
      case "insert":
        this.markBackgrounds();
        this.edit(step);
        return undefined;
      case "await":
        await this.awaitText(step);
        return undefined;
      case "background":
        this.markBackgrounds();
        await this.start(step);
        return undefined;
      case "run":
      case "fails": {
        this.markBackgrounds();
        const deadline = Date.now() + this.timeoutMs;
        for (;;) {
          const outcome = await this.exec(step);
          const problem = this.problemWith(step, outcome);
          if (!problem) return outcome;
          if (!step.retry || Date.now() > deadline) throw new StepFailedError(step.where, problem, outcome.output);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    }
  }

  /** What is wrong with a run step's outcome, or undefined when it did what the page says. */
  private problemWith(step: Step, outcome: StepOutcome): string | undefined {
    const failed = outcome.code !== 0;
    if (step.kind === "run" && failed) return `exited with code ${outcome.code}`;
    if (step.kind === "fails" && !failed) return "should fail but exited 0";
    if (step.text !== undefined && !outcome.output.includes(this.substitute(step.text))) {
      return `the output lacks ${JSON.stringify(step.text)}`;
    }
    return undefined;
  }

  private exec(step: Step): Promise<StepOutcome> {
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-c", this.script(step.code, true)], {
        env: this.options.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      const timer = setTimeout(() => {
        killGroup(child, "SIGKILL");
        reject(new StepFailedError(step.where, `still running after ${this.timeoutMs} ms`, output));
      }, this.timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        this.restoreCwd();
        resolve({ code, output });
      });
    });
  }

  private async start(step: Step): Promise<void> {
    const child = spawn("bash", ["-c", this.script(step.code, false)], {
      env: this.options.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: stopping it stops what it started (npx, tsc, the server).
      detached: true,
    });
    const background: Background = { where: step.where, child, output: "", mark: 0 };
    const started = Date.now();
    let lineStart = true;
    // Each line gets the seconds since start: a failure report shows what happened when.
    const append = (chunk: Buffer) => {
      const stamp = `[${((Date.now() - started) / 1000).toFixed(1)}s] `;
      for (const piece of chunk.toString().split(/(?<=\n)/)) {
        background.output += (lineStart ? stamp : "") + piece;
        lineStart = piece.endsWith("\n");
      }
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    this.backgrounds.push(background);
    await this.waitFor(background, step.text ?? "", step.where, 0);
  }

  private async awaitText(step: Step): Promise<void> {
    const background = this.backgrounds.at(-1);
    if (!background) throw new StepFailedError(step.where, "nothing runs in the background to wait for", "");
    await this.waitFor(background, step.text ?? "", step.where, background.mark);
    // Several changes may queue several restarts: wait until the output has been quiet a while.
    for (let length = -1; length !== background.output.length; ) {
      length = background.output.length;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    }
  }

  private async waitFor(background: Background, text: string, where: string, from: number): Promise<void> {
    const wanted = this.substitute(text);
    const deadline = Date.now() + this.timeoutMs;
    while (!background.output.slice(from).includes(wanted)) {
      if (background.child.exitCode !== null || background.child.signalCode !== null) {
        throw new StepFailedError(where, `ended before printing ${JSON.stringify(wanted)}`, background.output);
      }
      if (Date.now() > deadline) {
        throw new StepFailedError(where, `did not print ${JSON.stringify(wanted)} in time`, background.output);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private edit(step: Step): void {
    const path = this.substitute(step.path ?? "");
    const file = isAbsolute(path) ? path : join(this.cwd, path);
    if (step.kind === "write") {
      writeFileSync(file, this.substitute(step.code));
      return;
    }
    const lines = readFileSync(file, "utf8").split("\n");
    const at = lines.findIndex((line) => line.includes(step.after ?? ""));
    if (at < 0) throw new StepFailedError(step.where, `${path} has no line with ${JSON.stringify(step.after)}`, "");
    lines.splice(at + 1, 0, ...step.code.replace(/\n$/, "").split("\n"));
    writeFileSync(file, lines.join("\n"));
  }

  /** The output of the background commands so far, for a failure report. */
  backgroundOutput(): string {
    return this.backgrounds.map((b) => `--- ${b.where} ---\n${b.output.slice(-4000)}`).join("\n");
  }

  /** Stops the background commands (their whole process groups), last started first. */
  async close(): Promise<void> {
    for (const background of [...this.backgrounds].reverse()) {
      const { child } = background;
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once("close", resolve));
      killGroup(child, "SIGTERM");
      const killed = setTimeout(() => killGroup(child, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(killed);
    }
    this.backgrounds.length = 0;
  }
}
