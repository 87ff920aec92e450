import {
  type FieldError,
  fieldErrors,
  type KubeObject,
  type ResourceDefinition,
  type Strategy,
} from "@apiserver-kit/runtime";
import { banFlunder } from "./admission/ban-flunder.js";
import type { Flunder } from "./apis/wardle/v1beta1/flunder.js";
import { withHooks } from "./generated/register.js";

/**
 * Flunder's strategy, on the storage version (v1beta1), as sample-apiserver's validation of its
 * internal type: referenceType defaults to the kind of reference set, and must agree with it.
 * (v1alpha1 requests arrive here converted, so errors name v1beta1's fields.)
 */
export const flunderStrategy: Strategy<Flunder & KubeObject> = {
  default(flunder) {
    const spec = flunder.spec;
    if (!spec || spec.referenceType !== undefined) return;
    if (spec.flunderReference !== undefined) spec.referenceType = "Flunder";
    else if (spec.fischerReference !== undefined) spec.referenceType = "Fischer";
  },
  validate(flunder) {
    const spec = flunder.spec ?? {};
    const errors: FieldError[] = [];
    if (spec.referenceType === "Flunder") {
      if (spec.flunderReference === undefined)
        errors.push(fieldErrors.required("spec.flunderReference", "referenceType is Flunder"));
      if (spec.fischerReference !== undefined)
        errors.push(fieldErrors.invalid("spec.fischerReference", spec.fischerReference, "referenceType is Flunder"));
    } else if (spec.referenceType === "Fischer") {
      if (spec.fischerReference === undefined)
        errors.push(fieldErrors.required("spec.fischerReference", "referenceType is Fischer"));
      if (spec.flunderReference !== undefined)
        errors.push(fieldErrors.invalid("spec.flunderReference", spec.flunderReference, "referenceType is Fischer"));
    }
    return errors;
  },
};

/**
 * The resources this server serves: the definitions generated from src/apis, the conversion
 * functions of src/conversion, the `ban` action of src/subresources, the strategy above, and
 * the BanFlunder admission plugin on Flunders.
 */
export const resources: ResourceDefinition[] = withHooks({
  Flunder: { strategy: flunderStrategy },
}).map((definition) => (definition.names.kind === "Flunder" ? { ...definition, admission: [banFlunder] } : definition));
