/**
 * gnostic's `openapi.v2.Document` (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto)
 * encoded by hand from a Swagger 2.0 object: the protobuf kubectl asks /openapi/v2 for.
 * Field numbers follow that .proto file; extension values and defaults travel as YAML text
 * in `Any.yaml` (JSON is valid YAML), as gnostic's compiler stores them.
 */
import type { Obj } from "./operations.js";
import { ProtoMessage } from "./protobuf.js";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;

/** Any { yaml = 2 }. */
function any(value: unknown): ProtoMessage {
  return new ProtoMessage().string(2, JSON.stringify(value));
}

/** repeated NamedAny for the `x-` keys of an object: NamedAny { name = 1; value = 2 }. */
function extensions(o: Obj): ProtoMessage[] {
  const out: ProtoMessage[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith("x-")) out.push(new ProtoMessage().string(1, k).message(2, any(v)));
  }
  return out;
}

function named(name: string, value: ProtoMessage): ProtoMessage {
  return new ProtoMessage().string(1, name).message(2, value);
}

export function encodeSchema(s: Obj): ProtoMessage {
  const m = new ProtoMessage()
    .string(1, str(s.$ref))
    .string(2, str(s.format))
    .string(3, str(s.title))
    .string(4, str(s.description));
  if (s.default !== undefined) m.message(5, any(s.default));
  m.double(6, num(s.multipleOf))
    .double(7, num(s.maximum))
    .bool(8, bool(s.exclusiveMaximum))
    .double(9, num(s.minimum))
    .bool(10, bool(s.exclusiveMinimum))
    .int64(11, num(s.maxLength))
    .int64(12, num(s.minLength))
    .string(13, str(s.pattern))
    .int64(14, num(s.maxItems))
    .int64(15, num(s.minItems))
    .bool(16, bool(s.uniqueItems))
    .int64(17, num(s.maxProperties))
    .int64(18, num(s.minProperties))
    .strings(19, strs(s.required));
  if (Array.isArray(s.enum)) m.messages(20, s.enum.map(any));
  if (typeof s.additionalProperties === "boolean") {
    m.message(21, new ProtoMessage().bool(2, s.additionalProperties, true));
  } else if (obj(s.additionalProperties)) {
    m.message(21, new ProtoMessage().message(1, encodeSchema(s.additionalProperties as Obj)));
  }
  if (typeof s.type === "string" || Array.isArray(s.type)) {
    m.message(22, new ProtoMessage().strings(1, typeof s.type === "string" ? [s.type] : strs(s.type)));
  }
  if (s.items !== undefined) {
    const items = Array.isArray(s.items) ? (s.items as Obj[]) : [s.items as Obj];
    m.message(23, new ProtoMessage().messages(1, items.map(encodeSchema)));
  }
  if (Array.isArray(s.allOf)) m.messages(24, (s.allOf as Obj[]).map(encodeSchema));
  const properties = obj(s.properties);
  if (properties) {
    const props = Object.entries(properties).map(([name, p]) => named(name, encodeSchema(p as Obj)));
    m.message(25, new ProtoMessage().messages(1, props));
  }
  m.string(26, str(s.discriminator)).bool(27, bool(s.readOnly));
  if (s.example !== undefined) m.message(30, any(s.example));
  return m.messages(31, extensions(s));
}

/** The primitive-parameter fields shared by the query and path sub-schemas, from `type` on. */
function primitiveFields(m: ProtoMessage, p: Obj, first: number): ProtoMessage {
  m.string(first, str(p.type)).string(first + 1, str(p.format));
  // items (first + 2) and collection_format (first + 3) are not used by this server's parameters.
  if (p.default !== undefined) m.message(first + 4, any(p.default));
  m.double(first + 5, num(p.maximum))
    .bool(first + 6, bool(p.exclusiveMaximum))
    .double(first + 7, num(p.minimum))
    .bool(first + 8, bool(p.exclusiveMinimum))
    .int64(first + 9, num(p.maxLength))
    .int64(first + 10, num(p.minLength))
    .string(first + 11, str(p.pattern))
    .int64(first + 12, num(p.maxItems))
    .int64(first + 13, num(p.minItems))
    .bool(first + 14, bool(p.uniqueItems));
  if (Array.isArray(p.enum)) m.messages(first + 15, p.enum.map(any));
  return m.double(first + 16, num(p.multipleOf)).messages(first + 17, extensions(p));
}

/** ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2 } }. */
function encodeParameter(p: Obj): ProtoMessage {
  if (typeof p.$ref === "string") return new ProtoMessage().message(2, new ProtoMessage().string(1, p.$ref));
  const parameter = new ProtoMessage();
  if (p.in === "body") {
    const body = new ProtoMessage()
      .string(1, str(p.description))
      .string(2, str(p.name))
      .string(3, "body")
      .bool(4, bool(p.required))
      .message(5, obj(p.schema) ? encodeSchema(p.schema as Obj) : undefined)
      .messages(6, extensions(p));
    parameter.message(1, body);
  } else {
    const common = (m: ProtoMessage) =>
      m.bool(1, bool(p.required)).string(2, str(p.in)).string(3, str(p.description)).string(4, str(p.name));
    const nonBody = new ProtoMessage();
    if (p.in === "path") {
      nonBody.message(4, primitiveFields(common(new ProtoMessage()), p, 5));
    } else {
      // QueryParameterSubSchema has allow_empty_value at 5, then the same fields from 6.
      nonBody.message(3, primitiveFields(common(new ProtoMessage()).bool(5, bool(p.allowEmptyValue)), p, 6));
    }
    parameter.message(2, nonBody);
  }
  return new ProtoMessage().message(1, parameter);
}

function encodeOperation(o: Obj): ProtoMessage {
  const m = new ProtoMessage()
    .strings(1, strs(o.tags))
    .string(2, str(o.summary))
    .string(3, str(o.description))
    .string(5, str(o.operationId))
    .strings(6, strs(o.produces))
    .strings(7, strs(o.consumes))
    .messages(8, (Array.isArray(o.parameters) ? (o.parameters as Obj[]) : []).map(encodeParameter));
  const responses = new ProtoMessage();
  for (const [code, r] of Object.entries(obj(o.responses) ?? {})) {
    const response = r as Obj;
    const value = new ProtoMessage();
    if (typeof response.$ref === "string") {
      value.message(2, new ProtoMessage().string(1, response.$ref));
    } else {
      const body = new ProtoMessage().string(1, str(response.description));
      if (obj(response.schema)) body.message(2, new ProtoMessage().message(1, encodeSchema(response.schema as Obj)));
      value.message(1, body.messages(5, extensions(response)));
    }
    responses.message(1, named(code, value));
  }
  return m.message(9, responses).strings(10, strs(o.schemes)).bool(11, bool(o.deprecated)).messages(13, extensions(o));
}

const PATH_ITEM_FIELDS = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 } as const;

function encodePathItem(item: Obj): ProtoMessage {
  const m = new ProtoMessage().string(1, str(item.$ref));
  for (const [method, field] of Object.entries(PATH_ITEM_FIELDS)) {
    const op = obj(item[method]);
    if (op) m.message(field, encodeOperation(op));
  }
  return m
    .messages(9, (Array.isArray(item.parameters) ? (item.parameters as Obj[]) : []).map(encodeParameter))
    .messages(10, extensions(item));
}

function encodeSecurityDefinition(d: Obj): ProtoMessage {
  const item = new ProtoMessage();
  if (d.type === "apiKey") {
    item.message(
      2,
      new ProtoMessage()
        .string(1, "apiKey")
        .string(2, str(d.name))
        .string(3, str(d.in))
        .string(4, str(d.description))
        .messages(5, extensions(d)),
    );
  } else if (d.type === "basic") {
    item.message(1, new ProtoMessage().string(1, "basic").string(2, str(d.description)).messages(3, extensions(d)));
  }
  return item;
}

/** Encodes a Swagger 2.0 object as gnostic's openapi.v2.Document. */
export function encodeDocument(swagger: Obj): Buffer {
  const info = obj(swagger.info) ?? {};
  const doc = new ProtoMessage()
    .string(1, str(swagger.swagger))
    .message(
      2,
      new ProtoMessage()
        .string(1, str(info.title))
        .string(2, str(info.version))
        .string(3, str(info.description))
        .messages(7, extensions(info)),
    )
    .string(3, str(swagger.host))
    .string(4, str(swagger.basePath))
    .strings(5, strs(swagger.schemes))
    .strings(6, strs(swagger.consumes))
    .strings(7, strs(swagger.produces));
  const paths = obj(swagger.paths) ?? {};
  doc.message(
    8,
    new ProtoMessage().messages(1, extensions(paths)).messages(
      2,
      Object.entries(paths)
        .filter(([p]) => !p.startsWith("x-"))
        .map(([p, item]) => named(p, encodePathItem(item as Obj))),
    ),
  );
  const definitions = Object.entries(obj(swagger.definitions) ?? {}).map(([n, s]) => named(n, encodeSchema(s as Obj)));
  doc.message(9, new ProtoMessage().messages(1, definitions));
  for (const requirement of Array.isArray(swagger.security) ? (swagger.security as Obj[]) : []) {
    const entries = Object.entries(requirement).map(([n, scopes]) =>
      named(n, new ProtoMessage().strings(1, strs(scopes))),
    );
    doc.message(12, new ProtoMessage().messages(1, entries));
  }
  const security = obj(swagger.securityDefinitions);
  if (security) {
    const entries = Object.entries(security).map(([n, d]) => named(n, encodeSecurityDefinition(d as Obj)));
    doc.message(13, new ProtoMessage().messages(1, entries));
  }
  return doc.messages(16, extensions(swagger)).finish();
}
