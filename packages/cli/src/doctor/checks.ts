/**
 * Checks a running server the way kube-aggregator will: discovery of each group-version must
 * answer 2xx within 5 s (else the APIService goes Available=False, FailedDiscoveryCheck, and
 * every request gets 503), OpenAPI must be served (kubectl explain and validation need it), and
 * the serving certificate must carry the Service's DNS name, chain to the caBundle and not be
 * about to expire. Each finding names the problem and its fix.
 */
import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { isIP } from "node:net";
import type { PeerCertificate, TLSSocket } from "node:tls";

export type FindingStatus = "ok" | "warning" | "problem";

export interface Finding {
  check: "connection" | "discovery" | "openapi" | "certificate" | "apiservice";
  status: FindingStatus;
  message: string;
  fix?: string;
}

export interface DoctorTarget {
  /** e.g. https://127.0.0.1:8443 */
  server: string;
  /** The CA that must verify the serving certificate (an APIService's caBundle), PEM. */
  ca?: string;
  /** A client certificate to authenticate with (local mode's admin). */
  clientCert?: { cert: string; key: string };
  /** The name the aggregator dials (`<service>.<namespace>.svc`); default the server URL's host. */
  serviceName?: string;
  /** Group-versions to check, e.g. `widgets.example.com/v1alpha1`; default all of /apis. */
  groupVersions?: string[];
}

export interface DoctorSettings {
  /** The aggregator's discovery timeout. Default 5000. */
  discoveryTimeoutMs?: number;
  /** A discovery answer slower than this share of the timeout is a warning. Default 0.5. */
  warnAtFraction?: number;
  /** A certificate expiring sooner than this is a problem. Default 30 days. */
  expiryMarginMs?: number;
  /** Milliseconds since the epoch (certificate expiry); injectable for tests. */
  now?: () => number;
  /** A monotonic clock in milliseconds (discovery latency). */
  monotonic?: () => number;
}

interface Answer {
  status: number;
  body: string;
  peer?: PeerCertificate;
}

function get(target: DoctorTarget, path: string, timeoutMs: number, accept = "application/json"): Promise<Answer> {
  const url = new URL(path, target.server);
  const servername = target.serviceName && isIP(target.serviceName) === 0 ? target.serviceName : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "GET",
        rejectUnauthorized: false,
        agent: false,
        ...(servername ? { servername } : {}),
        ...(target.clientCert ? { cert: target.clientCert.cert, key: target.clientCert.key } : {}),
        headers: { Accept: accept, "X-Remote-User": "system:kube-aggregator", "X-Remote-Group": "system:masters" },
        timeout: timeoutMs,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate(true);
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, peer }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;

export async function runDoctor(target: DoctorTarget, settings: DoctorSettings = {}): Promise<Finding[]> {
  const timeout = settings.discoveryTimeoutMs ?? 5000;
  const monotonic = settings.monotonic ?? (() => performance.now());
  const findings: Finding[] = [];
  let root: Answer;
  try {
    root = await get(target, "/apis", timeout);
  } catch (error) {
    return [
      {
        check: "connection",
        status: "problem",
        message: `${target.server} can't be reached: ${(error as Error).message}`,
        fix: "start the server (scaffold run), or check the URL, its port and the Service's endpoints",
      },
    ];
  }
  if (root.peer) findings.push(...checkCertificate(root.peer, target, settings));
  // Pointed at a cluster (its kubeconfig): the group-versions are the aggregated APIServices'
  // (or the project's), and the aggregator's own verdict on each comes first.
  const cluster = await servesAPIServices(target, timeout);
  const groupVersions =
    target.groupVersions ??
    (cluster ? await aggregatedGroupVersions(target, timeout) : discoveredGroupVersions(root.body));
  if (groupVersions.length === 0) {
    findings.push({
      check: "discovery",
      status: "problem",
      message: "/apis lists no API group",
      fix: "the server serves no kinds: check its resource definitions",
    });
  }
  if (cluster) {
    for (const gv of groupVersions) findings.push(await checkAPIService(target, gv, timeout));
  }
  for (const gv of groupVersions) findings.push(await checkDiscovery(target, gv, timeout, settings, monotonic));
  findings.push(...(await checkOpenAPI(target, groupVersions, timeout)));
  return findings;
}

async function servesAPIServices(target: DoctorTarget, timeout: number): Promise<boolean> {
  try {
    return (await get(target, "/apis/apiregistration.k8s.io/v1", timeout)).status === 200;
  } catch {
    return false;
  }
}

