/**
 * Listers for admission plugins: read access to every resource the server serves,
 * through the same stores the handlers use (served from the watch cache when it is on,
 * so a plugin's reads cost no storage round trip).
 */
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/meta.js";
import type { ApiResource } from "../model/api-model.js";
import type { GenericStore, RequestContext } from "../registry/generic-store.js";
import type { AdmissionContext, Lister } from "./admission.js";

const systemContext = (namespace: string): RequestContext => ({
  user: { name: "system:apiserver", groups: ["system:masters"] },
  namespace,
  subresource: "",
  dryRun: false,
  warnings: [],
});

export function admissionContext(stores: ReadonlyMap<ApiResource, GenericStore>): AdmissionContext {
  const listers = new Map<string, Lister>();
  return {
    lister<T extends KubeObject = KubeObject>(group: string, resource: string): Lister<T> {
      const key = `${resource}.${group}`;
      let lister = listers.get(key);
      if (!lister) {
        const store = [...stores.entries()].find(([r]) => r.group === group && r.plural === resource)?.[1];
        if (!store) throw new Error(`admission: this server serves no resource ${key}`);
        lister = {
          async get(namespace, name) {
            try {
              return await store.get(systemContext(namespace), name, { kind: "any" });
            } catch (error) {
              if (error instanceof StatusError && error.reason === "NotFound") return undefined;
              throw error;
            }
          },
          async list(namespace) {
            return (await store.list(systemContext(namespace ?? ""), { consistency: { kind: "any" } })).items;
          },
        };
        listers.set(key, lister);
      }
      return lister as Lister<T>;
    },
  };
}
