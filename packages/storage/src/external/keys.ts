import type { StoredObject } from "../interface.js";
import { SourceError } from "./errors.js";

/** Which object a key names, as a source sees it (cluster-scoped objects have no namespace). */
export interface SourceObjectRef {
  readonly namespace?: string;
  readonly name: string;
}

/** What a list asks for: one namespace, or everything (namespace absent). */
export interface SourceScope {
  readonly namespace?: string;
}

/**
 * The runtime's key layout for one kind, `<prefix>[<namespace>/]<name>` with prefix
 * `/registry/<group>/<plural>/`: turns source objects into keys and keys back into refs,
 * so that sources deal in namespaces and names only.
 */
export class ResourceKeys {
  constructor(readonly prefix: string) {
    if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
      throw new RangeError(`a key prefix starts and ends with "/", got ${JSON.stringify(prefix)}`);
    }
  }

  /** The key of an object from its metadata; InvalidObject when the name or namespace cannot be a path segment. */
  keyOf(object: StoredObject, listed: string): string {
    const { name, namespace } = object.metadata ?? {};
    if (!isSegment(name)) throw SourceError.invalidObject(listed, `metadata.name ${JSON.stringify(name)}`);
    if (namespace === undefined || namespace === "") return `${this.prefix}${name}`;
    if (!isSegment(namespace))
      throw SourceError.invalidObject(listed, `metadata.namespace ${JSON.stringify(namespace)}`);
    return `${this.prefix}${namespace}/${name}`;
  }

  refOf(key: string): SourceObjectRef {
    const [first, second, ...rest] = this.segments(key);
    if (first === undefined || first === "" || second === "" || rest.length > 0) throw this.outside(key);
    return second === undefined ? { name: first } : { namespace: first, name: second };
  }

  /** The scope of a list prefix: the kind's prefix (everything) or `<prefix><namespace>/`. */
  scopeOf(prefix: string): SourceScope {
    if (prefix === this.prefix) return {};
    const [namespace, end, ...rest] = this.segments(prefix);
    if (!namespace || end !== "" || rest.length > 0) throw this.outside(prefix);
    return { namespace };
  }

  /** The list prefix that holds `key`: its namespace's, or the kind's for cluster-scoped keys. */
  parentOf(key: string): string {
    const ref = this.refOf(key);
    return ref.namespace === undefined ? this.prefix : `${this.prefix}${ref.namespace}/`;
  }

  /** Every list prefix a read of `key` can come from, widest first. */
  covering(key: string): string[] {
    const parent = this.parentOf(key);
    return parent === this.prefix ? [parent] : [this.prefix, parent];
  }

  private segments(keyOrPrefix: string): string[] {
    if (!keyOrPrefix.startsWith(this.prefix)) throw this.outside(keyOrPrefix);
    return keyOrPrefix.slice(this.prefix.length).split("/");
  }

  private outside(keyOrPrefix: string): RangeError {
    return new RangeError(`${keyOrPrefix} is not a key or list prefix under ${this.prefix}`);
  }
}

function isSegment(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value !== "." && value !== ".." && !value.includes("/");
}
