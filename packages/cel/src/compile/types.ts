import type { Environment } from "@marcbachmann/cel-js";
import type { DeclType } from "../schema/decl.js";

// Declares a schema node's CEL types in a type-checking environment: every object becomes a message
// type (so unknown fields and wrong operand types are compile errors), named after its place below
// the rule's node (`self.spec.items.__items__`), lists and maps become list<...> and map<string, ...>.

/** Message type names mapped to their schema types, for checks the engine's checker leaves out (has()). */
export type MessageTypes = Map<string, DeclType>;

export function celTypeName(decl: DeclType | undefined, name: string, messages: MessageTypes): string {
  if (!decl) return "dyn";
  switch (decl.kind) {
    case "object":
      if (!messages.has(name)) {
        messages.set(name, decl);
        for (const f of decl.fields?.values() ?? []) celTypeName(f.type, `${name}.${f.celName}`, messages);
      }
      return name;
    case "list":
      return `list<${celTypeName(decl.elem, `${name}.__items__`, messages)}>`;
    case "map":
      return `map<string, ${celTypeName(decl.elem, `${name}.__values__`, messages)}>`;
    case "timestamp":
      return "google.protobuf.Timestamp";
    case "duration":
      return "google.protobuf.Duration";
    case "double":
    case "int":
    case "string":
    case "bool":
    case "bytes":
    case "dyn":
      return decl.kind;
  }
}

/** Registers the message types of decl's tree and returns the CEL type name of decl itself. */
export function registerDeclTypes(
  env: Environment,
  decl: DeclType | undefined,
  rootName: string,
  messages: MessageTypes,
): string {
  const rootType = celTypeName(decl, rootName, messages);
  // Register the deepest types first so field declarations name types that exist.
  const names = [...messages.keys()].sort((a, b) => b.split(".").length - a.split(".").length);
  for (const name of names) {
    const d = messages.get(name) as DeclType;
    const fields: Record<string, string> = {};
    for (const f of d.fields?.values() ?? []) fields[f.celName] = celTypeName(f.type, `${name}.${f.celName}`, messages);
    env.registerType(name, { fields });
    // Objects compare structurally; the checker needs the overload, evaluation happens elsewhere.
    env.registerOperator(`${name} == ${name}`, () => false);
    // cel-go lets objects be compared with null.
    env.registerOperator(`${name} == null`, () => false);
  }
  return rootType;
}

/** The shallow type an evaluation environment declares for a value of decl (inner structure is dyn). */
export function erasedTypeName(decl: DeclType | undefined): string {
  switch (decl?.kind) {
    case undefined:
    case "dyn":
      return "dyn";
    case "object":
    case "map":
      return "map<string, dyn>";
    case "list":
      return "list<dyn>";
    default:
      return celTypeName(decl, "", new Map());
  }
}