/** The group-versions of the APIServices served by extension servers (those with a Service). */
async function aggregatedGroupVersions(target: DoctorTarget, timeout: number): Promise<string[]> {
  try {
    const answer = await get(target, "/apis/apiregistration.k8s.io/v1/apiservices", timeout);
    const list = JSON.parse(answer.body) as {
      items?: Array<{ spec?: { group?: string; version?: string; service?: unknown } }>;
    };
    return (list.items ?? []).flatMap((a) =>
      a.spec?.service && a.spec.group && a.spec.version ? [`${a.spec.group}/${a.spec.version}`] : [],
    );
  } catch {
    return [];
  }
}

/** What to do about an APIService that is not Available, by the aggregator's reason. */
const APISERVICE_FIXES: Record<string, string> = {
  FailedDiscoveryCheck:
    "the aggregator could not get a 2xx from /apis/<group>/<version> on the Service within 5 s: check the server pods are Ready (kubectl get pods), that the serving certificate is valid for <service>.<namespace>.svc and verified by the APIService's caBundle (scaffold manifests regenerates both), and run scaffold doctor --server against a pod directly",
  ServiceNotFound: "the APIService names a Service that doesn't exist: kubectl apply -f deploy/ (or fix spec.service)",
  ServicePortError: "the Service has no port matching spec.service.port: check the Service's ports in deploy/",
  MissingEndpoints: "the Service selects no ready pod: kubectl get pods and their readiness (/readyz)",
  EndpointsNotFound: "the Service has no endpoints yet: wait for the pods, or check the Service's selector",
  ServiceAccessError: "the aggregator can't reach the Service: check NetworkPolicies and the Service's ClusterIP",
};

async function checkAPIService(target: DoctorTarget, gv: string, timeout: number): Promise<Finding> {
  const [group, version] = gv.split("/");
  const name = `${version}.${group}`;
  let answer: Answer;
  try {
    answer = await get(target, `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, timeout);
  } catch (error) {
    return {
      check: "apiservice",
      status: "problem",
      message: `APIService ${name} can't be read: ${(error as Error).message}`,
    };
  }
  if (answer.status === 404) {
    return {
      check: "apiservice",
      status: "problem",
      message: `no APIService ${name} is registered in this cluster`,
      fix: "kubectl apply -f deploy/ (scaffold manifests writes the APIService with its caBundle)",
    };
  }
  if (answer.status !== 200) {
    return {
      check: "apiservice",
      status: "problem",
      message: `APIService ${name}: HTTP ${answer.status}: ${answer.body.slice(0, 200)}`,
    };
  }
  const conditions =
    (
      JSON.parse(answer.body) as {
        status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
      }
    ).status?.conditions ?? [];
  const available = conditions.find((c) => c.type === "Available");
  if (available?.status === "True")
    return { check: "apiservice", status: "ok", message: `APIService ${name} is Available` };
  const reason = available?.reason ?? "Unknown";
  const fix = APISERVICE_FIXES[reason];
  return {
    check: "apiservice",
    status: "problem",
    message: `APIService ${name} is not Available (${reason}): ${available?.message ?? "no Available condition yet"}`,
    ...(fix ? { fix } : { fix: "see docs/guides/troubleshooting.md" }),
  };
}

function discoveredGroupVersions(body: string): string[] {
  try {
    const list = JSON.parse(body) as { groups?: Array<{ versions?: Array<{ groupVersion?: string }> }> };
    return (list.groups ?? []).flatMap((group) =>
      (group.versions ?? []).flatMap((v) => (v.groupVersion ? [v.groupVersion] : [])),
    );
  } catch {
    return [];
  }
}

async function checkDiscovery(
  target: DoctorTarget,
  gv: string,
  timeout: number,
  settings: DoctorSettings,
  monotonic: () => number,
): Promise<Finding> {
  const started = monotonic();
  let answer: Answer;
  try {
    answer = await get(target, `/apis/${gv}`, timeout);
  } catch (error) {
    const elapsed = monotonic() - started;
    return {
      check: "discovery",
      status: "problem",
      message: `GET /apis/${gv} failed after ${seconds(elapsed)} (${(error as Error).message}); the aggregator allows ${seconds(timeout)}, then marks the APIService Available=False (FailedDiscoveryCheck) and answers 503 for the whole group-version`,
      fix: "make discovery answer at once: it must not wait on storage or other slow work (look for a blocked event loop, an unreachable etcd, or a handler that awaits before responding)",
    };
  }
  const elapsed = monotonic() - started;
  const share = Math.round((elapsed / timeout) * 100);
  if (answer.status < 200 || answer.status > 299) {
    return {
      check: "discovery",
      status: "problem",
      message: `GET /apis/${gv} answered ${answer.status}: the aggregator needs a 2xx APIResourceList`,
      fix:
        answer.status === 401 || answer.status === 403
          ? "let the aggregator's front-proxy identity (system:kube-aggregator) read discovery: delegated authentication and RBAC"
          : `serve ${gv}: is the version in the server's resource definitions and served?`,
    };
  }
  if (elapsed > timeout * (settings.warnAtFraction ?? 0.5)) {
    return {
      check: "discovery",
      status: "warning",
      message: `GET /apis/${gv} answered in ${seconds(elapsed)}, ${share}% of the aggregator's ${seconds(timeout)} limit: a little more load and the APIService goes unavailable`,
      fix: "find what delays discovery (a blocked event loop, slow start-up work) and take it off the request path",
    };
  }
  return {
    check: "discovery",
    status: "ok",
    message: `GET /apis/${gv} answered in ${seconds(elapsed)} (${share}% of the ${seconds(timeout)} limit)`,
  };
}

