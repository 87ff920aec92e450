import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CliError } from "../cli/errors.js";
import { WIDGETS_PROJECT } from "../testing/fixtures.js";
import { kebabCase, packageName } from "./names.js";
import {
  findProjectRoot,
  type ProjectFile,
  parseProjectFile,
  projectVersions,
  renderProjectFile,
} from "./project-file.js";

const project: ProjectFile = {
  ...WIDGETS_PROJECT,
  deploy: { image: "widgets:1", namespace: "widgets", certManager: false, etcd: true },
};

describe("the project file", () => {
  it("round-trips through YAML with a header saying what it is", () => {
    const text = renderProjectFile(project);
    assert.match(text, /^# The scaffold project file/);
    assert.match(text, /^group: widgets\.example\.com$/m);
    assert.deepEqual(parseProjectFile(text, "PROJECT"), project);
    assert.deepEqual(
      projectVersions(project, (a, b) => (a < b ? 1 : -1)),
      ["v1beta1", "v1alpha1"],
    );
  });

  it("refuses what is not a project file", () => {
    for (const text of ["version: 2\ngroup: g\nname: n\nresources: []\n", "a: [", "just text"]) {
      assert.throws(
        () => parseProjectFile(text, "PROJECT"),
        (error: unknown) => error instanceof CliError && error.code === "NotAProject",
      );
    }
  });

  it("is found from any folder of the project", () => {
    const root = mkdtempSync(join(tmpdir(), "project-file-"));
    try {
      writeFileSync(join(root, "PROJECT"), renderProjectFile(project));
      mkdirSync(join(root, "src/apis"), { recursive: true });
      assert.equal(findProjectRoot(join(root, "src/apis")), root);
      assert.throws(() => findProjectRoot(tmpdir()), /this is not a scaffold project/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("names files and packages", () => {
    assert.equal(kebabCase("DatabaseBackup"), "database-backup");
    assert.equal(kebabCase("HTTPRoute"), "http-route");
    assert.equal(packageName("My API!"), "my-api");
    assert.equal(packageName("..."), "my-api");
    // The name also names the namespace, Service and Deployment: a DNS label starting with a letter.
    assert.equal(packageName("My Proj_X"), "my-proj-x");
    assert.equal(packageName("widgets.v2"), "widgets-v2");
    assert.equal(packageName("2024-api"), "api");
    assert.equal(packageName("a".repeat(80)), "a".repeat(40));
  });
});
