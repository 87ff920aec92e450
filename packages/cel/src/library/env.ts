import { Environment, Optional } from "@marcbachmann/cel-js";
import { NamedFormat, namedFormats } from "./format.js";
import { CIDR, cidr, IPAddress, ip, isCanonicalIP, isCIDR, isIP } from "./ip.js";
import { isSorted, listIndexOf, listLastIndexOf, max, min, sum } from "./lists.js";
import { asInteger, fromInt, isQuantity, Quantity, quantity } from "./quantity.js";
import { find, findAll, matches } from "./regex.js";
import { internalName as k } from "./rewrite.js";
import { setsContains, setsEquivalent, setsIntersects } from "./sets.js";
import {
  charAt,
  format,
  indexOf,
  lastIndexOf,
  lowerAscii,
  quote,
  replace,
  reverse,
  substring,
  trim,
  upperAscii,
} from "./strings.js";
import { isURL, KubeURL, url } from "./url.js";

/** Options every environment of this package shares: optional types on, homogeneous literals as in Kubernetes. */
export const environmentOptions = { enableOptionalTypes: true, homogeneousAggregateLiterals: true } as const;

// Namespaces (`sets.contains(...)`, `format.dns1123Label()`, `strings.quote(...)`, `ip.isCanonical(...)`)
// are constants of their own type whose methods are the namespaced functions.
class SetsNamespace {}
class StringsNamespace {}
class FormatNamespace {}
class IPNamespace {}

const comparable = [
  "int",
  "uint",
  "double",
  "string",
  "bool",
  "bytes",
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
];

let base: Environment | undefined;

/**
 * The environment with Kubernetes' libraries, built once. Callers clone it; cloning freezes it,
 * so nothing can be registered here afterwards.
 */