async function checkOpenAPI(target: DoctorTarget, groupVersions: string[], timeout: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  const fix =
    "serve OpenAPI for every group-version (the runtime's ApiServer does): kubectl explain, client-side validation and the aggregator's merged spec read it";
  let root: Answer;
  try {
    root = await get(target, "/openapi/v3", timeout);
  } catch (error) {
    return [
      { check: "openapi", status: "problem", message: `GET /openapi/v3 failed: ${(error as Error).message}`, fix },
    ];
  }
  if (root.status !== 200) {
    return [
      {
        check: "openapi",
        status: "problem",
        message: `GET /openapi/v3 answered ${root.status}: no OpenAPI v3 is served`,
        fix,
      },
    ];
  }
  let paths: Record<string, { serverRelativeURL?: string }> = {};
  try {
    paths = (JSON.parse(root.body) as { paths?: typeof paths }).paths ?? {};
  } catch {
    return [
      { check: "openapi", status: "problem", message: "GET /openapi/v3 answered something that is not JSON", fix },
    ];
  }
  for (const gv of groupVersions) {
    const entry = paths[`apis/${gv}`];
    if (!entry?.serverRelativeURL) {
      findings.push({ check: "openapi", status: "problem", message: `/openapi/v3 does not list apis/${gv}`, fix });
      continue;
    }
    const document = await get(target, entry.serverRelativeURL, timeout).catch(() => undefined);
    if (document?.status !== 200 || !document.body.includes('"components"')) {
      findings.push({
        check: "openapi",
        status: "problem",
        message: `${entry.serverRelativeURL} answered ${document?.status ?? "nothing"} instead of the OpenAPI document of ${gv}`,
        fix,
      });
    } else {
      findings.push({ check: "openapi", status: "ok", message: `OpenAPI v3 of ${gv} is served` });
    }
  }
  return findings;
}

function checkCertificate(peer: PeerCertificate, target: DoctorTarget, settings: DoctorSettings): Finding[] {
  const findings: Finding[] = [];
  if (!peer.raw) return [{ check: "certificate", status: "problem", message: "the server presented no certificate" }];
  const cert = new X509Certificate(peer.raw);
  const name = target.serviceName ?? new URL(target.server).hostname.replace(/^\[|\]$/g, "");
  const matches = isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined;
  const sans = cert.subjectAltName ?? "none";
  if (!matches) {
    findings.push({
      check: "certificate",
      status: "problem",
      message: `the serving certificate is not valid for ${name} (its names: ${sans}); the aggregator dials ${name} and refuses the TLS handshake`,
      fix: `issue the serving certificate with ${name} among its subject alternative names (scaffold manifests does, for <service>.<namespace>.svc)`,
    });
  } else {
    findings.push({ check: "certificate", status: "ok", message: `the serving certificate is valid for ${name}` });
  }
  if (target.ca) {
    const issuers = [new X509Certificate(target.ca)];
    if (!issuers.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
      findings.push({
        check: "certificate",
        status: "problem",
        message: "the CA bundle does not verify the serving certificate: the aggregator will refuse it",
        fix: "put the CA that signed the serving certificate in the APIService's caBundle (scaffold manifests writes both from deploy/.pki)",
      });
    }
  }
  const now = settings.now?.() ?? Date.now();
  const left = new Date(cert.validTo).getTime() - now;
  const margin = settings.expiryMarginMs ?? 30 * 24 * 60 * 60 * 1000;
  const days = Math.floor(left / (24 * 60 * 60 * 1000));
  if (left <= 0) {
    findings.push({
      check: "certificate",
      status: "problem",
      message: `the serving certificate expired on ${cert.validTo}`,
      fix: "issue a new serving certificate (re-run scaffold manifests, or let cert-manager renew it) and restart the server",
    });
  } else if (left < margin) {
    findings.push({
      check: "certificate",
      status: "problem",
      message: `the serving certificate expires in ${days} day(s), on ${cert.validTo}`,
      fix: "renew it before then: re-run scaffold manifests (it re-issues certificates within 30 days of expiry) or use --cert-manager for automatic renewal",
    });
  } else {
    findings.push({
      check: "certificate",
      status: "ok",
      message: `the serving certificate is valid until ${cert.validTo} (${days} days)`,
    });
  }
  return findings;
}
