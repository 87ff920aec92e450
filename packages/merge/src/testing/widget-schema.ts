import type { StrategicMergeSchema } from "../schema/structural-schema.js";

// The schema the upstream-mirroring cases run against: apimachinery's test type MergeItem,
// renamed into Kubernetes-like fields (upstream name in brackets).
//
//   name                      [name]                  string
//   image, note               [value, other]          strings
//   containers                [mergingList]           merge by name, items Widget
//   sidecars                  [mergeItemPtr]          merge by name, items Widget
//   steps                     [nonMergingList]        replaced, items Widget
//   ports                     [mergingIntList]        merge (a set of integers)
//   priorities                [nonMergingIntList]     replaced integers
//   labels                    [simpleMap]             map of strings
//   template                  [replacingItem]         replace strategy, free-form
//   config                    [jsonItem]              free-form (preserve-unknown-fields)
//   strategy                  [retainKeysMap]         retainKeys strategy
//   volumes                   [retainKeysMergingList] "merge,retainKeys" by name

const widget: StrategicMergeSchema = { type: "object" };

const string: StrategicMergeSchema = { type: "string" };
const mergingByName = (items: StrategicMergeSchema): StrategicMergeSchema => ({
  type: "array",
  items,
  "x-kubernetes-patch-strategy": "merge",
  "x-kubernetes-patch-merge-key": "name",
});
const ports: StrategicMergeSchema = {
  type: "array",
  items: { type: "integer" },
  "x-kubernetes-patch-strategy": "merge",
};
const steps: StrategicMergeSchema = { type: "array", items: widget };
const labels: StrategicMergeSchema = { type: "object", additionalProperties: string };

widget.properties = {
  name: string,
  image: string,
  note: string,
  containers: mergingByName(widget),
  sidecars: mergingByName(widget),
  steps,
  ports,
  priorities: { type: "array", items: { type: "integer" } },
  labels,
  template: { type: "object", "x-kubernetes-patch-strategy": "replace", "x-kubernetes-preserve-unknown-fields": true },
  config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
  strategy: {
    type: "object",
    "x-kubernetes-patch-strategy": "retainKeys",
    properties: { name: string, image: string, note: string, labels, ports, containers: mergingByName(widget), steps },
  },
  volumes: { ...mergingByName(widget), "x-kubernetes-patch-strategy": "merge,retainKeys" },
};

export const widgetSchema: StrategicMergeSchema = widget;
