/** `scaffold install`: links the project's dependencies from an apiserver-kit checkout (again). */
import { openCheckout } from "../checkout/checkout.js";
import type { Reporter } from "../cli/reporter.js";
import { installDependencies, type LinkResult } from "../install/link.js";
import { findProjectRoot } from "../project/project-file.js";

export interface InstallOptions {
  cwd?: string;
  /** The checkout to link from; default the one this CLI runs from. */
  apiserverKit?: string;
}

export function installCommand(options: InstallOptions, reporter: Reporter): LinkResult {
  const root = findProjectRoot(options.cwd ?? process.cwd());
  const checkout = openCheckout(options.apiserverKit);
  const result = installDependencies(root, checkout, reporter);
  reporter.info(`linked ${result.linked.join(", ")}`);
  return result;
}
