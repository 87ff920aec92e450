import type { JSONObject } from "../../json/json.js";
import type { FieldSet } from "../fieldpath/field-set.js";
import { rootTypeOf, type ServerSideApplySchema } from "./schema.js";
import { toFieldSet } from "./to-field-set.js";

/** The fields an object of a kind sets under its schema (what applying it would own). */
export function fieldSetOf(object: JSONObject, schema: ServerSideApplySchema | undefined): FieldSet {
  return toFieldSet(object, rootTypeOf(schema));
}
