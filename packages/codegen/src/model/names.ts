const KUBE_VERSION = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;

/** `v1`, `v2beta1`, `v1alpha3`: the version names Kubernetes orders by priority. */
export function isKubeVersion(name: string): boolean {
  return KUBE_VERSION.test(name);
}

/**
 * Orders versions as Kubernetes does for discovery (k8s.io/apimachinery version.CompareKubeAwareVersionStrings):
 * GA before beta before alpha, higher numbers first. Returns < 0 when `a` comes first.
 */
export function compareKubeVersions(a: string, b: string): number {
  const pa = KUBE_VERSION.exec(a);
  const pb = KUBE_VERSION.exec(b);
  if (!pa || !pb) {
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const stability = (level: string | undefined) => (level === undefined ? 2 : level === "beta" ? 1 : 0);
  const byStability = stability(pb[2]) - stability(pa[2]);
  if (byStability !== 0) return byStability;
  const byMajor = Number(pb[1]) - Number(pa[1]);
  if (byMajor !== 0) return byMajor;
  return Number(pb[3] ?? 0) - Number(pa[3] ?? 0);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** An API group name: a lower-case DNS-1123 subdomain of at most 253 characters. */
export function isDNS1123Subdomain(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split(".").every((label) => DNS1123_LABEL.test(label));
}

/** Plural, singular and short names (a CRD requires DNS-1035 labels): lower case, starting with a letter. */
export function isDNS1035Label(name: string): boolean {
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

/** A kind: CamelCase starting with an upper-case letter, letters and digits only. */
export function isKindName(name: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(name) && name.length <= 63;
}

/**
 * The resource name of a kind, as English plurals usually go (`Flunder` → `flunders`,
 * `Policy` → `policies`, `Fix` → `fixes`). A wrong guess is fixed with the `@plural` marker.
 */
export function pluralize(kind: string): string {
  const singular = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(singular)) return `${singular}es`;
  if (/[^aeiou]y$/.test(singular)) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

/** A subresource's name as the middle of an identifier or kind: `ban-all` → `BanAll`. */
export function subresourcePascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_all, _dash, next: string) => next.toUpperCase());
}

/** `Flunder` → `flunder`: the start of a TypeScript identifier derived from a kind. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
