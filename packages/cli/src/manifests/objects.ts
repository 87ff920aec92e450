/**
 * The Kubernetes objects that run an aggregated API server in a cluster, as plain data: what
 * k8s.io/sample-apiserver's artifacts hold (APIService per group-version, Service, Deployment,
 * ServiceAccount, the two delegation bindings) plus the controller's own role, the serving
 * certificate (a Secret or cert-manager resources) and an optional etcd.
 */
import type { ResourceRecord } from "../project/project-file.js";

export type KubeManifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
};

export interface DeploymentSettings {
  /** Names the Service, Deployment, ServiceAccount and roles. */
  name: string;
  namespace: string;
  image: string;
  group: string;
  versions: string[];
  resources: ResourceRecord[];
  /** The serving certificate's CA, base64-encoded into each APIService (absent with cert-manager). */
  caBundle?: string;
  certManager: boolean;
  etcd: boolean;
}

export const SERVING_CERT_MOUNT = "/var/run/serving-cert";
const PORT = 8443;

const labelsOf = (settings: DeploymentSettings, component?: string) => ({
  "app.kubernetes.io/name": settings.name,
  ...(component ? { "app.kubernetes.io/component": component } : {}),
  "app.kubernetes.io/managed-by": "scaffold",
});

export const servingSecretName = (settings: DeploymentSettings) => `${settings.name}-serving-cert`;
export const etcdName = (settings: DeploymentSettings) => `${settings.name}-etcd`;

export function namespaceObject(settings: DeploymentSettings): KubeManifest {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name: settings.namespace, labels: labelsOf(settings) } };
}

export function rbacObjects(settings: DeploymentSettings): KubeManifest[] {
  const subject = [{ kind: "ServiceAccount", name: settings.name, namespace: settings.namespace }];
  const plurals = settings.resources.map((resource) => resource.plural);
  // status and scale are read and written (get, update, patch); custom subresources are actions
  // (create) or reads and streams (get).
  const builtIn = new Set(["status", "scale"]);
  const subresources = settings.resources.flatMap((resource) =>
    resource.subresources.filter((name) => builtIn.has(name)).map((name) => `${resource.plural}/${name}`),
  );
  const custom = settings.resources.flatMap((resource) =>
    resource.subresources.filter((name) => !builtIn.has(name)).map((name) => `${resource.plural}/${name}`),
  );
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: settings.name, namespace: settings.namespace, labels: labelsOf(settings) },
    },
    {
      // Lets the server ask kube-apiserver to authenticate tokens and authorize requests (TokenReview, SubjectAccessReview).
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${settings.name}:system:auth-delegator`, labels: labelsOf(settings) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: subject,
    },
    {
      // Lets the server read the front-proxy CA and allowed names from kube-system/extension-apiserver-authentication.
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: `${settings.name}-auth-reader`, namespace: "kube-system", labels: labelsOf(settings) },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "extension-apiserver-authentication-reader",
      },
      subjects: subject,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${settings.name}-controller`, labels: labelsOf(settings, "controller") },
      rules: [
        {
          apiGroups: [settings.group],
          resources: plurals,
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        ...(subresources.length > 0
          ? [{ apiGroups: [settings.group], resources: subresources, verbs: ["get", "update", "patch"] }]
          : []),
        ...(custom.length > 0 ? [{ apiGroups: [settings.group], resources: custom, verbs: ["get", "create"] }] : []),
        { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
        // NamespaceLifecycle admission reads namespaces: creates in a missing or terminating one are refused.
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${settings.name}-controller`, labels: labelsOf(settings, "controller") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${settings.name}-controller` },
      subjects: subject,
    },
  ];
}

export function servingSecret(
  settings: DeploymentSettings,
  cert: { caCert: string; cert: string; key: string },
): KubeManifest {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: servingSecretName(settings), namespace: settings.namespace, labels: labelsOf(settings) },
    data: { "tls.crt": b64(cert.cert), "tls.key": b64(cert.key), "ca.crt": b64(cert.caCert) },
  };
}

/** A self-signed CA issuer, the CA certificate, a CA issuer, and the serving certificate. */
export function certManagerObjects(settings: DeploymentSettings, dnsNames: string[]): KubeManifest[] {
  const meta = (name: string) => ({ name, namespace: settings.namespace, labels: labelsOf(settings) });
  return [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: meta(`${settings.name}-selfsigned`),
      spec: { selfSigned: {} },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: meta(`${settings.name}-ca`),
      spec: {
        isCA: true,
        commonName: `${settings.name}-ca`,
        secretName: `${settings.name}-ca`,
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: `${settings.name}-selfsigned`, kind: "Issuer" },
      },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: meta(`${settings.name}-ca`),
      spec: { ca: { secretName: `${settings.name}-ca` } },
    },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: meta(servingSecretName(settings)),
      spec: {
        secretName: servingSecretName(settings),
        dnsNames,
        usages: ["server auth"],
        privateKey: { algorithm: "ECDSA", size: 256 },
        issuerRef: { name: `${settings.name}-ca`, kind: "Issuer" },
      },
    },
  ];
}

