/**
 * The apiserver-kit checkout a project's packages come from. The packages are not published, so
 * a generated project links them from a checkout on disk: by default the one this CLI runs from.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../cli/errors.js";

/**
 * The workspace packages a generated project depends on at run time; storage for kinds that bring
 * their own (computed or external data, docs/guides/custom-storage.md), cel for rules checked in
 * the project's own code (docs/guides/cel-validation.md).
 */
export const RUNTIME_PACKAGES = ["runtime", "controller", "storage", "cel"] as const;
/** Tools a project needs to build and run, taken from the checkout's node_modules when present. */
export const TOOL_PACKAGES = ["typescript", "@types/node"] as const;

export interface Checkout {
  /** Absolute path of the checkout's root. */
  root: string;
  /** `packages/<name>` for a workspace package. */
  packageDir(name: string): string;
  /** A package from the checkout's root node_modules, if installed there. */
  toolDir(name: string): string | undefined;
  /** The version field of a package.json at `dir`. */
  versionOf(dir: string): string;
}

/** The checkout holding this CLI: packages/cli/dist/checkout → the root is four levels up. */
export function ownCheckoutRoot(): string {
  return resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
}

export function openCheckout(root: string = ownCheckoutRoot()): Checkout {
  const absolute = resolve(root);
  for (const name of [...RUNTIME_PACKAGES, "cli"]) {
    const manifest = join(absolute, "packages", name, "package.json");
    if (!existsSync(manifest)) {
      throw new CliError(
        "CheckoutNotFound",
        `${absolute} is not an apiserver-kit checkout: ${manifest} is missing`,
        "point --apiserver-kit at the root of a clone of apiserver-kit",
      );
    }
    if (!existsSync(join(absolute, "packages", name, "dist"))) {
      throw new CliError(
        "CheckoutNotFound",
        `the apiserver-kit checkout at ${absolute} is not built (packages/${name}/dist is missing)`,
        `run \`npx tsc -b packages/cli\` in ${absolute} (npm run demo does it too)`,
      );
    }
  }
  return {
    root: absolute,
    packageDir: (name) => join(absolute, "packages", name),
    toolDir(name) {
      const dir = join(absolute, "node_modules", name);
      return existsSync(join(dir, "package.json")) ? dir : undefined;
    },
    versionOf(dir) {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string };
      return manifest.version ?? "0.0.0";
    },
  };
}
