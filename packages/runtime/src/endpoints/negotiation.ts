/**
 * Accept-header negotiation for resource responses: plain objects as JSON or YAML,
 * `as=Table` and `as=PartialObjectMetadata[List]` in group meta.k8s.io. Protobuf and
 * other types are not served: a request offering nothing else gets 406.
 */
import { StatusError } from "../api/errors.js";
import { AcceptCache } from "../server/accept-cache.js";
import type { MetaAPIVersion } from "./table.js";

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
  /** The apiVersion of a Table or PartialObjectMetadata[List] target: meta.k8s.io/v1 or meta.k8s.io/v1beta1. */
  metaAPIVersion: MetaAPIVersion;
  contentType: string;
  /** The chosen media range asked for indented JSON (`pretty=1`). */
  pretty: boolean;
}

/** The media types this server can produce for resources, named in 406 errors. */
export const SERVED_MEDIA_TYPES = ["application/json", "application/yaml"];

/** The media types a watch can stream (YAML has no framer), named in a watch's 406. */
export const SERVED_STREAM_MEDIA_TYPES = ["application/json;stream=watch"];

function formatOf(range: MediaRange): "json" | "yaml" | undefined {
  if (range.type === "*" && range.subtype === "*") return "json";
  if (range.type !== "application") return undefined;
  if (range.subtype === "json" || range.subtype === "*") return "json";
  if (range.subtype === "yaml") return "yaml";
  return undefined;
}

// Clients send the same few Accept headers on every request: each is parsed once.
const negotiated = new AcceptCache((accept) => Object.freeze(choose(accept)));

/**
 * Chooses the response for a resource request: the first media range (by q, then order)
 * the server can produce, as apiserver's NegotiateMediaTypeOptions with the handlers'
 * AllowsMediaTypeTransform. A Table or PartialObjectMetadata[List] of meta.k8s.io v1 or
 * v1beta1 is accepted on any endpoint: a list that asked for PartialObjectMetadata (or an
 * object for PartialObjectMetadataList) is refused later, when the response is transformed.
 */
export function negotiate(accept: string | undefined): Readonly<Negotiated> {
  return negotiated.get(accept);
}

const TRANSFORMS = new Set<string>(["Table", "PartialObjectMetadata", "PartialObjectMetadataList"]);

function choose(accept: string | undefined): Negotiated {
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    const format = formatOf(range);
    if (!format) continue;
    const pretty = range.params.pretty === "1";
    const { as, g, v } = range.params;
    if (as === undefined && g === undefined && v === undefined) {
      const contentType = format === "yaml" ? "application/yaml" : "application/json";
      return { format, target: "object", metaAPIVersion: "meta.k8s.io/v1", contentType, pretty };
    }
    if (g !== "meta.k8s.io" || (v !== "v1" && v !== "v1beta1") || !as || !TRANSFORMS.has(as)) continue;
    const contentType = `application/${format};as=${as};g=meta.k8s.io;v=${v}`;
    return { format, target: as as ResponseTarget, metaAPIVersion: `meta.k8s.io/${v}`, contentType, pretty };
  }
  throw StatusError.notAcceptable(SERVED_MEDIA_TYPES);
}

/** handlers' asPartialObjectMetadata: a list asked for as PartialObjectMetadata (406). */
export function partialObjectMetadataOfList(): StatusError {
  return new StatusError(
    406,
    "NotAcceptable",
    // Go's %T of the list, as a CRD's handler (whose model ours follows) has it.
    "you requested PartialObjectMetadata, but the requested object is a list (*unstructured.UnstructuredList)",
  );
}

/** handlers' asPartialObjectMetadataList: one object asked for as PartialObjectMetadataList (406). */
export function partialObjectMetadataListOfObject(): StatusError {
  return new StatusError(
    406,
    "NotAcceptable",
    "you requested PartialObjectMetadataList, but the requested object is not a list (*unstructured.Unstructured)",
  );
}

/** Negotiation for non-resource JSON documents (discovery lists, OpenAPI JSON). */
export function acceptsJSON(accept: string | undefined): boolean {
  return parseAccept(accept).some((r) => r.q > 0 && formatOf(r) === "json" && !r.params.as);
}
