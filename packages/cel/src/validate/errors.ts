/** The field error types CEL validation reports (k8s.io/apimachinery field.ErrorType reasons). */
export type FieldErrorType =
  | "FieldValueInvalid"
  | "FieldValueForbidden"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueNotSupported"
  | "InternalError";

/** One problem with one field, shaped like the runtime's FieldError (k8s field.Error). */
export interface FieldError {
  type: FieldErrorType;
  /** Kubernetes' field path, e.g. `spec.items[0].name`; `<nil>` for rules on the object itself. */
  field: string;
  badValue?: unknown;
  detail?: string;
}

export const invalid = (field: string, badValue: unknown, detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field,
  badValue,
  detail,
});
export const forbidden = (field: string, detail: string): FieldError => ({
  type: "FieldValueForbidden",
  field,
  detail,
});
export const required = (field: string, detail: string): FieldError => ({ type: "FieldValueRequired", field, detail });
export const internalError = (field: string, detail: string): FieldError => ({ type: "InternalError", field, detail });
