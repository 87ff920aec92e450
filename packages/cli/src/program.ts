/**
 * The `scaffold` command line: one commander command per verb, each flag with a description and
 * an example in `--help`, --dry-run everywhere, errors that say what to do, and no prompts.
 */

import { Command, CommanderError } from "commander";
import { CliError, fromSystemError } from "./cli/errors.js";
import { option, withExamples } from "./cli/help.js";
import { type Reporter, streamReporter } from "./cli/reporter.js";
import type { CustomSubresourceType } from "./commands/add-subresource.js";
import type { RunStorage } from "./run/dev-server.js";

// Commands are loaded when they run: `scaffold generate` should not pay for loading the server
// runtime, the template engine or the manifest writer.

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const list = (value: string) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

function port(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 65535)
    throw new CliError("InvalidArgument", `--port ${text} is not a port`, "0 to 65535 (0: any free port)", 2);
  return value;
}

/** `add resource` for a sub-command, `generate` for a command. */
const commandPath = (command: Command): string =>
  command.parent?.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();

const dryRun = (command: Command) =>
  option(
    command,
    "--dry-run",
    "Print what would change and write nothing.",
    `scaffold ${commandPath(command)} --dry-run`,
  );

export interface ProgramContext {
  reporter?: Reporter;
  cwd?: string;
}

