// The objects scenarios store: wardle Flunders of about 1 KB of JSON as the server returns
// them (labels, annotations, a list of items), unique per index.
export const GROUP = "wardle.example.com";
export const VERSION = "v1alpha1";
export const GROUP_VERSION_PATH = `/apis/${GROUP}/${VERSION}`;
export const FLUNDERS = (namespace = "default") => `${GROUP_VERSION_PATH}/namespaces/${namespace}/flunders`;

/** A Flunder as a client sends it; the server adds about 250 bytes of metadata. */
export function flunder(name, index = 0, namespace = "default") {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Flunder",
    metadata: {
      name,
      namespace,
      labels: { app: "benchmark", tier: `tier-${index % 7}`, shard: String(index % 16) },
      annotations: { "bench.example.com/note": `object ${index} of a benchmark run, padded to a realistic size` },
    },
    spec: {
      reference: `fischer-${index % 100}`,
      referenceType: "Fischer",
      replicas: (index % 5) + 1,
      color: ["red", "green", "blue"][index % 3],
      items: Array.from({ length: 3 }, (_, i) => ({ name: `item-${i}`, size: index * 3 + i })),
    },
  };
}

/** The storage key of a namespaced wardle Flunder (the runtime's /registry layout). */
export function flunderKey(name, namespace = "default") {
  return `/registry/${GROUP}/flunders/${namespace}/${name}`;
}
