/**
 * Serving OpenAPI (kube-openapi's handler and handler3): /openapi/v2 as JSON or gnostic
 * protobuf (and the legacy /swagger-2.0.0.pb-v1), /openapi/v3 with per group-version
 * documents addressed by `?hash=`. Documents are built once per resource set; the
 * protobuf on first demand.
 */
import { StatusError } from "../api/errors.js";
import { parseAccept } from "../endpoints/negotiation.js";
import type { ApiModel } from "../model/api-model.js";
import { AcceptCache } from "../server/accept-cache.js";
import { type CacheableDocument, serveDocument } from "../server/conditional.js";
import type { HttpRequest, HttpResponse } from "../server/http.js";
import { encodeDocument } from "./gnostic.js";
import { describeGroupVersion, type GroupVersionSpec, type OperationOptions } from "./operations.js";
import { renderOpenAPIv2 } from "./v2.js";
import { type OpenAPIDocument, openAPIDocument, renderOpenAPIv3 } from "./v3.js";

/** What kubectl asks for; client-go's MIME parser rejects the "@", so answers use the dotted form. */
export const OPENAPI_V2_PROTOBUF_DEPRECATED = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const OPENAPI_V3_PROTOBUF = "application/com.github.proto-openapi.spec.v3.v1.0+protobuf";
const OPENAPI_V3_PROTOBUF_DEPRECATED = "application/com.github.proto-openapi.spec.v3@v1.0+protobuf";

export type V2Format = "json" | "protobuf";

/** The first Accept clause (by quality) that one of `offered` satisfies, as kube-openapi picks it. */
function negotiateFormat<T extends string>(
  accept: string | undefined,
  offered: ReadonlyArray<[string, T]>,
): T | undefined {
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    for (const [mediaType, format] of offered) {
      const [type, subtype] = mediaType.split("/") as [string, string];
      if ((range.type === type || range.type === "*") && (range.subtype === subtype || range.subtype === "*")) {
        return format;
      }
    }
  }
  return undefined;
}

const V2_OFFERED: ReadonlyArray<[string, V2Format]> = [
  ["application/json", "json"],
  [OPENAPI_V2_PROTOBUF_DEPRECATED, "protobuf"],
  [OPENAPI_V2_PROTOBUF, "protobuf"],
];
/** The format kube-openapi answers /openapi/v2 in for this Accept header; undefined: 406. */
export function openAPIV2Format(accept: string | undefined): V2Format | undefined {
  return negotiateFormat(accept, V2_OFFERED);
}
const V3_OFFERED: ReadonlyArray<[string, "json" | "protobuf"]> = [
  ["application/json", "json"],
  [OPENAPI_V3_PROTOBUF, "protobuf"],
  [OPENAPI_V3_PROTOBUF_DEPRECATED, "protobuf"],
];

export interface OpenAPIServiceOptions extends OperationOptions {
  /** For `Expires` on hash-addressed v3 documents. */
  now?: () => number;
}

export class OpenAPIService {
  readonly specs: GroupVersionSpec[];
  readonly v3 = new Map<string, OpenAPIDocument>();
  readonly v3Root: OpenAPIDocument;
  readonly v2: OpenAPIDocument;
  private readonly swagger: Record<string, unknown>;
  private protobuf?: CacheableDocument;
  private readonly v2Formats = new AcceptCache((accept) => negotiateFormat(accept, V2_OFFERED) ?? null);
  private readonly v3Formats = new AcceptCache((accept) => negotiateFormat(accept, V3_OFFERED) ?? null);
  private readonly now: () => number;

  constructor(model: ApiModel, options: OpenAPIServiceOptions) {
    this.now = options.now ?? Date.now;
    this.specs = model.groupVersions().map((gv) => describeGroupVersion(gv, options));
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const spec of this.specs) {
      const key = `${spec.group}/${spec.version}`;
      const doc = renderOpenAPIv3(spec);
      this.v3.set(key, doc);
      paths[`apis/${key}`] = { serverRelativeURL: `/openapi/v3/apis/${key}?hash=${doc.hash}` };
    }
    this.v3Root = openAPIDocument(JSON.stringify({ paths }));
    const v2 = renderOpenAPIv2(this.specs);
    this.swagger = v2.swagger;
    this.v2 = { json: v2.json, etag: v2.etag, hash: v2.hash };
  }

  /** The gnostic protobuf of the v2 document, encoded once; it shares the JSON's ETag (as kube-openapi). */
  v2Protobuf(): CacheableDocument {
    this.protobuf ??= { body: encodeDocument(this.swagger), etag: this.v2.etag, contentType: OPENAPI_V2_PROTOBUF };
    return this.protobuf;
  }

  /** GET /openapi/v2: JSON for the aggregator, protobuf for kubectl, 406 otherwise. */
  serveV2(req: HttpRequest, res: HttpResponse): void {
    const format = this.v2Formats.get(req.headers.accept);
    if (!format) throw StatusError.notAcceptable(["application/json", OPENAPI_V2_PROTOBUF]);
    const document =
      format === "json"
        ? { body: this.v2.json, etag: this.v2.etag, contentType: "application/json" }
        : this.v2Protobuf();
    serveDocument(req, res, document);
  }

  /** GET /swagger-2.0.0.pb-v1: the protobuf at its pre-1.14 path. */
  serveLegacyProtobuf(req: HttpRequest, res: HttpResponse): void {
    serveDocument(req, res, this.v2Protobuf());
  }

  /** GET /openapi/v3 and /openapi/v3/apis/<g>/<v>[?hash=]. */
  serveV3(req: HttpRequest, res: HttpResponse, rest: readonly string[], query: URLSearchParams): void {
    if (rest.length === 0) {
      serveDocument(req, res, { body: this.v3Root.json, etag: this.v3Root.etag, contentType: "application/json" });
      return;
    }
    const key = rest[0] === "apis" && rest.length === 3 ? `${rest[1]}/${rest[2]}` : undefined;
    const doc = key ? this.v3.get(key) : undefined;
    if (!doc) throw new StatusError(404, "NotFound", "the server could not find the requested resource", {});
    const format = this.v3Formats.get(req.headers.accept);
    if (format !== "json") throw StatusError.notAcceptable(["application/json"]);
    const hash = query.get("hash");
    if (hash) {
      if (hash !== doc.hash) {
        // A stale link: send the client to the current document.
        res.statusCode = 301;
        res.setHeader("ETag", doc.etag);
        res.setHeader("Location", `/openapi/v3/apis/${key}?hash=${doc.hash}`);
        res.setHeader("Content-Length", 0);
        res.end();
        return;
      }
      const expires = new Date(this.now() + 365 * 24 * 3600 * 1000).toUTCString();
      serveDocument(
        req,
        res,
        { body: doc.json, etag: doc.etag, contentType: "application/json" },
        "public, immutable",
        {
          Expires: expires,
        },
      );
      return;
    }
    serveDocument(req, res, { body: doc.json, etag: doc.etag, contentType: "application/json" });
  }
}
