/** Test support: a project record with two kinds, two versions and a custom subresource. */
import type { ProjectFile } from "../project/project-file.js";

export const WIDGETS_PROJECT: ProjectFile = {
  version: 1,
  name: "widgets",
  group: "widgets.example.com",
  groupFolder: "widgets",
  apiserverKit: "/src/apiserver-kit",
  resources: [
    {
      kind: "Widget",
      plural: "widgets",
      scope: "Namespaced",
      versions: ["v1beta1", "v1alpha1"],
      storageVersion: "v1alpha1",
      subresources: ["status", "scale", "approve"],
    },
    {
      kind: "Gadget",
      plural: "gadgets",
      scope: "Cluster",
      versions: ["v1alpha1"],
      storageVersion: "v1alpha1",
      subresources: ["status"],
    },
  ],
};