export function etcdObjects(settings: DeploymentSettings): KubeManifest[] {
  const name = etcdName(settings);
  const labels = labelsOf(settings, "etcd");
  const selector = { "app.kubernetes.io/name": settings.name, "app.kubernetes.io/component": "etcd" };
  const peer = `http://${name}-0.${name}.${settings.namespace}.svc:2380`;
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: settings.namespace, labels },
      spec: {
        clusterIP: "None",
        selector,
        ports: [
          { name: "client", port: 2379 },
          { name: "peer", port: 2380 },
        ],
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name, namespace: settings.namespace, labels },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 },
            containers: [
              {
                name: "etcd",
                image: "registry.k8s.io/etcd:3.5.21-0",
                command: [
                  "etcd",
                  `--name=${name}-0`,
                  "--data-dir=/var/lib/etcd",
                  "--listen-client-urls=http://0.0.0.0:2379",
                  `--advertise-client-urls=http://${name}-0.${name}.${settings.namespace}.svc:2379`,
                  "--listen-peer-urls=http://0.0.0.0:2380",
                  `--initial-advertise-peer-urls=${peer}`,
                  `--initial-cluster=${name}-0=${peer}`,
                  "--auto-compaction-retention=1h",
                ],
                ports: [
                  { name: "client", containerPort: 2379 },
                  { name: "peer", containerPort: 2380 },
                ],
                volumeMounts: [{ name: "data", mountPath: "/var/lib/etcd" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    },
  ];
}

/** The server flags of the in-cluster Deployment. */
export function serverArgs(settings: DeploymentSettings): string[] {
  const storage = settings.etcd
    ? [
        "--storage=etcd",
        `--etcd-servers=http://${etcdName(settings)}-0.${etcdName(settings)}.${settings.namespace}.svc:2379`,
        `--etcd-prefix=/registry/${settings.group}`,
        "--data-dir=/tmp/data",
      ]
    : ["--storage=sqlite", `--data-dir=/var/lib/${settings.name}`];
  return [
    `--secure-port=${PORT}`,
    `--tls-cert-file=${SERVING_CERT_MOUNT}/tls.crt`,
    `--tls-private-key-file=${SERVING_CERT_MOUNT}/tls.key`,
    // Readiness fails first on SIGTERM; the endpoints controller takes the pod out before it stops serving.
    "--shutdown-delay-duration=5s",
    ...storage,
  ];
}

export function serverObjects(settings: DeploymentSettings): KubeManifest[] {
  const labels = labelsOf(settings, "apiserver");
  const selector = { "app.kubernetes.io/name": settings.name, "app.kubernetes.io/component": "apiserver" };
  const probe = (path: string) => ({ httpGet: { path, port: "https", scheme: "HTTPS" }, periodSeconds: 10 });
  const volumes: unknown[] = [
    { name: "serving-cert", secret: { secretName: servingSecretName(settings) } },
    { name: "tmp", emptyDir: {} },
  ];
  const mounts: unknown[] = [
    { name: "serving-cert", mountPath: SERVING_CERT_MOUNT, readOnly: true },
    { name: "tmp", mountPath: "/tmp" },
  ];
  const objects: KubeManifest[] = [];
  if (!settings.etcd) {
    // SQLite is one file owned by one process: one replica on a persistent volume.
    objects.push({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: `${settings.name}-data`, namespace: settings.namespace, labels },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    volumes.push({ name: "data", persistentVolumeClaim: { claimName: `${settings.name}-data` } });
    mounts.push({ name: "data", mountPath: `/var/lib/${settings.name}` });
  }
  objects.push(
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: settings.name, namespace: settings.namespace, labels },
      spec: { selector, ports: [{ name: "https", port: 443, targetPort: "https" }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: settings.name, namespace: settings.namespace, labels },
      spec: {
        replicas: settings.etcd ? 2 : 1,
        ...(settings.etcd ? {} : { strategy: { type: "Recreate" } }),
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: settings.name,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "apiserver",
                image: settings.image,
                args: serverArgs(settings),
                ports: [{ name: "https", containerPort: PORT }],
                readinessProbe: probe("/readyz"),
                livenessProbe: probe("/livez"),
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  );
  return objects;
}

/** One APIService per group-version: the aggregator proxies `/apis/<group>/<version>` to the Service. */
export function apiServiceObjects(settings: DeploymentSettings): KubeManifest[] {
  return settings.versions.map((version) => ({
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: {
      name: `${version}.${settings.group}`,
      labels: labelsOf(settings),
      ...(settings.certManager
        ? { annotations: { "cert-manager.io/inject-ca-from": `${settings.namespace}/${servingSecretName(settings)}` } }
        : {}),
    },
    spec: {
      group: settings.group,
      version,
      service: { name: settings.name, namespace: settings.namespace, port: 443 },
      ...(settings.caBundle ? { caBundle: settings.caBundle } : {}),
      groupPriorityMinimum: 1000,
      versionPriority: 15,
    },
  }));
}
