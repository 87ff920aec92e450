import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Command } from "commander";
import { ownCheckoutRoot } from "./checkout/checkout.js";
import { fromSystemError } from "./cli/errors.js";
import { memoryReporter } from "./cli/reporter.js";
import { createProgram, main } from "./program.js";
import { runSteps } from "./testing/steps.js";

/** Every command of the program, sub-commands included. */
function commands(program: Command): Command[] {
  return program.commands.flatMap((command) => [command, ...commands(command)]);
}

function treeOf(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else out.push(join(dir, entry.name));
    }
  };
  walk(root);
  return out.sort();
}

async function run(argv: string[], cwd?: string) {
  const reporter = memoryReporter();
  let err = "";
  const code = await main(argv, {
    reporter,
    ...(cwd ? { cwd } : {}),
    err: (text) => {
      err += text;
    },
  });
  return { code, out: reporter.lines.join("\n"), err };
}

describe("the scaffold command line", () => {
  let parent: string;
  let project: string;
  before(() => {
    parent = mkdtempSync(join(tmpdir(), "program-"));
    project = join(parent, "widgets");
    runSteps([["new-api", { group: "widgets.example.com", kinds: ["Widget"] }]], project);
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  it("gives every command a description and every flag a description and an example", () => {
    const program = createProgram({ reporter: memoryReporter() });
    const all = commands(program);
    assert.deepEqual(all.map((command) => command.name()).sort(), [
      "add",
      "docs",
      "doctor",
      "generate",
      "install",
      "manifests",
      "new-api",
      "resource",
      "run",
      "subresource",
      "version",
    ]);
    for (const command of all) {
      assert.ok(command.description().length > 20, `${command.name()} has a description`);
      const lines = command.helpInformation().split("\n");
      for (const option of command.options) {
        const at = lines.findIndex((line) => line.trimStart().startsWith(option.flags));
        assert.ok(at >= 0, `${command.name()} ${option.long} in help`);
        const end = lines.findIndex((line, index) => index > at && /^ {2}-/.test(line));
        const section = lines.slice(at, end < 0 ? undefined : end).join("\n");
        assert.match(section, /Example: \S/, `${command.name()} ${option.long} has an example`);
      }
    }
  });

  it("is documented in docs/reference/cli.md, every command and flag", () => {
    const page = readFileSync(join(ownCheckoutRoot(), "docs/reference/cli.md"), "utf8");
    const program = createProgram({ reporter: memoryReporter() });
    for (const command of commands(program)) {
      if (command.commands.length > 0) continue;
      const path = command.parent?.parent ? `${command.parent.name()} ${command.name()}` : command.name();
      const heading = page.indexOf(`## \`scaffold ${path}`);
      assert.ok(heading >= 0, `a section for scaffold ${path}`);
      const section = page.slice(heading, page.indexOf("\n## ", heading + 1) >>> 0);
      for (const option of command.options) {
        if (option.long === "--help") continue;
        assert.ok(section.includes(`\`${option.flags.replace(/^--no-/, "--no-")}`), `scaffold ${path} ${option.flags}`);
      }
    }
  });

  it("prints help and exits 0", async () => {
    const { code } = await run(["new-api", "--help"]);
    assert.equal(code, 0);
    const program = createProgram({ reporter: memoryReporter() });
    for (const command of [program, program.commands.find((c) => c.name() === "add") as Command]) {
      assert.match(command.helpInformation(), /help \[command\] +Shows help for a command\./);
    }
  });

  it("exits 2 on usage errors and 1 with a fix on failures", async () => {
    assert.equal((await run(["new-api", "x"])).code, 2, "--group is required");
    assert.equal((await run(["generate", "--bogus"])).code, 2);
    const outside = await run(["generate"], tmpdir());
    assert.equal(outside.code, 1);
    assert.match(
      outside.err,
      /^error: no PROJECT file in .* this is not a scaffold project\n {2}fix: run the command inside a project/,
    );
    const badGroup = await run(["new-api", join(parent, "bad"), "--group", "Widgets"]);
    assert.equal(badGroup.code, 1);
    assert.match(badGroup.err, /--group Widgets is not an API group name\n {2}fix: use a lower-case DNS name/);
  });

  it("names a path it cannot write, without a stack trace", async () => {
    const file = join(parent, "a-file");
    writeFileSync(file, "not a directory\n");
    const intoFile = await run(["new-api", file, "--group", "widgets.example.com", "--no-install"]);
    assert.equal(intoFile.code, 1);
    assert.match(intoFile.err, /^error: .*a-file is a file, not a directory\n {2}fix: /);
    const belowFile = await run(["new-api", join(file, "p"), "--group", "widgets.example.com", "--no-install"]);
    assert.equal(belowFile.code, 1);
    assert.match(
      belowFile.err,
      /^error: cannot create the directory .*a-file\/p: .*a-file is a file; no file was changed\n {2}fix: /,
    );
    assert.doesNotMatch(belowFile.err, /\n {4}at /);
    const odd = await run(["new-api", join(parent, "My Proj_X"), "--group", "widgets.example.com", "--no-install"]);
    assert.equal(odd.code, 0, odd.err);
    assert.match(readFileSync(join(parent, "My Proj_X", "PROJECT"), "utf8"), /^name: my-proj-x$/m);
    const denied = Object.assign(new Error("EACCES: permission denied, mkdir '/srv/p'"), {
      code: "EACCES",
      syscall: "mkdir",
      path: "/srv/p",
    });
    assert.equal(fromSystemError(denied)?.message, "cannot create the directory /srv/p: permission denied (EACCES)");
    assert.equal(fromSystemError(new Error("a bug")), undefined);
  });

  it("leaves the project as it was when a write fails midway, and says so", async () => {
    const blocker = join(project, "src/conversion");
    writeFileSync(blocker, "a file where scaffold makes a folder\n");
    const contents = () => treeOf(project).map((path) => `${path}\n${readFileSync(path, "utf8")}`);
    const before = contents();
    try {
      // PROJECT and the new version's type file come before src/conversion/widget-v1beta1.ts.
      const failed = await run(["add", "version", "v1beta1"], project);
      assert.equal(failed.code, 1);
      assert.match(
        failed.err,
        /^error: cannot create the directory .*src\/conversion: .*src\/conversion is a file; no file was changed\n {2}fix: /,
      );
      assert.doesNotMatch(failed.err, /\n {4}at /);
      assert.deepEqual(contents(), before);
    } finally {
      rmSync(blocker);
    }
  });

  it("refuses to generate while files you own use a kind or version removed from src/apis, naming each use", async () => {
    const dir = join(parent, "removed");
    runSteps(
      [
        ["new-api", { group: "removed.example.com", kinds: ["Widget", "Gadget"] }],
        ["add version", { version: "v1", kinds: ["Gadget"] }],
      ],
      dir,
    );
    const file = (path: string) => join(dir, path);
    const resources = readFileSync(file("src/resources.ts"), "utf8");
    writeFileSync(
      file("src/resources.ts"),
      resources.replace("withHooks({\n", "withHooks({\n  Gadget: { strategy: { validate: () => [] } },\n"),
    );
    const contents = () => treeOf(dir).map((path) => `${path}\n${readFileSync(path, "utf8")}`);
    /** The uses an error lists, each checked against the line it names: [file, what]. */
    const usesIn = (err: string) =>
      [...err.matchAll(/^ {2}(\S+):(\d+):(\d+) - (.*)$/gm)].map(([, path, line, column, what]) => {
        const text = readFileSync(file(path as string), "utf8").split("\n")[Number(line) - 1] ?? "";
        const at = text.slice(Number(column) - 1);
        assert.match(at, what?.startsWith("imports") ? /^import / : /^Gadget: /, `${path}:${line}:${column}`);
        return [path, what];
      });

    rmSync(file("src/apis/removed/v1/gadget.ts"));
    const version = await run(["generate"], dir);
    assert.equal(version.code, 1);
    assert.match(
      version.err,
      /^error: src\/apis no longer declares Gadget in v1, but 2 file\(s\) you own still use it:\n/,
    );
    assert.deepEqual(usesIn(version.err), [
      [
        "src/conversion/gadget-v1.test.ts",
        "imports src/conversion/gadget-v1.ts: drop this import too if you delete that file",
      ],
      ["src/conversion/gadget-v1.ts", "imports Gadget from src/apis/removed/v1/gadget.ts, which no longer exists"],
    ]);

    rmSync(file("src/apis/removed/v1alpha1/gadget.ts"));
    const before = contents();
    const kind = await run(["generate"], dir);
    assert.equal(kind.code, 1);
    assert.match(kind.err, /^error: src\/apis no longer declares Gadget, but 6 file\(s\) you own still use it:\n/);
    assert.deepEqual(usesIn(kind.err), [
      ["src/controllers/gadget.ts", "imports Gadget from src/apis/removed/v1alpha1/gadget.ts, which no longer exists"],
      ["src/controllers/gadget.ts", "imports gadgetType from src/generated/kinds.ts, which will no longer export it"],
      ["src/controllers/index.ts", "imports src/controllers/gadget.ts: drop this import too if you delete that file"],
      [
        "src/conversion/gadget-v1.test.ts",
        "imports src/conversion/gadget-v1.ts: drop this import too if you delete that file",
      ],
      [
        "src/conversion/gadget-v1.ts",
        "imports Gadget from src/apis/removed/v1alpha1/gadget.ts, which no longer exists",
      ],
      ["src/conversion/gadget-v1.ts", "imports Gadget from src/apis/removed/v1/gadget.ts, which no longer exists"],
      ["src/resources.ts", "gives withHooks hooks for Gadget, which will no longer be a kind"],
      ["src/server.test.ts", "imports Gadget from src/apis/removed/v1alpha1/gadget.ts, which no longer exists"],
      ["src/server.test.ts", "imports gadgetType from src/generated/kinds.ts, which will no longer export it"],
    ]);
    assert.match(
      kind.err,
      /\n {2}fix: scaffold does not delete or rewrite your files: .*src\/controllers\/index\.ts.*`scaffold generate`/,
    );
    assert.equal((await run(["generate", "--check"], dir)).code, 1);
    assert.deepEqual(contents(), before, "a refused run writes nothing, and deletes none of your files");

    // Done as the error says, generate drops Gadget.
    for (const path of [
      "src/controllers/gadget.ts",
      "src/conversion/gadget-v1.ts",
      "src/conversion/gadget-v1.test.ts",
    ]) {
      rmSync(file(path));
    }
    const index = readFileSync(file("src/controllers/index.ts"), "utf8");
    writeFileSync(
      file("src/controllers/index.ts"),
      index
        .replace(/import \{ gadgetController \} from ".\/gadget.js";\n/, "")
        .replace(/, gadgetController|gadgetController, /, ""),
    );
    writeFileSync(file("src/resources.ts"), resources);
    writeFileSync(file("src/server.test.ts"), "export {};\n");
    const fixed = await run(["generate"], dir);
    assert.equal(fixed.code, 0, fixed.err);
    assert.doesNotMatch(readFileSync(file("PROJECT"), "utf8"), /Gadget/);
    assert.doesNotMatch(readFileSync(file("src/generated/kinds.ts"), "utf8"), /gadget/);
    assert.doesNotMatch(readFileSync(file("src/controllers/index.ts"), "utf8"), /gadget/);
  });

  it("refuses a kind named like another kind's list before writing anything", async () => {
    const target = join(parent, "lists");
    const both = await run([
      "new-api",
      target,
      "--group",
      "widgets.example.com",
      "--kind",
      "WidgetList",
      "--kind",
      "Widget",
    ]);
    assert.equal(both.code, 1);
    assert.match(both.err, /^error: --kind WidgetList is the list kind of Widget\n {2}fix: /);
    assert.throws(() => readdirSync(target), /ENOENT/);
    const added = await run(["add", "resource", "--kind", "WidgetList"], project);
    assert.equal(added.code, 1);
    assert.match(added.err, /^error: --kind WidgetList is the list kind of Widget\n {2}fix: /);
  });

  it("checks add subresource's arguments before writing anything", async () => {
    const before = treeOf(project);
    const cases: Array<[string[], RegExp]> = [
      [["approve-"], /^error: approve- is not a subresource name\n {2}fix: /],
      [["a".repeat(64)], /^error: a{64} is not a subresource name\n/],
      [["scale", "--version", "v9"], /^error: Widget has no version v9 \(it has v1alpha1\)\n {2}fix: /],
      [["status", "--type", "read"], /^error: --type is for custom subresources, not status\n {2}fix: /],
      [["approve", "--version", "v1alpha1"], /^error: --version is for status and scale, not approve\n {2}fix: /],
    ];
    for (const [args, expected] of cases) {
      const result = await run(["add", "subresource", "--kind", "Widget", ...args], project);
      assert.equal(result.code, 1, args.join(" "));
      assert.match(result.err, expected);
    }
    assert.deepEqual(treeOf(project), before);
  });

  it("add version --kind copies from that kind's own newest version", async () => {
    const dir = join(parent, "two-kinds");
    runSteps(
      [
        ["new-api", { group: "two.example.com", kinds: ["Widget", "Gadget"] }],
        ["add version", { version: "v1", kinds: ["Widget"] }],
      ],
      dir,
    );
    const gadget = await run(["add", "version", "v1", "--kind", "Gadget"], dir);
    assert.equal(gadget.code, 0, gadget.err);
    assert.match(readFileSync(join(dir, "src/apis/two/v1/gadget.ts"), "utf8"), /apiVersion/);
    const again = await run(["add", "version", "v1beta1", "--from", "v1", "--kind", "Gadget", "--kind", "Widget"], dir);
    assert.equal(again.code, 0, again.err);
    const missing = await run(["add", "version", "v2", "--from", "v1alpha1", "--kind", "Nope"], dir);
    assert.match(missing.err, /has no kind Nope/);
  });

  it("names the conversion file a move of @storageVersion left unused, and writes the one now needed", async () => {
    const dir = join(parent, "moved-storage");
    runSteps(
      [
        ["new-api", { group: "moved.example.com", kinds: ["Widget"] }],
        ["add version", { version: "v1beta1", kinds: ["Widget"] }],
      ],
      dir,
    );
    assert.ok(existsSync(join(dir, "src/conversion/widget-v1beta1.ts")), "v1beta1 converts to the hub, v1alpha1");
    const quiet = await run(["generate"], dir);
    assert.equal(quiet.code, 0, quiet.err);
    assert.doesNotMatch(quiet.out, /warning/);
    const types = (v: string) => join(dir, `src/apis/moved/${v}/widget.ts`);
    writeFileSync(types("v1alpha1"), readFileSync(types("v1alpha1"), "utf8").replace(/^ \* @storageVersion\n/m, ""));
    writeFileSync(
      types("v1beta1"),
      readFileSync(types("v1beta1"), "utf8").replace(/^( \* @kind\b.*\n)/m, "$1 * @storageVersion\n"),
    );
    const moved = await run(["generate"], dir);
    assert.equal(moved.code, 0, moved.err);
    assert.match(
      moved.out,
      /^warning: src\/conversion\/widget-v1beta1\.ts and src\/conversion\/widget-v1beta1\.test\.ts: no longer used, v1beta1 is Widget's storage version \(the hub\) now; move what they convert into the other versions' files under src\/conversion, then delete them$/m,
    );
    assert.ok(existsSync(join(dir, "src/conversion/widget-v1alpha1.ts")), "a stub for the version that now converts");
    assert.doesNotMatch(readFileSync(join(dir, "src/generated/register.ts"), "utf8"), /widget-v1beta1/);
  });

  it("doctor names a --ca-file that is missing and a --server that is not a URL", async () => {
    const missing = await run([
      "doctor",
      "--server",
      "https://127.0.0.1:1",
      "--ca-file",
      "/nonexistent/ca.crt",
      "--dry-run",
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^error: --ca-file \/nonexistent\/ca.crt does not exist\n {2}fix: /);
    const garbage = join(parent, "garbage.crt");
    writeFileSync(garbage, "not a certificate\n");
    const notPem = await run(["doctor", "--server", "https://127.0.0.1:1", "--ca-file", garbage]);
    assert.equal(notPem.code, 1);
    assert.match(notPem.err, /^error: --ca-file .*garbage.crt holds no PEM certificate\n {2}fix: /);
    const badYaml = join(parent, "bad-kubeconfig.yaml");
    writeFileSync(badYaml, "clusters: [\n");
    for (const kubeconfig of [badYaml, parent]) {
      const unreadable = await run(["doctor", "--kubeconfig", kubeconfig, "--dry-run"]);
      assert.equal(unreadable.code, 1);
      assert.match(unreadable.err, /^error: --kubeconfig .* is not a kubeconfig file: .*\n {2}fix: /);
    }
    const notUrl = await run(["doctor", "--server", "notaurl", "--dry-run"]);
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.err, /^error: --server notaurl is not an https URL\n {2}fix: .*https:\/\/127\.0\.0\.1:8443/);
  });

  it("reads --kind Kind:Scope strictly, naming the --kind it reads", async () => {
    const target = join(parent, "scopes");
    for (const [kind, expected] of [
      ["Widget:Foo", /^error: --kind Widget:Foo: the scope Foo is neither Namespaced nor Cluster\n {2}fix: /],
      ["Widget:", /^error: --kind Widget:: the scope {2}is neither Namespaced nor Cluster\n/],
      ["Widget:Cluster:X", /^error: --kind Widget:Cluster:X is not Kind or Kind:Scope\n {2}fix: /],
    ] as const) {
      const result = await run(["new-api", target, "--group", "widgets.example.com", "--kind", kind, "--dry-run"]);
      assert.equal(result.code, 1, kind);
      assert.match(result.err, expected);
    }
  });

  it("writes nothing with --dry-run, whatever the command", async () => {
    const before = treeOf(project);
    const cases = [
      ["add", "resource", "--kind", "Gizmo", "--dry-run"],
      ["add", "version", "v1beta1", "--dry-run"],
      ["add", "subresource", "--kind", "Widget", "approve", "--dry-run"],
      ["generate", "--dry-run"],
      ["manifests", "--etcd", "--dry-run"],
      ["docs", "--dry-run"],
      ["run", "--watch", "--dry-run"],
      ["doctor", "--server", "https://127.0.0.1:1", "--dry-run"],
      ["install", "--dry-run"],
    ];
    for (const argv of cases) {
      const result = await run(argv, project);
      assert.equal(result.code, 0, `${argv.join(" ")}: ${result.err}`);
      assert.match(result.out, /would/, argv.join(" "));
    }
    assert.deepEqual(treeOf(project), before);
    const fresh = await run(["new-api", join(parent, "dry"), "--group", "dry.example.com", "--dry-run"]);
    assert.equal(fresh.code, 0);
    assert.match(fresh.out, /create {4}src\/apis\/dry\/v1alpha1\/dry\.ts/);
    const versioned = await run([
      "new-api",
      join(parent, "dry"),
      "--group",
      "dry.example.com",
      "--version",
      "v1beta1",
      "--dry-run",
    ]);
    assert.equal(versioned.code, 0, versioned.err);
    assert.match(
      versioned.out,
      /create {4}src\/apis\/dry\/v1beta1\/dry\.ts/,
      "--version is the command's flag, not scaffold's",
    );
    assert.throws(() => readdirSync(join(parent, "dry")));
  });

  it("adds through the command line what the functions add", async () => {
    const result = await run(
      ["add", "resource", "--kind", "Gizmo", "--scope", "Cluster", "--short-names", "gz,gzm"],
      project,
    );
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /create {4}src\/apis\/widgets\/v1alpha1\/gizmo\.ts/);
    const check = await run(["generate", "--check"], project);
    assert.equal(check.code, 0, check.err);
  });

  it("types an action's body and a stream's options in src/apis, keeps them out of new versions, and refuses a body without a handler", async () => {
    const dir = join(parent, "actions");
    runSteps([["new-api", { group: "actions.example.com", kinds: ["Widget"] }]], dir);
    const added = await run(["add", "subresource", "--kind", "Widget", "approve"], dir);
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /create {4}src\/apis\/actions\/v1alpha1\/widget-approve-request\.ts/);
    const register = readFileSync(join(dir, "src/generated/register.ts"), "utf8");
    assert.match(
      register,
      /const widgetApproveWithRequest = withActionRequest\(widgetApprove, widgetApproveRequest\);/,
    );
    assert.match(readFileSync(join(dir, "src/generated/resources.ts"), "utf8"), /kind: "WidgetApproveRequest"/);

    const stream = await run(["add", "subresource", "--kind", "Widget", "tail", "--type", "stream"], dir);
    assert.equal(stream.code, 0, stream.err);
    assert.match(stream.out, /create {4}src\/apis\/actions\/v1alpha1\/widget-tail-options\.ts/);
    assert.match(
      readFileSync(join(dir, "src/generated/register.ts"), "utf8"),
      /const widgetTailWithOptions = withSubresourceOptions\(widgetTail, widgetTailOptions\);/,
    );
    assert.match(
      readFileSync(join(dir, "src/generated/resources.ts"), "utf8"),
      /export const widgetTailOptions: SubresourceOptions = \{\n {2}kind: "WidgetTailOptions",/,
    );

    const version = await run(["add", "version", "v1beta1"], dir);
    assert.equal(version.code, 0, version.err);
    assert.deepEqual(readdirSync(join(dir, "src/apis/actions/v1beta1")), ["widget.ts"]);

    const stray = join(dir, "src/apis/actions/v1alpha1/stray.ts");
    writeFileSync(
      stray,
      "/** @actionRequest kind=Widget action=reject */\nexport interface WidgetRejectRequest {\n  why?: string;\n}\n",
    );
    const refused = await run(["generate"], dir);
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      /src\/apis\/actions\/v1alpha1\/stray\.ts: WidgetRejectRequest is the @actionRequest of Widget's action reject, but Widget has no such subresource \(src\/subresources\/widget-reject\.ts, listed in PROJECT\)\n {2}fix: create its handler with `scaffold add subresource --kind Widget reject`/,
    );
    const fixed = await run(["add", "subresource", "--kind", "Widget", "reject"], dir);
    assert.equal(fixed.code, 0, fixed.err);
    assert.doesNotMatch(fixed.out, /widget-reject-request\.ts/, "the body the user wrote is kept");
    const handler = readFileSync(join(dir, "src/subresources/widget-reject.ts"), "utf8");
    assert.match(handler, /import type \{ WidgetRejectRequest \} from "\.\.\/apis\/actions\/v1alpha1\/stray\.js";/);
    assert.doesNotMatch(handler, /body\.reason/, "the skeleton reads no field the user's body may lack");
    assert.match(
      readFileSync(join(dir, "src/generated/register.ts"), "utf8"),
      /withActionRequest\(widgetReject, widgetRejectRequest\)/,
    );
  });
});
