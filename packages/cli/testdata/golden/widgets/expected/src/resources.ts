import type { ResourceDefinition } from "@apiserver-kit/runtime";
import { withHooks } from "./generated/register.js";

/**
 * The resources this server serves: the definitions generated from src/apis, the conversion
 * functions of src/conversion, and the hand-written hooks below. A strategy says what a schema
 * can't: defaults computed from other fields, cross-field validation, fields cleared on create.
 * Hooks see objects of the kind's storage version, typed by its interface.
 */
export const resources: ResourceDefinition[] = withHooks({
  // Widget: { strategy: { validate: (object) => [] } },
});
