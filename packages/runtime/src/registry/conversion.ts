/**
 * Converting objects between a kind's versions through its hub (the storage version).
 * Stored objects keep the apiVersion they were written with; they are brought to the
 * hub on read, so changing the storage version needs no migration step.
 */
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ApiResource, ResourceVersion } from "../model/api-model.js";
import { applyDefaults, needsDefaults } from "../schema/structural.js";
import { cloneObject } from "./objects.js";

function conversionError(resource: ApiResource, from: string, to: string, error: unknown): StatusError {
  const message = error instanceof Error ? error.message : String(error);
  return StatusError.internal(
    new Error(`conversion of ${resource.kind}.${resource.group} from ${from} to ${to} failed: ${message}`),
  );
}

/** The version an object's apiVersion names, or undefined when it isn't one of the kind's versions. */
function versionOf(resource: ApiResource, object: KubeObject): ResourceVersion | undefined {
  const apiVersion = object.apiVersion;
  if (!apiVersion) return undefined;
  const name = apiVersion.startsWith(`${resource.group}/`) ? apiVersion.slice(resource.group.length + 1) : undefined;
  if (name === undefined) return undefined;
  return resource.allVersions.find((v) => v.name === name);
}

/** Brings an object in `version` to the hub. The input is not modified. */
export function toHub(resource: ApiResource, version: ResourceVersion, object: KubeObject): KubeObject {
  const hub = resource.hub;
  if (version.name === hub.name) return object;
  const convert = version.definition.conversion;
  if (!convert) throw conversionError(resource, version.name, hub.name, new Error("no conversion is defined"));
  try {
    const converted = convert.toHub(cloneObject(object));
    return { ...converted, apiVersion: hub.apiVersion, kind: resource.kind };
  } catch (error) {
    throw conversionError(resource, version.name, hub.name, error);
  }
}

/** Brings a hub object to `version`. The input is not modified (it may be returned as is). */
export function fromHub(resource: ApiResource, version: ResourceVersion, object: KubeObject): KubeObject {
  const hub = resource.hub;
  if (version.name === hub.name) return object;
  const convert = version.definition.conversion;
  if (!convert) throw conversionError(resource, hub.name, version.name, new Error("no conversion is defined"));
  try {
    const converted = convert.fromHub(cloneObject(object));
    return { ...converted, apiVersion: version.apiVersion, kind: resource.kind };
  } catch (error) {
    throw conversionError(resource, hub.name, version.name, error);
  }
}

/** A stored object in the hub version, whatever version it was stored in. */
export function storedToHub(resource: ApiResource, object: KubeObject): KubeObject {
  const stored = versionOf(resource, object);
  if (!stored || stored.name === resource.hub.name) return object;
  return toHub(resource, stored, object);
}

/**
 * A stored object in the hub version, defaulted first by the schema of the version it was stored
 * in, as kube-apiserver's codec defaults what it reads from etcd: a default added since the object
 * was written is then no change of its spec. The input is not modified.
 */
export function decodeStored(resource: ApiResource, object: KubeObject): KubeObject {
  const stored = versionOf(resource, object) ?? resource.hub;
  if (!needsDefaults(object, stored.schema)) return storedToHub(resource, object);
  const defaulted = cloneObject(object);
  applyDefaults(defaulted, stored.schema);
  return storedToHub(resource, defaulted);
}
