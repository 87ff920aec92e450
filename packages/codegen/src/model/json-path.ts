import type { TypeModel } from "./api-model.js";

export type PathResolution =
  | { kind: "found"; type: TypeModel }
  | { kind: "missing"; reason: string }
  /** Brackets, filters, wildcards: valid for printer columns, not checked against the schema. */
  | { kind: "complex" };

const SIMPLE_PATH = /^(\.[A-Za-z_$][\w$-]*)+$/;

/** Fields of ObjectMeta a path may name, with their types (the root schema says only `type: object`). */
const OBJECT_META_FIELDS: Record<string, TypeModel> = {
  name: { type: "string" },
  generateName: { type: "string" },
  namespace: { type: "string" },
  uid: { type: "string" },
  resourceVersion: { type: "string" },
  generation: { type: "integer", format: "int64" },
  creationTimestamp: { type: "string", format: "date-time" },
  deletionTimestamp: { type: "string", format: "date-time" },
  labels: { type: "map", values: { type: "string" } },
  annotations: { type: "map", values: { type: "string" } },
};

export function isSimpleJSONPath(path: string): boolean {
  return SIMPLE_PATH.test(path);
}

/** Follows a simple JSONPath such as `.spec.replicas` through a kind's schema. */
export function resolveJSONPath(root: TypeModel, path: string): PathResolution {
  if (!isSimpleJSONPath(path)) return { kind: "complex" };
  const segments = path.slice(1).split(".");
  let current = root;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] ?? "";
    if (index === 0 && segment === "metadata") {
      const metaField = segments[1];
      if (metaField === undefined) return { kind: "found", type: { type: "object" } };
      const metaType = OBJECT_META_FIELDS[metaField];
      if (metaType === undefined) return { kind: "missing", reason: `metadata has no field ${metaField}` };
      current = metaType;
      index++;
      continue;
    }
    if (current.type === "object") {
      const field = current.properties?.find((property) => property.name === segment);
      if (field === undefined) {
        const at = segments.slice(0, index).join(".");
        return { kind: "missing", reason: `${at === "" ? "the object" : at} has no field ${segment}` };
      }
      current = field.type;
    } else if (current.type === "map" && current.values !== undefined) {
      current = current.values;
    } else {
      return { kind: "missing", reason: `${segments.slice(0, index).join(".")} is ${current.type}, not an object` };
    }
  }
  return { kind: "found", type: current };
}
