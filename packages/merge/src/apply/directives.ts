// The keys a strategic merge patch uses for directives (apimachinery's strategicpatch constants).

/** `$patch: replace | delete` in a map or a merging list's element. */
export const DIRECTIVE_MARKER = "$patch";
/** `$retainKeys: [...]`: the fields of a map to keep. */
export const RETAIN_KEYS_DIRECTIVE = "$retainKeys";
/** `$deleteFromPrimitiveList/<field>: [...]`: values to remove from a list of scalars. */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList";
/** `$setElementOrder/<field>: [...]`: the order of a merged list. */
export const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder";
