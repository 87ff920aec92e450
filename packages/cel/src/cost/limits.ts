// Kubernetes' CEL limits (apiserver pkg/apis/cel/config.go and apiextensions validation).

/** Cost limit of one rule or messageExpression evaluation. */
export const PER_CALL_LIMIT = 1_000_000;
/** Cost budget of all rules evaluated for one object. */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** Static limit of one expression's estimated cost, times its cardinality. */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
/** Static limit of the estimated cost of all expressions of one schema. */
export const STATIC_ESTIMATED_SCHEMA_COST_LIMIT = 100_000_000;
/** The largest request body Kubernetes accepts; bounds unbounded lists, maps and strings in estimates. */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
/** Longest message a messageExpression may produce. */
export const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;

// cel-go's cost factors (common/cost.go).
export const STRING_TRAVERSAL_COST_FACTOR = 0.1;
export const REGEX_STRING_LENGTH_COST_FACTOR = 0.25;
export const LIST_CREATE_BASE_COST = 10;
export const MAP_CREATE_BASE_COST = 30;
