import { goQuote } from "@apiserver-kit/merge";
import { StatusError } from "../api/errors.js";
import type { SubresourceParameter } from "../model/resource.js";

/** A declared query parameter's value: what its `type` says. */
export type ParameterValue = string | number | boolean;

const INTEGER = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The options of a read or stream subresource that declares `parameters` and no `parseOptions`:
 * each declared parameter present in the query, converted as kube-apiserver's parameter codec
 * converts a query into an options struct (pods/log's `follow`, `tailLines`). The first value
 * counts. A boolean is false for `false` or `0` (any case) and true for anything else, the empty
 * string included. An integer is a base-10 int64 (`strconv.ParseInt`); anything else is a 400
 * with Go's message. Undeclared parameters are left out, as the codec ignores them; absent ones
 * are absent, not zero, so that an optional field stays `undefined`.
 */
export function parseDeclaredParameters(
  parameters: readonly SubresourceParameter[],
  query: URLSearchParams,
): Record<string, ParameterValue> {
  const options: Record<string, ParameterValue> = {};
  for (const parameter of parameters) {
    const raw = query.get(parameter.name);
    if (raw === null) continue;
    options[parameter.name] = convert(parameter, raw);
  }
  return options;
}

function convert(parameter: SubresourceParameter, raw: string): ParameterValue {
  switch (parameter.type) {
    case "boolean": {
      const lower = raw.toLowerCase();
      return !(lower === "false" || lower === "0");
    }
    case "integer": {
      if (!INTEGER.test(raw)) throw StatusError.badRequest(`strconv.ParseInt: parsing ${goQuote(raw)}: invalid syntax`);
      const value = BigInt(raw);
      if (value < INT64_MIN || value > INT64_MAX) {
        throw StatusError.badRequest(`strconv.ParseInt: parsing ${goQuote(raw)}: value out of range`);
      }
      // Beyond 2^53 a JavaScript number would round: refused rather than changed.
      if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw StatusError.badRequest(
          `${parameter.name}: ${raw} is beyond the integers this server represents exactly (±2^53-1)`,
        );
      }
      return Number(value);
    }
    default:
      return raw;
  }
}
