/**
 * Installs a project's dependencies from the apiserver-kit checkout: the workspace packages and
 * the tools (typescript, @types/node) are symlinked, as npm itself does for `file:` dependencies
 * outside the project. Nothing is downloaded and nothing is compiled (better-sqlite3 stays the
 * checkout's build); only what the checkout lacks is left to `npm install`.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { type Checkout, RUNTIME_PACKAGES, TOOL_PACKAGES } from "../checkout/checkout.js";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";

export interface LinkResult {
  /** Package names now linked. */
  linked: string[];
  /** Registry packages the checkout does not have. */
  missing: string[];
}

function link(target: string, path: string): void {
  try {
    if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === target) return;
    rmSync(path, { recursive: true, force: true });
  } catch {}
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, "dir");
}

/** A `node_modules/.bin` entry that runs a script with this node. */
function binScript(projectRoot: string, name: string, script: string): void {
  const path = join(projectRoot, "node_modules", ".bin", name);
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  writeFileSync(path, `#!/bin/sh\nexec node "$(dirname "$0")/../${script}" "$@"\n`);
  chmodSync(path, 0o755);
}

/** Links what the checkout has into `<projectRoot>/node_modules`. */
export function linkDependencies(projectRoot: string, checkout: Checkout): LinkResult {
  const modules = join(projectRoot, "node_modules");
  const linked: string[] = [];
  const missing: string[] = [];
  for (const name of [...RUNTIME_PACKAGES, "cli"]) {
    link(checkout.packageDir(name), join(modules, "@apiserver-kit", name));
    linked.push(`@apiserver-kit/${name}`);
  }
  for (const name of TOOL_PACKAGES) {
    const dir = checkout.toolDir(name);
    if (dir === undefined) {
      missing.push(name);
      continue;
    }
    link(realpathSync(dir), join(modules, name));
    linked.push(name);
  }
  binScript(projectRoot, "scaffold", "@apiserver-kit/cli/dist/bin.js");
  if (!missing.includes("typescript")) {
    binScript(projectRoot, "tsc", "typescript/bin/tsc");
  }
  return { linked, missing };
}

/** Links from the checkout, then lets npm fetch whatever the checkout lacked. */
export function installDependencies(projectRoot: string, checkout: Checkout, reporter: Reporter): LinkResult {
  const done = reporter.step(`linking dependencies from ${checkout.root}`);
  const result = linkDependencies(projectRoot, checkout);
  done();
  if (result.missing.length > 0) {
    const npmDone = reporter.step(`installing ${result.missing.join(", ")} with npm (the checkout has none)`);
    const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: projectRoot, stdio: "inherit" });
    npmDone();
    if (npm.status !== 0) {
      throw new CliError(
        "InstallFailed",
        `npm install failed in ${projectRoot}`,
        "check the network, or run `npx -y pnpm@9 install` in the apiserver-kit checkout so that its tools can be linked",
      );
    }
  }
  return result;
}
