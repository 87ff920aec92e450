import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { CliError } from "../cli/errors.js";
import { FilePlan } from "../machinery/file-plan.js";
import { WIDGETS_PROJECT } from "../testing/fixtures.js";
import type { KubeManifest } from "./objects.js";
import { MANIFEST_FILES, planManifests } from "./plan.js";

const project = WIDGETS_PROJECT;

function objectsIn(root: string): KubeManifest[] {
  const files = Object.values(MANIFEST_FILES);
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(join(root, file), "utf8");
    } catch {
      return [];
    }
    return parseAllDocuments(text).map((document) => document.toJSON() as KubeManifest);
  });
}

const find = (objects: KubeManifest[], kind: string, name?: string) =>
  objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));

describe("scaffold manifests", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "manifests-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("writes what an aggregated server needs, with a caBundle that verifies the serving certificate", () => {
    const plan = new FilePlan(root);
    planManifests(plan, project, undefined, { image: "ghcr.io/acme/widgets:1.0.0", namespace: "widgets-system" });
    plan.apply();
    const objects = objectsIn(root);
    assert.deepEqual(
      objects.map((object) => object.kind),
      [
        "Namespace",
        "ServiceAccount",
        "ClusterRoleBinding",
        "RoleBinding",
        "ClusterRole",
        "ClusterRoleBinding",
        "Secret",
        "PersistentVolumeClaim",
        "Service",
        "Deployment",
        "APIService",
        "APIService",
      ],
    );
    const delegator = find(objects, "ClusterRoleBinding", "widgets:system:auth-delegator")[0];
    assert.deepEqual(delegator?.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "system:auth-delegator",
    });
    assert.deepEqual(delegator?.subjects, [{ kind: "ServiceAccount", name: "widgets", namespace: "widgets-system" }]);
    const reader = find(objects, "RoleBinding")[0];
    assert.equal(reader?.metadata.namespace, "kube-system");
    assert.deepEqual(reader?.roleRef, {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "extension-apiserver-authentication-reader",
    });
    const role = find(objects, "ClusterRole", "widgets-controller")[0] as unknown as {
      rules: Array<{ resources: string[]; verbs: string[] }>;
    };
    assert.deepEqual(role.rules[0]?.resources, ["widgets", "gadgets"]);
    assert.deepEqual(role.rules[1], {
      apiGroups: ["widgets.example.com"],
      resources: ["widgets/status", "widgets/scale", "gadgets/status"],
      verbs: ["get", "update", "patch"],
    });
    // a custom subresource is an action (create) or a read or stream (get), never update or patch
    assert.deepEqual(role.rules[2], {
      apiGroups: ["widgets.example.com"],
      resources: ["widgets/approve"],
      verbs: ["get", "create"],
    });

    const deployment = find(objects, "Deployment")[0] as unknown as {
      spec: {
        template: {
          spec: {
            serviceAccountName: string;
            securityContext: { runAsNonRoot: boolean };
            containers: Array<{ image: string; args: string[] }>;
          };
        };
      };
    };
    const pod = deployment.spec.template.spec;
    assert.equal(pod.serviceAccountName, "widgets");
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.containers[0]?.image, "ghcr.io/acme/widgets:1.0.0");
    assert.ok(pod.containers[0]?.args.includes("--tls-cert-file=/var/run/serving-cert/tls.crt"));
    assert.ok(pod.containers[0]?.args.includes("--storage=sqlite"));

    const apiServices = find(objects, "APIService") as unknown as Array<{
      metadata: { name: string };
      spec: {
        group: string;
        version: string;
        caBundle: string;
        service: { name: string; namespace: string; port: number };
      };
    }>;
    assert.deepEqual(
      apiServices.map((s) => s.metadata.name),
      ["v1beta1.widgets.example.com", "v1alpha1.widgets.example.com"],
    );
    const secret = find(objects, "Secret")[0] as unknown as { data: Record<string, string> };
    const serving = new X509Certificate(Buffer.from(secret.data["tls.crt"] ?? "", "base64"));
    for (const apiService of apiServices) {
      assert.deepEqual(apiService.spec.service, { name: "widgets", namespace: "widgets-system", port: 443 });
      const ca = new X509Certificate(Buffer.from(apiService.spec.caBundle, "base64"));
      assert.ok(serving.verify(ca.publicKey), "the caBundle verifies the serving certificate");
      assert.ok(serving.checkIssued(ca));
    }
    assert.equal(serving.checkHost("widgets.widgets-system.svc"), "widgets.widgets-system.svc");
    assert.equal(serving.checkHost("widgets.other.svc"), undefined);
  });

  it("changes nothing when run again, and remembers its choices", () => {
    const plan = new FilePlan(root);
    const { project: recorded } = planManifests(plan, project, undefined, {
      image: "ghcr.io/acme/widgets:1.0.0",
      namespace: "widgets-system",
    });
    assert.deepEqual(
      plan
        .changes()
        .filter((change) => change.kind !== "unchanged")
        .map((change) => change.path),
      [],
    );
    const again = new FilePlan(root);
    planManifests(again, recorded, undefined, {});
    assert.deepEqual(
      again.changes().filter((change) => change.kind !== "unchanged" && change.path !== "PROJECT"),
      [],
    );
  });

  it("hands certificates to cert-manager and storage to etcd when asked", () => {
    const plan = new FilePlan(root);
    planManifests(plan, project, undefined, { namespace: "widgets-system", certManager: true, etcd: true });
    plan.apply();
    const objects = objectsIn(root);
    assert.equal(find(objects, "Secret").length, 0, "the Secret file is removed");
    const certificate = find(objects, "Certificate", "widgets-serving-cert")[0] as unknown as {
      spec: { dnsNames: string[]; secretName: string };
    };
    assert.ok(certificate.spec.dnsNames.includes("widgets.widgets-system.svc"));
    assert.equal(certificate.spec.secretName, "widgets-serving-cert");
    const apiService = find(objects, "APIService")[0] as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: Record<string, unknown>;
    };
    assert.equal(
      apiService.metadata.annotations["cert-manager.io/inject-ca-from"],
      "widgets-system/widgets-serving-cert",
    );
    assert.equal(apiService.spec.caBundle, undefined);
    assert.equal(find(objects, "StatefulSet", "widgets-etcd").length, 1);
    const deployment = find(objects, "Deployment")[0] as unknown as {
      spec: { replicas: number; template: { spec: { containers: Array<{ args: string[] }> } } };
    };
    assert.equal(deployment.spec.replicas, 2);
    assert.ok(
      deployment.spec.template.spec.containers[0]?.args.includes(
        "--etcd-servers=http://widgets-etcd-0.widgets-etcd.widgets-system.svc:2379",
      ),
    );
    assert.equal(find(objects, "PersistentVolumeClaim").length, 0);
  });

  it("refuses a namespace Kubernetes would refuse", () => {
    assert.throws(
      () => planManifests(new FilePlan(root), project, undefined, { namespace: "Widgets_System" }),
      (error: unknown) =>
        error instanceof CliError && error.code === "InvalidArgument" && /namespace name/.test(error.message),
    );
  });

  it("refuses an image reference a container runtime would refuse", () => {
    for (const image of ["Bad Image", "Widgets:1.0", "widgets:", "ghcr.io/acme/widgets:1.0 ", "-widgets"]) {
      assert.throws(
        () => planManifests(new FilePlan(root, { dryRun: true }), project, undefined, { image }),
        (error: unknown) =>
          error instanceof CliError && error.code === "InvalidArgument" && /not an image reference/.test(error.message),
        image,
      );
    }
    for (const image of [
      "widgets:0.1.0",
      "ghcr.io/acme/widgets:1.0.0",
      "localhost:5000/team/widgets_api:v1.2-RC1",
      `registry.example.com/widgets@sha256:${"a".repeat(64)}`,
    ]) {
      planManifests(new FilePlan(root, { dryRun: true }), project, undefined, { image });
    }
  });
});
