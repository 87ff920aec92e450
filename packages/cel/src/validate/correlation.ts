import type { CelSchema } from "../schema/schema.js";
import { isPlainObject } from "../schema/values.js";

// Matching new values to old ones, as Kubernetes does on update (apiserver pkg/cel/common/equality.go).

/** JSON deep equality, as reflect.DeepEqual on decoded JSON. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The old items of a map list by their key, to find the old version of a new item. */
export class MapList {
  private readonly byKey = new Map<string, unknown>();

  constructor(
    private readonly keys: readonly string[],
    old: readonly unknown[],
  ) {
    for (const item of old) {
      const k = this.key(item);
      if (k !== undefined && !this.byKey.has(k)) this.byKey.set(k, item);
    }
  }

  get(item: unknown): unknown {
    const k = this.key(item);
    return k === undefined ? undefined : this.byKey.get(k);
  }

  private key(item: unknown): string | undefined {
    if (!isPlainObject(item)) return undefined;
    return JSON.stringify(this.keys.map((k) => item[k] ?? null));
  }
}

/** The old item matching new item i of a list, for transition rules: only map lists correlate. */
export function makeMapList(schema: CelSchema, old: unknown): MapList | undefined {
  if (schema["x-kubernetes-list-type"] !== "map" || !Array.isArray(old)) return undefined;
  return new MapList(schema["x-kubernetes-list-map-keys"] ?? [], old);
}

/**
 * A new value with its old counterpart, for ratcheting: an error of a rule that doesn't use oldSelf
 * is downgraded to a warning when the value it's about, or its nearest comparable ancestor, is unchanged.
 */
export class CorrelatedObject {
  private equal: boolean | undefined;
  private mapList: MapList | undefined;
  private readonly children = new Map<string | number, CorrelatedObject | undefined>();

  constructor(
    readonly value: unknown,
    readonly oldValue: unknown,
    readonly schema: CelSchema,
  ) {}

  cachedDeepEqual(): boolean {
    this.equal ??= deepEqual(this.value, this.oldValue);
    return this.equal;
  }

  key(field: string): CorrelatedObject | undefined {
    if (this.children.has(field)) return this.children.get(field);
    let child: CorrelatedObject | undefined;
    if (
      isPlainObject(this.value) &&
      isPlainObject(this.oldValue) &&
      Object.hasOwn(this.value, field) &&
      Object.hasOwn(this.oldValue, field)
    ) {
      const s =
        this.schema.properties?.[field] ??
        (typeof this.schema.additionalProperties === "object" ? this.schema.additionalProperties : undefined);
      if (s) child = new CorrelatedObject(this.value[field], this.oldValue[field], s);
    }
    this.children.set(field, child);
    return child;
  }

  index(i: number): CorrelatedObject | undefined {
    if (this.children.has(i)) return this.children.get(i);
    let child: CorrelatedObject | undefined;
    if (Array.isArray(this.value) && Array.isArray(this.oldValue) && i < this.value.length && this.schema.items) {
      let old: unknown;
      switch (this.schema["x-kubernetes-list-type"]) {
        case "map":
          this.mapList ??= new MapList(this.schema["x-kubernetes-list-map-keys"] ?? [], this.oldValue);
          old = this.mapList.get(this.value[i]);
          break;
        case "set":
        case "atomic":
          break;
        default:
          old = this.oldValue[i];
      }
      if (old !== undefined && old !== null) child = new CorrelatedObject(this.value[i], old, this.schema.items);
    }
    this.children.set(i, child);
    return child;
  }
}

/** The correlation of the node being validated and of its nearest correlatable ancestor. */
export interface Ratchet {
  current?: CorrelatedObject | undefined;
  nearestParent?: CorrelatedObject | undefined;
}

export function ratchetKey(r: Ratchet, field: string): Ratchet {
  if (!r.current) return r;
  // apiVersion and kind are the same in old and new after conversion, so they can't ratchet.
  if (!r.nearestParent && (field === "apiVersion" || field === "kind")) return {};
  return { current: r.current.key(field), nearestParent: r.current };
}

export function ratchetIndex(r: Ratchet, i: number): Ratchet {
  if (!r.current) return r;
  return { current: r.current.index(i), nearestParent: r.current };
}

export function shouldRatchet(r: Ratchet): boolean {
  if (r.current) return r.current.cachedDeepEqual();
  return r.nearestParent?.cachedDeepEqual() ?? false;
}
