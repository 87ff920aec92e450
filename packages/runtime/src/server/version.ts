/**
 * /version in Kubernetes' shape (k8s.io/apimachinery pkg/version.Info). The project's
 * version is the server's version (major, minor, gitVersion); the framework's shows in
 * `compiler`, the runtime's in `goVersion`'s place.
 */

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** The version of @apiserver-kit/runtime. */
export const FRAMEWORK_VERSION = "0.1.0";

export interface BuildInfo {
  /** The project's semantic version, e.g. "1.4.0" (default: the framework's). */
  version?: string;
  gitCommit?: string;
  /** "clean" or "dirty". */
  gitTreeState?: string;
  /** RFC 3339, e.g. "2025-01-31T12:00:00Z". */
  buildDate?: string;
}

const GO_ARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  arm64: "arm64",
  arm: "arm",
  ppc64: "ppc64le",
  s390x: "s390x",
};

export function versionInfo(build: BuildInfo = {}): VersionInfo {
  const version = (build.version ?? FRAMEWORK_VERSION).replace(/^v/, "");
  const [major = "0", minor = "0"] = version.split(/[.+-]/);
  return {
    major,
    minor,
    gitVersion: `v${version}`,
    gitCommit: build.gitCommit ?? "",
    gitTreeState: build.gitTreeState ?? "",
    buildDate: build.buildDate ?? "",
    goVersion: `node${process.version.slice(1)}`,
    compiler: `apiserver-kit/${FRAMEWORK_VERSION}`,
    platform: `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
  };
}
