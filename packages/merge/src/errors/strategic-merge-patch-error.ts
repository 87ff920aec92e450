import { goString, goTypeName, goValue } from "../json/go-format.js";
import type { JSONObject, JSONValue } from "../json/json.js";

/** What went wrong, one code per failure Kubernetes' strategicpatch/mergepatch packages report. */
export type StrategicMergePatchErrorCode =
  /** The original or the patch is not a JSON object (mergepatch.ErrBadJSONDoc). */
  | "BadJSONDoc"
  /** A `$deleteFromPrimitiveList/...` key without a field name (ErrBadPatchFormatForPrimitiveList). */
  | "BadPatchFormatForPrimitiveList"
  /** `$retainKeys` is not a list, or the patch sets a field it does not retain (ErrBadPatchFormatForRetainKeys). */
  | "BadPatchFormatForRetainKeys"
  /** A malformed `$setElementOrder/...` key (ErrBadPatchFormatForSetElementOrderList). */
  | "BadPatchFormatForSetElementOrderList"
  /** A value of the wrong JSON type where a list or map is required (mergepatch.ErrBadArgType). */
  | "BadArgType"
  /** A list whose elements are lists (ErrNoListOfLists). */
  | "NoListOfLists"
  /** A list's elements are not all of one type. */
  | "ListElementTypesNotIdentical"
  /** An element of a merging list lacks the merge key (mergepatch.ErrNoMergeKey). */
  | "NoMergeKey"
  /** A list of maps is to be merged but the schema declares no merge key. */
  | "NoMergeKeyDeclared"
  /** `$patch` has a value other than replace/delete (maps) or replace/delete/merge (lists) (ErrBadPatchType). */
  | "BadPatchType"
  /** `$patch: merge` inside a list, which Kubernetes refuses. */
  | "MergeDirectiveInList"
  /** The patch list's order contradicts its `$setElementOrder` list. */
  | "SetElementOrderMismatch"
  /** The schema's x-kubernetes-patch-strategy cannot be parsed. */
  | "InvalidPatchStrategy"
  /** A diff input carries a non-string `$patch`. */
  | "InvalidDirectiveValue"
  /** A three-way patch would undo a change made to the live object (overwrite disabled). */
  | "Conflict";

/** How the runtime answers: 400 BadRequest, 422 Invalid, or (client side only) 409 Conflict. */
export type StrategicMergePatchErrorKind = "BadRequest" | "Invalid" | "Conflict";

const kindOf: Record<StrategicMergePatchErrorCode, StrategicMergePatchErrorKind> = {
  // The codes kube-apiserver maps to 400 (interpretStrategicMergePatchError), and directive shapes.
  BadJSONDoc: "BadRequest",
  BadPatchFormatForPrimitiveList: "BadRequest",
  BadPatchFormatForRetainKeys: "BadRequest",
  BadPatchFormatForSetElementOrderList: "BadRequest",
  BadArgType: "BadRequest",
  InvalidDirectiveValue: "BadRequest",
  // ErrNoListOfLists is 422 upstream; the rest reach kube-apiserver's default branch (500) and are 422 here.
  NoListOfLists: "Invalid",
  ListElementTypesNotIdentical: "Invalid",
  NoMergeKey: "Invalid",
  NoMergeKeyDeclared: "Invalid",
  BadPatchType: "Invalid",
  MergeDirectiveInList: "Invalid",
  SetElementOrderMismatch: "Invalid",
  InvalidPatchStrategy: "Invalid",
  Conflict: "Conflict",
};

const statusOf: Record<StrategicMergePatchErrorKind, 400 | 409 | 422> = {
  BadRequest: 400,
  Invalid: 422,
  Conflict: 409,
};

/** A malformed patch (or, from createThreeWayMergePatch, a conflict), with Kubernetes' message. */
export class StrategicMergePatchError extends Error {
  override readonly name = "StrategicMergePatchError";
  readonly kind: StrategicMergePatchErrorKind;
  readonly status: 400 | 409 | 422;

  constructor(
    readonly code: StrategicMergePatchErrorCode,
    message: string,
    /** Dotted path of the map or list being merged when it failed ("" at the root). */
    readonly path = "",
  ) {
    super(message);
    this.kind = kindOf[code];
    this.status = statusOf[this.kind];
  }

  static badJSONDoc(path = ""): StrategicMergePatchError {
    return new StrategicMergePatchError("BadJSONDoc", "invalid JSON document", path);
  }

  static badPrimitiveListFormat(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "BadPatchFormatForPrimitiveList",
      "invalid patch format of primitive list",
      path,
    );
  }

  static badRetainKeysFormat(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError("BadPatchFormatForRetainKeys", "invalid patch format of retainKeys", path);
  }

  static badSetElementOrderFormat(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "BadPatchFormatForSetElementOrderList",
      "invalid patch format of setElementOrder list",
      path,
    );
  }

  /** `expected a []interface {}, but received a string`: `expected` is a sample of the wanted type. */
  static badArgType(expected: JSONValue, actual: JSONValue | undefined, path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "BadArgType",
      `expected a ${goTypeName(expected)}, but received a ${goTypeName(actual)}`,
      path,
    );
  }

  static notAMap(index: number, path: string): StrategicMergePatchError {
    return new StrategicMergePatchError("BadArgType", `value for key ${index} is not a map`, path);
  }

  static noListOfLists(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError("NoListOfLists", "lists of lists are not supported", path);
  }

  static elementTypesNotIdentical(lists: JSONValue[][], path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "ListElementTypesNotIdentical",
      `list element types are not identical: ${goValue(lists)}`,
      path,
    );
  }

  static noMergeKey(element: JSONObject, mergeKey: string, path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "NoMergeKey",
      `map: ${goValue(element)} does not contain declared merge key: ${mergeKey}`,
      path,
    );
  }

  static noMergeKeyDeclared(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "NoMergeKeyDeclared",
      `cannot merge lists without merge key for ${path || "the root object"}`,
      path,
    );
  }

  static badPatchType(directive: JSONValue | undefined, element: JSONObject, path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "BadPatchType",
      `unknown patch type: ${goString(directive)} in map: ${goValue(element)}`,
      path,
    );
  }

  static mergeDirectiveInList(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "MergeDirectiveInList",
      "merging lists cannot yet be specified in the patch",
      path,
    );
  }

  static setElementOrderMismatch(list: JSONValue[], order: JSONValue[], path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "SetElementOrderMismatch",
      `The order in patch list:\n${goValue(list)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`,
      path,
    );
  }

  static invalidPatchStrategy(strategies: string[], path: string): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "InvalidPatchStrategy",
      `unexpected patch strategy: [${strategies.join(" ")}]`,
      path,
    );
  }

  static invalidDirectiveValue(path: string): StrategicMergePatchError {
    return new StrategicMergePatchError("InvalidDirectiveValue", "invalid value for special key: $patch", path);
  }

  static conflict(patch: JSONValue, changed: JSONValue): StrategicMergePatchError {
    return new StrategicMergePatchError(
      "Conflict",
      `patch:\n${JSON.stringify(patch, null, 2)}\nconflicts with changes made from original to current:\n${JSON.stringify(changed, null, 2)}\n`,
    );
  }
}

export function isStrategicMergePatchError(
  error: unknown,
  code?: StrategicMergePatchErrorCode,
): error is StrategicMergePatchError {
  return error instanceof StrategicMergePatchError && (code === undefined || error.code === code);
}