export function createProgram(context: ProgramContext = {}): Command {
  const reporter = context.reporter ?? streamReporter();
  const cwd = () => context.cwd ?? process.cwd();
  const program = withExamples(new Command("scaffold"))
    .description(
      "Scaffolds, generates, runs, deploys and checks Kubernetes extension API servers (aggregated APIs) written in TypeScript with apiserver-kit.",
    )
    .version("0.1.0", "-V, --version", "Prints the version of scaffold.")
    // Program options only before a command: `new-api --version v1beta1` is the command's flag.
    .enablePositionalOptions()
    .helpOption("-h, --help", "Shows help for a command.")
    .helpCommand("help [command]", "Shows help for a command.")
    .showHelpAfterError("(run with --help for the flags and an example of each)")
    .exitOverride();

  const newApiCommand = withExamples(program.command("new-api"))
    .argument("<dir>", "the directory of the new project (created; must be empty)")
    .description("Creates a complete project: types, server, controllers, generated code, tests, deploy manifests.");
  option(
    newApiCommand,
    "--group <group>",
    "The API group, a DNS name you own (required).",
    "--group widgets.example.com",
    { mandatory: true },
  );
  option(newApiCommand, "--version <version>", "The first version of the group.", "--version v1beta1", {
    default: "v1alpha1",
  });
  option(
    newApiCommand,
    "--kind <Kind[:Scope]>",
    "A kind to create; repeat for several; `:Cluster` or `:Namespaced` gives one kind its own scope. Default: one kind named after the group.",
    "--kind Widget --kind Gadget:Cluster",
    { parse: collect },
  );
  option(
    newApiCommand,
    "--scope <scope>",
    "The scope of kinds without their own: Namespaced or Cluster.",
    "--scope Cluster",
    { default: "Namespaced" },
  );
  option(
    newApiCommand,
    "--apiserver-kit <dir>",
    "The apiserver-kit checkout whose packages the project links. Default: the checkout this scaffold runs from.",
    "--apiserver-kit ~/src/apiserver-kit",
  );
  option(
    newApiCommand,
    "--no-install",
    "Do not link or install dependencies (run `scaffold install` later).",
    "scaffold new-api my-api --group a.example.com --no-install",
  );
  option(
    newApiCommand,
    "--force",
    "Write into a non-empty directory and overwrite files scaffold made before.",
    "scaffold new-api . --group a.example.com --force",
  );
  dryRun(newApiCommand);
  newApiCommand.action(async (dir: string, flags: Record<string, unknown>) => {
    const { newApi } = await import("./commands/new-api.js");
    newApi(
      {
        dir: resolveFrom(cwd(), dir),
        group: String(flags.group),
        version: String(flags.version),
        kinds: (flags.kind as string[] | undefined) ?? [],
        scope: String(flags.scope),
        ...(flags.apiserverKit ? { apiserverKit: String(flags.apiserverKit) } : {}),
        install: flags.install !== false,
        dryRun: flags.dryRun === true,
        force: flags.force === true,
      },
      reporter,
    );
  });

  const add = withExamples(program.command("add")).description(
    "Adds a resource, a version or a subresource to the project.",
  );
  const addResourceCommand = withExamples(add.command("resource")).description(
    "Adds a kind: its type file, its controller, its registration; then generates.",
  );
  option(addResourceCommand, "--kind <Kind>", "The kind, UpperCamelCase (required).", "--kind Gizmo", {
    mandatory: true,
  });
  option(
    addResourceCommand,
    "--version <version>",
    "The version to declare it in. Default: the project's first version.",
    "--version v1",
  );
  option(addResourceCommand, "--scope <scope>", "Namespaced or Cluster.", "--scope Cluster", { default: "Namespaced" });
  option(
    addResourceCommand,
    "--plural <plural>",
    "The resource name in URLs. Default: the kind in plural.",
    "--plural gizmoes",
  );
  option(
    addResourceCommand,
    "--short-names <names>",
    "Short names for kubectl, comma-separated.",
    "--short-names gz,gzm",
    { parse: list },
  );
  option(
    addResourceCommand,
    "--force",
    "Overwrite the kind's files if scaffold made them before.",
    "scaffold add resource --kind Gizmo --force",
  );
  dryRun(addResourceCommand);
  addResourceCommand.action(async (flags: Record<string, unknown>) => {
    const { addResource } = await import("./commands/add-resource.js");
    addResource(
      {
        cwd: cwd(),
        kind: String(flags.kind),
        ...(flags.version ? { version: String(flags.version) } : {}),
        scope: String(flags.scope),
        ...(flags.plural ? { plural: String(flags.plural) } : {}),
        ...(flags.shortNames ? { shortNames: flags.shortNames as string[] } : {}),
        dryRun: flags.dryRun === true,
        force: flags.force === true,
      },
      reporter,
    );
  });

  const addVersionCommand = withExamples(add.command("version"))
    .argument("<version>", "the new version, e.g. v1beta1")
    .description(
      "Adds a version: copies the kinds of another version, keeps the storage version, creates conversion stubs.",
    );
  option(
    addVersionCommand,
    "--from <version>",
    "The version to copy. Default: the highest-priority version of the kinds copied.",
    "--from v1alpha1",
  );
  option(
    addVersionCommand,
    "--kind <Kind>",
    "Only this kind; repeat for several. Default: every kind of --from.",
    "--kind Widget",
    { parse: collect },
  );
  option(
    addVersionCommand,
    "--storage",
    "Make the new version the storage version (kinds with one version only).",
    "scaffold add version v1 --storage",
  );
  dryRun(addVersionCommand);
  addVersionCommand.action(async (version: string, flags: Record<string, unknown>) => {
    const { addVersion } = await import("./commands/add-version.js");
    addVersion(
      {
        cwd: cwd(),
        version,
        ...(flags.from ? { from: String(flags.from) } : {}),
        ...(flags.kind ? { kinds: flags.kind as string[] } : {}),
        storage: flags.storage === true,
        dryRun: flags.dryRun === true,
      },
      reporter,
    );
  });

  const addSubresourceCommand = withExamples(add.command("subresource"))
    .argument("<name>", "status, scale, or a custom subresource's name such as approve")
    .description(
      "Adds status or scale (markers and fields), or a custom subresource: a handler skeleton and the interface of its body or query options in src/apis.",
    );
  option(addSubresourceCommand, "--kind <Kind>", "The kind (required).", "--kind Widget", { mandatory: true });
  option(
    addSubresourceCommand,
    "--type <type>",
    "For a custom subresource: action (POST), read (GET) or stream (GET, chunked).",
    "--type stream",
    { default: "action" },
  );
  option(
    addSubresourceCommand,
    "--version <version>",
    "For status and scale: only this version's type file. Default: every version.",
    "--version v1alpha1",
  );
  dryRun(addSubresourceCommand);
  addSubresourceCommand.action(async (name: string, flags: Record<string, unknown>) => {
    const { addSubresource } = await import("./commands/add-subresource.js");
    addSubresource(
      {
        cwd: cwd(),
        kind: String(flags.kind),
        name,
        ...(addSubresourceCommand.getOptionValueSource("type") === "cli"
          ? { type: String(flags.type) as CustomSubresourceType }
          : {}),
        ...(flags.version ? { version: String(flags.version) } : {}),
        dryRun: flags.dryRun === true,
      },
      reporter,
    );
  });

  const generateCmd = withExamples(program.command("generate")).description(
    "Re-creates src/generated (definitions, registrations, resource types) and PROJECT from src/apis.",
  );
  option(
    generateCmd,
    "--check",
    "Write nothing; exit 1 when a generated file is out of date (for CI).",
    "scaffold generate --check",
  );
  dryRun(generateCmd);
  generateCmd.action(async (flags: Record<string, unknown>) => {
    const { generateCommand } = await import("./commands/generate.js");
    generateCommand({ cwd: cwd(), check: flags.check === true, dryRun: flags.dryRun === true }, reporter);
  });

  const runCmd = withExamples(program.command("run"))
    .argument("[server-flags...]", "more server flags after --, e.g. -- --etcd-servers=http://127.0.0.1:2379")
    .description("Generates, compiles and runs the server with its controllers locally (TLS, a kubeconfig in .data/).");
  option(
    runCmd,
    "--storage <backend>",
    "sqlite (kept in .data/), memory, or etcd (add -- --etcd-servers=...).",
    "--storage memory",
    { default: "sqlite" },
  );
  option(runCmd, "--port <port>", "The HTTPS port on 127.0.0.1; 0 picks a free one.", "--port 9443", {
    default: 8443,
    parse: port,
  });
  option(
    runCmd,
    "--watch",
    "Regenerate, recompile and restart when a file under src/ changes.",
    "scaffold run --watch",
  );
  dryRun(runCmd);
  runCmd.action(async (serverFlags: string[], flags: Record<string, unknown>) => {
    const storage = String(flags.storage);
    if (!["sqlite", "memory", "etcd"].includes(storage)) {
      throw new CliError(
        "InvalidArgument",
        `--storage ${storage} is not sqlite, memory or etcd`,
        "pick one of them",
        2,
      );
    }
    const { runCommand } = await import("./run/dev-server.js");
    await runCommand(
      {
        cwd: cwd(),
        storage: storage as RunStorage,
        port: flags.port as number,
        watch: flags.watch === true,
        serverArgs: serverFlags,
        dryRun: flags.dryRun === true,
      },
      reporter,
    );
  });

  const manifestsCmd = withExamples(program.command("manifests")).description(
    "Writes deploy/: APIServices with caBundle, Service, Deployment, ServiceAccount, RBAC, serving certificate; and a Dockerfile.",
  );
  option(
    manifestsCmd,
    "--image <image>",
    "The server's container image. Default: the last one, or <name>:0.1.0.",
    "--image ghcr.io/acme/widgets:1.0.0",
  );
  option(
    manifestsCmd,
    "--namespace <namespace>",
    "Where the server runs. Default: the last one, or the project's name.",
    "--namespace widgets-system",
  );
  option(
    manifestsCmd,
    "--cert-manager",
    "Let cert-manager issue the serving certificate and inject the caBundle.",
    "scaffold manifests --cert-manager",
  );
  option(
    manifestsCmd,
    "--etcd",
    "Store in an etcd StatefulSet (two server replicas) instead of SQLite on a volume.",
    "scaffold manifests --etcd",
  );
  dryRun(manifestsCmd);
  manifestsCmd.action(async (flags: Record<string, unknown>) => {
    const { manifestsCommand } = await import("./commands/manifests.js");
    manifestsCommand(
      {
        cwd: cwd(),
        ...(flags.image ? { image: String(flags.image) } : {}),
        ...(flags.namespace ? { namespace: String(flags.namespace) } : {}),
        ...(flags.certManager ? { certManager: true } : {}),
        ...(flags.etcd ? { etcd: true } : {}),
        dryRun: flags.dryRun === true,
      },
      reporter,
    );
  });

  const docsCmd = withExamples(program.command("docs")).description(
    "Writes API reference pages per group-version, with every field's description, type and constraints.",
  );
  option(docsCmd, "--out <dir>", "Where the pages go, relative to the project.", "--out site/reference", {
    default: "docs/api",
  });
  dryRun(docsCmd);
  docsCmd.action(async (flags: Record<string, unknown>) => {
    const { docsCommand } = await import("./commands/docs.js");
    docsCommand({ cwd: cwd(), out: String(flags.out), dryRun: flags.dryRun === true }, reporter);
  });

  const doctorCmd = withExamples(program.command("doctor")).description(
    "Checks a running server as kube-aggregator will: discovery within 5 s, OpenAPI, the serving certificate's names, chain and expiry.",
  );
  option(
    doctorCmd,
    "--server <url>",
    "The server to check. Default: the kubeconfig's server.",
    "--server https://127.0.0.1:8443",
  );
  option(
    doctorCmd,
    "--kubeconfig <file>",
    "Credentials and CA. Default: the project's .data/kubeconfig.",
    "--kubeconfig ~/.kube/widgets",
  );
  option(
    doctorCmd,
    "--ca-file <file>",
    "The CA that must verify the serving certificate (the APIService's caBundle).",
    "--ca-file deploy/.pki/ca.crt",
  );
  option(
    doctorCmd,
    "--service <dns-name>",
    "The name the aggregator dials. Default: the server URL's host.",
    "--service widgets.widgets.svc",
  );
  option(doctorCmd, "--discovery-timeout <duration>", "The aggregator's discovery limit.", "--discovery-timeout 5s", {
    default: "5s",
  });
  option(
    doctorCmd,
    "--expiry-margin <duration>",
    "A certificate expiring sooner is a problem.",
    "--expiry-margin 168h",
    {
      default: "720h",
    },
  );
  option(doctorCmd, "--dry-run", "Print what would be checked and connect to nothing.", "scaffold doctor --dry-run");
  doctorCmd.action(async (flags: Record<string, unknown>) => {
    const { parseDuration } = await import("@apiserver-kit/runtime");
    const duration = (flag: string, text: unknown) => {
      const ms = parseDuration(String(text));
      if (ms === undefined || ms <= 0) {
        throw new CliError("InvalidArgument", `${flag} ${String(text)} is not a duration`, "e.g. 5s, 500ms or 720h", 2);
      }
      return ms;
    };
    const options = {
      cwd: cwd(),
      ...(flags.server ? { server: String(flags.server) } : {}),
      ...(flags.kubeconfig ? { kubeconfig: String(flags.kubeconfig) } : {}),
      ...(flags.caFile ? { caFile: String(flags.caFile) } : {}),
      ...(flags.service ? { service: String(flags.service) } : {}),
      settings: {
        discoveryTimeoutMs: duration("--discovery-timeout", flags.discoveryTimeout),
        expiryMarginMs: duration("--expiry-margin", flags.expiryMargin),
      },
    };
    if (flags.dryRun) {
      const { doctorTarget } = await import("./commands/doctor.js");
      const target = doctorTarget(options);
      reporter.info(
        `would check ${target.server}: discovery of ${target.groupVersions?.join(", ") ?? "every group-version in /apis"}, OpenAPI v3, and the serving certificate for ${target.serviceName ?? new URL(target.server).hostname}`,
      );
      return;
    }
    const { doctorCommand } = await import("./commands/doctor.js");
    await doctorCommand(options, reporter);
  });

  const installCmd = withExamples(program.command("install")).description(
    "Links the project's dependencies from an apiserver-kit checkout (npm fetches only what the checkout lacks).",
  );
  option(
    installCmd,
    "--apiserver-kit <dir>",
    "The checkout to link from. Default: the one this scaffold runs from.",
    "--apiserver-kit /opt/apiserver-kit",
  );
  option(installCmd, "--dry-run", "Print what would be linked.", "scaffold install --dry-run");
  installCmd.action(async (flags: Record<string, unknown>) => {
    const { installCommand } = await import("./commands/install.js");
    if (flags.dryRun) {
      reporter.info(
        "would link @apiserver-kit/runtime, @apiserver-kit/controller, @apiserver-kit/cli, typescript and @types/node into node_modules",
      );
      return;
    }
    installCommand(
      { cwd: cwd(), ...(flags.apiserverKit ? { apiserverKit: String(flags.apiserverKit) } : {}) },
      reporter,
    );
  });

  for (const command of [program, add, ...program.commands, ...add.commands]) command.exitOverride();
  return program;
}

function resolveFrom(cwd: string, path: string): string {
  return path.startsWith("/") ? path : `${cwd.replace(/\/$/, "")}/${path}`;
}

export interface MainIO {
  err?: (text: string) => void;
  reporter?: Reporter;
  cwd?: string;
}

/** Runs the command line; resolves with the exit code (0, 1 for failures, 2 for usage errors). */
export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const err = io.err ?? ((text: string) => process.stderr.write(text));
  const program = createProgram({
    ...(io.reporter ? { reporter: io.reporter } : {}),
    ...(io.cwd ? { cwd: io.cwd } : {}),
  });
  program.configureOutput({ writeErr: err });
  for (const command of program.commands) command.configureOutput({ writeErr: err });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      )
        return 0;
      return 2;
    }
    const failure = error instanceof CliError ? error : fromSystemError(error);
    if (failure) {
      err(`error: ${failure.message}\n`);
      if (failure.fix) err(`  fix: ${failure.fix}\n`);
      return failure.exitCode;
    }
    throw error;
  }
}