export function baseEnvironment(): Environment {
  if (base) return base;
  const env = new Environment(environmentOptions);
  const fn = (signature: string, handler: (...args: never[]) => unknown) =>
    env.registerFunction(signature, handler as (...args: unknown[]) => unknown);

  // strings
  fn("string.charAt(int): string", charAt);
  fn(`string.${k("indexOf")}(string): int`, (s: string, sub: string) => indexOf(s, sub));
  fn(`string.${k("indexOf")}(string, int): int`, indexOf);
  fn(`string.${k("lastIndexOf")}(string): int`, (s: string, sub: string) => lastIndexOf(s, sub));
  fn(`string.${k("lastIndexOf")}(string, int): int`, lastIndexOf);
  fn(`string.${k("lowerAscii")}(): string`, lowerAscii);
  fn(`string.${k("upperAscii")}(): string`, upperAscii);
  fn("string.replace(string, string): string", (s: string, a: string, b: string) => replace(s, a, b));
  fn("string.replace(string, string, int): string", replace);
  fn(`string.${k("substring")}(int): string`, (s: string, start: bigint) => substring(s, start));
  fn(`string.${k("substring")}(int, int): string`, substring);
  fn(`string.${k("trim")}(): string`, trim);
  fn("string.reverse(): string", reverse);
  fn("string.format(list): string", format);
  env.registerType("kubernetes.StringsNamespace", StringsNamespace);
  env.registerConstant("strings", "kubernetes.StringsNamespace", new StringsNamespace());
  fn("kubernetes.StringsNamespace.quote(string): string", (_: StringsNamespace, s: string) => quote(s));

  // lists
  for (const t of comparable) {
    fn(`list<${t}>.isSorted(): bool`, isSorted);
    fn(`list<${t}>.min(): ${t}`, min);
    fn(`list<${t}>.max(): ${t}`, max);
  }
  fn("list<int>.sum(): int", (l: unknown[]) => sum(l, 0n));
  fn("list<double>.sum(): double", (l: unknown[]) => sum(l, 0));
  fn(`list<A>.${k("indexOf")}(A): int`, listIndexOf);
  fn(`list<A>.${k("lastIndexOf")}(A): int`, listLastIndexOf);

  // sets
  env.registerType("kubernetes.SetsNamespace", SetsNamespace);
  env.registerConstant("sets", "kubernetes.SetsNamespace", new SetsNamespace());
  fn("kubernetes.SetsNamespace.contains(list<A>, list<A>): bool", (_: SetsNamespace, a: unknown[], b: unknown[]) =>
    setsContains(a, b),
  );
  fn("kubernetes.SetsNamespace.equivalent(list<A>, list<A>): bool", (_: SetsNamespace, a: unknown[], b: unknown[]) =>
    setsEquivalent(a, b),
  );
  fn("kubernetes.SetsNamespace.intersects(list<A>, list<A>): bool", (_: SetsNamespace, a: unknown[], b: unknown[]) =>
    setsIntersects(a, b),
  );

  // regex (RE2)
  fn(`string.${k("matches")}(string): bool`, matches);
  fn("matches(string, string): bool", matches);
  fn("string.find(string): string", find);
  fn("string.findAll(string): list<string>", (s: string, re: string) => findAll(s, re));
  fn("string.findAll(string, int): list<string>", findAll);

  // url
  env.registerType("kubernetes.URL", KubeURL);
  fn("url(string): kubernetes.URL", url);
  fn("isURL(string): bool", isURL);
  fn("kubernetes.URL.getScheme(): string", (u: KubeURL) => u.scheme);
  fn("kubernetes.URL.getHost(): string", (u: KubeURL) => u.host);
  fn("kubernetes.URL.getHostname(): string", (u: KubeURL) => u.hostname());
  fn("kubernetes.URL.getPort(): string", (u: KubeURL) => u.port());
  fn("kubernetes.URL.getEscapedPath(): string", (u: KubeURL) => u.rawPath);
  fn("kubernetes.URL.getQuery(): map<string, list<string>>", (u: KubeURL) => u.query());
  env.registerOperator("kubernetes.URL == kubernetes.URL", (a: KubeURL, b: KubeURL) => a.equals(b));

  // ip and cidr
  env.registerType("net.IP", IPAddress);
  env.registerType("net.CIDR", CIDR);
  env.registerType("kubernetes.IPNamespace", IPNamespace);
  env.registerConstant("ip", "kubernetes.IPNamespace", new IPNamespace());
  fn("ip(string): net.IP", ip);
  fn("isIP(string): bool", isIP);
  fn("kubernetes.IPNamespace.isCanonical(string): bool", (_: IPNamespace, s: string) => isCanonicalIP(s));
  fn("net.IP.family(): int", (a: IPAddress) => BigInt(a.family));
  fn("net.IP.isUnspecified(): bool", (a: IPAddress) => a.isUnspecified());
  fn("net.IP.isLoopback(): bool", (a: IPAddress) => a.isLoopback());
  fn("net.IP.isLinkLocalMulticast(): bool", (a: IPAddress) => a.isLinkLocalMulticast());
  fn("net.IP.isLinkLocalUnicast(): bool", (a: IPAddress) => a.isLinkLocalUnicast());
  fn("net.IP.isGlobalUnicast(): bool", (a: IPAddress) => a.isGlobalUnicast());
  fn("string(net.IP): string", (a: IPAddress) => a.toString());
  env.registerOperator("net.IP == net.IP", (a: IPAddress, b: IPAddress) => a.equals(b));
  fn("cidr(string): net.CIDR", cidr);
  fn("isCIDR(string): bool", isCIDR);
  fn("net.CIDR.containsIP(net.IP): bool", (c: CIDR, a: IPAddress) => c.containsIP(a));
  fn("net.CIDR.containsIP(string): bool", (c: CIDR, s: string) => c.containsIP(ip(s)));
  fn("net.CIDR.containsCIDR(net.CIDR): bool", (c: CIDR, o: CIDR) => c.containsCIDR(o));
  fn("net.CIDR.containsCIDR(string): bool", (c: CIDR, s: string) => c.containsCIDR(cidr(s)));
  fn("net.CIDR.ip(): net.IP", (c: CIDR) => c.address);
  fn("net.CIDR.masked(): net.CIDR", (c: CIDR) => c.masked());
  fn("net.CIDR.prefixLength(): int", (c: CIDR) => BigInt(c.prefixLength));
  fn("string(net.CIDR): string", (c: CIDR) => c.toString());
  env.registerOperator("net.CIDR == net.CIDR", (a: CIDR, b: CIDR) => a.equals(b));

  // quantity
  env.registerType("kubernetes.Quantity", Quantity);
  fn("quantity(string): kubernetes.Quantity", quantity);
  fn("isQuantity(string): bool", isQuantity);
  fn("kubernetes.Quantity.sign(): int", (q: Quantity) => q.sign());
  fn("kubernetes.Quantity.isInteger(): bool", (q: Quantity) => q.asInt64() !== undefined);
  fn("kubernetes.Quantity.asInteger(): int", asInteger);
  fn("kubernetes.Quantity.asApproximateFloat(): double", (q: Quantity) => q.asApproximateFloat());
  fn("kubernetes.Quantity.add(kubernetes.Quantity): kubernetes.Quantity", (q: Quantity, o: Quantity) => q.add(o));
  fn("kubernetes.Quantity.add(int): kubernetes.Quantity", (q: Quantity, i: bigint) => q.add(fromInt(i)));
  fn("kubernetes.Quantity.sub(kubernetes.Quantity): kubernetes.Quantity", (q: Quantity, o: Quantity) => q.sub(o));
  fn("kubernetes.Quantity.sub(int): kubernetes.Quantity", (q: Quantity, i: bigint) => q.sub(fromInt(i)));
  fn("kubernetes.Quantity.isGreaterThan(kubernetes.Quantity): bool", (q: Quantity, o: Quantity) => q.compareTo(o) > 0);
  fn("kubernetes.Quantity.isLessThan(kubernetes.Quantity): bool", (q: Quantity, o: Quantity) => q.compareTo(o) < 0);
  fn("kubernetes.Quantity.compareTo(kubernetes.Quantity): int", (q: Quantity, o: Quantity) => BigInt(q.compareTo(o)));
  env.registerOperator("kubernetes.Quantity == kubernetes.Quantity", (a: Quantity, b: Quantity) => a.equals(b));

  // named formats
  env.registerType("kubernetes.NamedFormat", NamedFormat);
  env.registerType("kubernetes.FormatNamespace", FormatNamespace);
  env.registerConstant("format", "kubernetes.FormatNamespace", new FormatNamespace());
  for (const [key, f] of namedFormats) fn(`kubernetes.FormatNamespace.${key}(): kubernetes.NamedFormat`, () => f);
  fn(
    "kubernetes.FormatNamespace.named(string): optional<kubernetes.NamedFormat>",
    (_: FormatNamespace, name: string) => {
      const f = namedFormats.get(name);
      return f ? optionalOf(f) : optionalNone();
    },
  );
  fn("kubernetes.NamedFormat.validate(string): optional<list<string>>", (f: NamedFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length === 0 ? optionalNone() : optionalOf(errs);
  });

  // optional.ofNonZeroValue is in cel-go's optional library but not in the engine's.
  fn("OptionalNamespace.ofNonZeroValue(A): optional<A>", (_: unknown, v: unknown) =>
    isZeroValue(v) ? optionalNone() : optionalOf(v),
  );

  base = env;
  return env;
}

const optionalOf = (v: unknown) => Optional.of(v);
const optionalNone = () => Optional.none();

function isZeroValue(v: unknown): boolean {
  if (v === null || v === 0n || v === 0 || v === "" || v === false) return true;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (typeof v === "object" && (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype)) {
    return Object.keys(v).length === 0;
  }
  return false;
}
