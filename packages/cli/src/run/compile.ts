/** Compiles a generated project with its own TypeScript (linked from the checkout by `scaffold install`). */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../cli/errors.js";

export function tscPath(root: string): string {
  const path = join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(path)) {
    throw new CliError(
      "InstallFailed",
      `TypeScript is not installed in ${root}`,
      "run `scaffold install` (or npm install) in the project",
    );
  }
  return path;
}

/** Runs `tsc -p tsconfig.json`; resolves with its output and whether it succeeded. */
export function compileProject(root: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tscPath(root), "-p", "tsconfig.json", "--pretty", "false"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
}
