import assert from "node:assert/strict";
import type { JSONObject } from "../../json/json.js";
import { pathString } from "../fieldpath/path-element.js";
import { rootTypeOf, type ServerSideApplySchema, typeOf } from "../typed/schema.js";
import { ConflictsError, type ManagedFieldSets, Updater } from "./updater.js";

// A test fixture in the manner of structured-merge-diff's internal/fixture: a sequence of
// operations on one object, then the expected object and ownership.

export type Operation =
  | { apply: JSONObject; manager: string; apiVersion?: string; force?: boolean; conflicts?: string[] }
  | { update: JSONObject; manager: string; apiVersion?: string }
  /** From here on the kind has this schema (upstream's ChangeParser): a redeploy with changed types. */
  | { schema: ServerSideApplySchema };

export interface Case {
  readonly ops: Operation[];
  readonly object: JSONObject;
  /** manager → sorted field paths (pathString), with "@vN" for the entry's version when not v1. */
  readonly managed: Record<string, string[]>;
}

export function runCase(
  schema: ServerSideApplySchema | undefined,
  test: Case,
  options: { root?: boolean; served?: string[]; ignored?: string[] } = {},
): void {
  const typeFor = (s: ServerSideApplySchema | undefined) => (options.root ? rootTypeOf(s) : typeOf(s ?? {}));
  let type = typeFor(schema);
  const served = options.served;
  const updater = new Updater(
    {
      convert: (object, _from, to) => (served === undefined || served.includes(to) ? object : undefined),
      typeAt: () => type,
    },
    () => undefined,
  );
  let live: JSONObject = {};
  let managers: ManagedFieldSets = new Map();
  for (const op of test.ops) {
    if ("schema" in op) {
      type = typeFor(op.schema);
      continue;
    }
    const version = op.apiVersion ?? "v1";
    if ("update" in op) {
      managers = updater.update(live, op.update, version, managers, op.manager);
      live = op.update;
      continue;
    }
    try {
      const result = updater.apply(live, op.apply, version, managers, op.manager, op.force ?? false);
      assert.equal(op.conflicts, undefined, `expected conflicts ${op.conflicts}`);
      live = result.object ?? live;
      managers = result.managers;
    } catch (error) {
      if (!(error instanceof ConflictsError) || op.conflicts === undefined) throw error;
      assert.deepEqual(
        error.conflicts.map((c) => `${c.manager}:${pathString(c.path)}`).sort(),
        [...op.conflicts].sort(),
      );
    }
  }
  assert.deepEqual(live, test.object);
  assert.deepEqual(describeManaged(managers), test.managed);
}

export function describeManaged(managers: ManagedFieldSets): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [manager, entry] of [...managers].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const suffix = entry.apiVersion === "v1" ? "" : `@${entry.apiVersion}`;
    out[manager + suffix] = entry.set.paths().map(pathString).sort();
  }
  return out;
}
