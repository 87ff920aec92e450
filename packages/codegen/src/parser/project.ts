import { posix, resolve } from "node:path";
import { Project } from "./ts-morph.js";

/** Options shared by both projects: no lib files, no dependency resolution, since only syntax is read. */
const SYNTAX_ONLY = {
  skipAddingFilesFromTsConfig: true,
  skipFileDependencyResolution: true,
  skipLoadingLibFiles: true,
} as const;

/**
 * A project held in memory, for tests and dry runs: `files` maps paths (relative to `/`, e.g.
 * `src/apis/wardle/v1alpha1/flunder.ts`) to their text. Parse it with the default projectRoot `/`.
 */
export function createInMemoryApiProject(files: Record<string, string>): Project {
  const project = new Project({ ...SYNTAX_ONLY, useInMemoryFileSystem: true });
  for (const [path, text] of Object.entries(files)) {
    project.createSourceFile(posix.join("/", path), text, { overwrite: true });
  }
  return project;
}

/** The API files of a project on disk; parse it with `{ projectRoot }` set to the same root. */
export function loadApiProject(projectRoot: string, apisDir = "src/apis"): Project {
  const project = new Project(SYNTAX_ONLY);
  const root = resolve(projectRoot).replace(/\\/g, "/");
  project.addSourceFilesAtPaths([`${root}/${apisDir}/**/*.ts`, `!${root}/${apisDir}/**/*.d.ts`]);
  return project;
}
