import { celError } from "./errors.js";

// Kubernetes' IP and CIDR libraries (apiserver pkg/cel/library/ip.go, cidr.go) over Go's netip rules:
// no leading zeros in IPv4 octets, no zones, no IPv4-mapped IPv6 addresses.

/** An IP address value (CEL type net.IP). */
export class IPAddress {
  constructor(readonly bytes: Uint8Array) {}

  get family(): 4 | 6 {
    return this.bytes.length === 4 ? 4 : 6;
  }

  equals(other: unknown): boolean {
    return other instanceof IPAddress && Buffer.from(this.bytes).equals(Buffer.from(other.bytes));
  }

  isUnspecified(): boolean {
    return this.bytes.every((b) => b === 0);
  }

  isLoopback(): boolean {
    return this.family === 4 ? this.bytes[0] === 127 : this.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
  }

  isLinkLocalMulticast(): boolean {
    const b = this.bytes;
    return this.family === 4
      ? b[0] === 224 && b[1] === 0 && b[2] === 0
      : b[0] === 0xff && ((b[1] ?? 0) & 0x0f) === 0x02;
  }

  isLinkLocalUnicast(): boolean {
    const b = this.bytes;
    return this.family === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
  }

  isMulticast(): boolean {
    return this.family === 4 ? ((this.bytes[0] ?? 0) & 0xf0) === 0xe0 : this.bytes[0] === 0xff;
  }

  isGlobalUnicast(): boolean {
    if (this.family === 4 && this.bytes.every((b) => b === 255)) return false;
    return !(this.isUnspecified() || this.isLoopback() || this.isMulticast() || this.isLinkLocalUnicast());
  }

  toString(): string {
    if (this.family === 4) return Array.from(this.bytes).join(".");
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((this.bytes[i] ?? 0) << 8) | (this.bytes[i + 1] ?? 0));
    // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on a tie.
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hex.join(":");
    return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
  }
}

/** A CIDR value (CEL type net.CIDR): an address and a prefix length; the address is kept unmasked. */
export class CIDR {
  constructor(
    readonly address: IPAddress,
    readonly prefixLength: number,
  ) {}

  equals(other: unknown): boolean {
    return other instanceof CIDR && other.prefixLength === this.prefixLength && this.address.equals(other.address);
  }

  masked(): CIDR {
    const bytes = new Uint8Array(this.address.bytes);
    for (let bit = this.prefixLength; bit < bytes.length * 8; bit++) {
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
    }
    return new CIDR(new IPAddress(bytes), this.prefixLength);
  }

  containsIP(ip: IPAddress): boolean {
    if (ip.family !== this.address.family) return false;
    for (let bit = 0; bit < this.prefixLength; bit++) {
      const mask = 0x80 >> (bit & 7);
      if (((this.address.bytes[bit >> 3] ?? 0) & mask) !== ((ip.bytes[bit >> 3] ?? 0) & mask)) return false;
    }
    return true;
  }

  containsCIDR(other: CIDR): boolean {
    return other.prefixLength >= this.prefixLength && this.containsIP(other.address);
  }

  toString(): string {
    return `${this.address}/${this.prefixLength}`;
  }
}

/** Parses an IP address as Go's netip.ParseAddr does, or returns why it can't. */
export function parseIPAddress(s: string): IPAddress | string {
  if (s.includes("%")) return "IP address with zone value is not allowed";
  if (s.includes(":")) {
    const bytes = parseIPv6(s);
    if (!bytes) return `ParseAddr(${JSON.stringify(s)}): unable to parse IP`;
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      return "IPv4-mapped IPv6 address is not allowed";
    }
    return new IPAddress(bytes);
  }
  const v4 = parseIPv4(s);
  return v4 ? new IPAddress(v4) : `ParseAddr(${JSON.stringify(s)}): unable to parse IP`;
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const g = items[i] as string;
      if (i === items.length - 1 && g.includes(".")) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        groups.push(Number.parseInt(g, 16));
      }
    }
    return groups;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const groups = [...head, ...new Array(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Parses a CIDR as Go's netip.ParsePrefix does, or returns why it can't. */
export function parseCIDR(s: string): CIDR | string {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return `netip.ParsePrefix(${JSON.stringify(s)}): no '/'`;
  const addr = parseIPAddress(s.slice(0, slash));
  if (typeof addr === "string") return addr;
  const bitsText = s.slice(slash + 1);
  const bits = Number(bitsText);
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || bits > addr.bytes.length * 8) {
    return `netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`;
  }
  return new CIDR(addr, bits);
}

export function ip(s: string): IPAddress {
  const r = parseIPAddress(s);
  if (typeof r === "string")
    throw celError(`IP Address ${JSON.stringify(s)} parse error during conversion from string: ${r}`);
  return r;
}

export function isIP(s: string): boolean {
  return typeof parseIPAddress(s) !== "string";
}

/** ip.isCanonical: the string is the address's canonical form. */
export function isCanonicalIP(s: string): boolean {
  return ip(s).toString() === s;
}

export function cidr(s: string): CIDR {
  const r = parseCIDR(s);
  if (typeof r === "string") throw celError(`network address parse error during conversion from string: ${r}`);
  return r;
}

export function isCIDR(s: string): boolean {
  return typeof parseCIDR(s) !== "string";
}
