/**
 * Accept-header negotiation for resource responses: plain objects as JSON or YAML,
 * `as=Table` and `as=PartialObjectMetadata[List]` in group meta.k8s.io. Protobuf and
 * other types are not served: a request offering nothing else gets 406.
 */
import { StatusError } from "../api/errors.js";
import { AcceptCache } from "../server/accept-cache.js";

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: "*", subtype: "*", params: {}, q: 1 }];
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [mime = "", ...rawParams] = part.split(";");
    const [type = "", subtype = ""] = mime.trim().toLowerCase().split("/");
    if (!type) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, "");
      if (k === "q") q = Number(v);
      else params[k] = v;
    }
    ranges.push({ type, subtype: subtype || "*", params, q: Number.isNaN(q) ? 0 : q });
  }
  // Stable sort by quality, highest first.
  return ranges
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.q - a.r.q || a.i - b.i)
    .map(({ r }) => r);
}

export type ResponseTarget = "object" | "Table" | "PartialObjectMetadata" | "PartialObjectMetadataList";

export interface Negotiated {
  format: "json" | "yaml";
  target: ResponseTarget;
  contentType: string;
}

/** The media types this server can produce for resources, named in 406 errors. */
export const SERVED_MEDIA_TYPES = ["application/json", "application/yaml"];

function formatOf(range: MediaRange): "json" | "yaml" | undefined {
  if (range.type === "*" && range.subtype === "*") return "json";
  if (range.type !== "application") return undefined;
  if (range.subtype === "json" || range.subtype === "*") return "json";
  if (range.subtype === "yaml") return "yaml";
  return undefined;
}

// Clients send the same few Accept headers on every request: each is parsed once.
const forObjects = new AcceptCache((accept) => Object.freeze(choose(accept, false)));
const forLists = new AcceptCache((accept) => Object.freeze(choose(accept, true)));

/**
 * Chooses the response for a resource request. `list` marks collection responses,
 * where PartialObjectMetadataList (not PartialObjectMetadata) is the metadata form.
 */
export function negotiate(accept: string | undefined, list: boolean): Readonly<Negotiated> {
  return (list ? forLists : forObjects).get(accept);
}

function choose(accept: string | undefined, list: boolean): Negotiated {
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    const format = formatOf(range);
    if (!format) continue;
    const as = range.params.as;
    if (!as)
      return { format, target: "object", contentType: format === "yaml" ? "application/yaml" : "application/json" };
    if (range.params.g !== "meta.k8s.io" || (range.params.v !== "v1" && range.params.v !== "v1beta1")) continue;
    const contentType = `application/${format};as=${as};g=meta.k8s.io;v=${range.params.v}`;
    if (as === "Table") return { format, target: "Table", contentType };
    if (as === "PartialObjectMetadata" && !list) return { format, target: "PartialObjectMetadata", contentType };
    if (as === "PartialObjectMetadataList" && list) return { format, target: "PartialObjectMetadataList", contentType };
  }
  throw StatusError.notAcceptable(SERVED_MEDIA_TYPES);
}

/** Negotiation for non-resource JSON documents (discovery lists, OpenAPI JSON). */
export function acceptsJSON(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => r.q > 0 && formatOf(r) === "json" && !r.params.as);
}
