/** `scaffold doctor`: checks a running server as the aggregator will, and says how to fix what it finds. */
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CliError } from "../cli/errors.js";
import type { Reporter } from "../cli/reporter.js";
import { type DoctorSettings, type DoctorTarget, type Finding, runDoctor } from "../doctor/checks.js";
import { findProjectRoot, readProjectFile } from "../project/project-file.js";

export interface DoctorOptions {
  cwd?: string;
  /** The server's URL; default the kubeconfig's. */
  server?: string;
  /** Credentials and CA; default the project's .data/kubeconfig. */
  kubeconfig?: string;
  /** The CA that must verify the serving certificate (the APIService's caBundle). */
  caFile?: string;
  /** The DNS name the aggregator dials, e.g. widgets.widgets.svc. */
  service?: string;
  settings?: DoctorSettings;
}

interface Kubeconfig {
  clusters?: Array<{ cluster?: { server?: string; "certificate-authority-data"?: string } }>;
  users?: Array<{ user?: { "client-certificate-data"?: string; "client-key-data"?: string } }>;
}

const b64 = (text: string | undefined) => (text ? Buffer.from(text, "base64").toString() : undefined);

export function doctorTarget(options: DoctorOptions): DoctorTarget {
  let root: string | undefined;
  try {
    root = findProjectRoot(options.cwd ?? process.cwd());
  } catch {
    root = undefined;
  }
  const kubeconfigPath = options.kubeconfig ?? (root ? join(root, ".data", "kubeconfig") : undefined);
  let config: Kubeconfig = {};
  if (kubeconfigPath && existsSync(kubeconfigPath)) config = readKubeconfig(kubeconfigPath, options.kubeconfig);
  else if (options.kubeconfig)
    throw new CliError(
      "InvalidArgument",
      `--kubeconfig ${options.kubeconfig} does not exist`,
      "point it at a kubeconfig file",
    );
  const cluster = config.clusters?.[0]?.cluster;
  const user = config.users?.[0]?.user;
  const server = options.server ?? cluster?.server;
  if (!server) {
    throw new CliError(
      "InvalidArgument",
      "no server to check: no --server, and no kubeconfig with a server",
      "start the server with `scaffold run` (it writes .data/kubeconfig), or pass --server https://host:port",
    );
  }
  if (!URL.canParse(server) || new URL(server).protocol !== "https:") {
    throw new CliError(
      "InvalidArgument",
      `${options.server ? "--server" : `the kubeconfig's server`} ${server} is not an https URL`,
      "e.g. --server https://127.0.0.1:8443",
      options.server ? 2 : 1,
    );
  }
  if (options.caFile && !existsSync(options.caFile)) {
    throw new CliError(
      "InvalidArgument",
      `--ca-file ${options.caFile} does not exist`,
      "point it at the PEM CA bundle the APIService carries, e.g. deploy/.pki/ca.crt",
    );
  }
  const ca = options.caFile ? readFileSync(options.caFile, "utf8") : b64(cluster?.["certificate-authority-data"]);
  if (options.caFile && !holdsCertificate(ca ?? "")) {
    throw new CliError(
      "InvalidArgument",
      `--ca-file ${options.caFile} holds no PEM certificate`,
      "point it at the PEM CA bundle the APIService carries (-----BEGIN CERTIFICATE-----), e.g. deploy/.pki/ca.crt",
    );
  }
  const cert = b64(user?.["client-certificate-data"]);
  const key = b64(user?.["client-key-data"]);
  const project = root ? readProjectFile(root) : undefined;
  const groupVersions = project
    ? [...new Set(project.resources.flatMap((resource) => resource.versions))].map((v) => `${project.group}/${v}`)
    : undefined;
  return {
    server,
    ...(ca ? { ca } : {}),
    ...(cert && key ? { clientCert: { cert, key } } : {}),
    ...(options.service ? { serviceName: options.service } : {}),
    ...(groupVersions ? { groupVersions } : {}),
  };
}

function readKubeconfig(path: string, flag: string | undefined): Kubeconfig {
  const fail = (reason: string) =>
    new CliError(
      "InvalidArgument",
      `${flag ? `--kubeconfig ${flag}` : path} is not a kubeconfig file: ${reason}`,
      flag ? "point it at a kubeconfig file, e.g. ~/.kube/config" : "restart `scaffold run`, which writes it again",
    );
  if (!statSync(path).isFile()) throw fail("it is a directory");
  let config: unknown;
  try {
    config = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw fail(`not YAML (${(error as Error).message.split("\n")[0]})`);
  }
  if (config === null || config === undefined) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw fail("not a YAML mapping");
  return config as Kubeconfig;
}

function holdsCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

const LABEL: Record<Finding["status"], string> = { ok: "ok     ", warning: "WARNING", problem: "PROBLEM" };

export async function doctorCommand(options: DoctorOptions, reporter: Reporter): Promise<Finding[]> {
  const target = doctorTarget(options);
  const done = reporter.step(`checking ${target.server} as kube-aggregator would`);
  const findings = await runDoctor(target, options.settings);
  done();
  for (const finding of findings) {
    reporter.info(`  ${LABEL[finding.status]}  ${finding.check}: ${finding.message}`);
    if (finding.status !== "ok" && finding.fix) reporter.info(`           fix: ${finding.fix}`);
  }
  const problems = findings.filter((finding) => finding.status === "problem").length;
  if (problems > 0) {
    throw new CliError(
      "DoctorFoundProblems",
      `doctor found ${problems} problem(s)`,
      "fix them as described above, then run scaffold doctor again",
    );
  }
  reporter.info("no problems found");
  return findings;
}
