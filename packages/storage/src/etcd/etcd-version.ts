/**
 * Whether an etcd server answers WatchProgressRequest correctly. Kubernetes trusts it from
 * 3.4.31 and 3.5.13 on (earlier ones may report progress past events not yet sent); with
 * older servers consistent reads go to etcd as quorum reads instead of the watch cache.
 */
export function supportsProgressRequests(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}
