/**
 * A small X.509 v3 certificate writer (DER/PEM) for ECDSA P-256 keys: enough for a local
 * CA, serving certificates and client certificates. Node can parse and verify
 * certificates (crypto.X509Certificate) but not create them; this avoids a dependency
 * and an `openssl` binary.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";

// --- DER primitives ---------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(value.length), value]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octetString = (value: Buffer): Buffer => tlv(0x04, value);
const utf8String = (value: string): Buffer => tlv(0x0c, Buffer.from(value, "utf8"));
const bool = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const explicit = (n: number, value: Buffer): Buffer => tlv(0xa0 | n, value);

function integer(value: Buffer | number): Buffer {
  let bytes = typeof value === "number" ? Buffer.from([value]) : value;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && ((bytes[start + 1] as number) & 0x80) === 0) start++;
  bytes = bytes.subarray(start);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function bitString(value: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), value]));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [(parts[0] as number) * 40 + (parts[1] as number)];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] = (chunk[i] as number) | 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

// --- Certificate pieces -------------------------------------------------------------

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

export interface Subject {
  commonName: string;
  /** Kubernetes reads client certificate organizations as groups. */
  organizations?: string[];
}

function name(subject: Subject): Buffer {
  const rdns = (subject.organizations ?? []).map((o) => set(sequence(oid(OID.organization), utf8String(o))));
  rdns.push(set(sequence(oid(OID.commonName), utf8String(subject.commonName))));
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), bool(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** KeyUsage bits in DER order (bit 0 is the most significant bit of the first byte). */
function keyUsage(bits: number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  let unused = 0;
  while (unused < 8 && (byte & (1 << unused)) === 0) unused++;
  return bitString(Buffer.from([byte]), unused);
}

function subjectAltNames(names: string[]): Buffer {
  return sequence(
    ...names.map((n) => {
      const family = isIP(n);
      if (family === 4) return tlv(0x87, Buffer.from(n.split(".").map(Number)));
      if (family === 6) return tlv(0x87, ipv6Bytes(n));
      return tlv(0x82, Buffer.from(n, "ascii"));
    }),
  );
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail = ""] = address.split("::");
  const h = head ? head.split(":") : [];
  const t = address.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.concat(
    groups.map((g) => {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(Number.parseInt(g, 16));
      return b;
    }),
  );
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

// --- Public API ---------------------------------------------------------------------

export interface CertificateRequest {
  subject: Subject;
  publicKey: KeyObject;
  /** Signs the certificate; the subject's own key for a self-signed CA. */
  issuerKey: KeyObject;
  /** Absent: self-signed. */
  issuer?: { subject: Subject; publicKey: KeyObject };
  isCA?: boolean;
  usages?: Array<"serverAuth" | "clientAuth">;
  /** DNS names and IP addresses. */
  altNames?: string[];
  notBefore?: Date;
  notAfter: Date;
}

/** Builds and signs a certificate; returns PEM. */
export function createCertificate(request: CertificateRequest): string {
  const issuerSubject = request.issuer?.subject ?? request.subject;
  const issuerPublic = request.issuer?.publicKey ?? request.publicKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, request.isCA ? sequence(bool(true)) : sequence()),
    extension(OID.keyUsage, true, request.isCA ? keyUsage([0, 5, 6]) : keyUsage([0, 2])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId(request.publicKey))),
  ];
  if (request.issuer) {
    extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, keyId(issuerPublic)))));
  }
  if (request.usages?.length) {
    extensions.push(extension(OID.extKeyUsage, false, sequence(...request.usages.map((u) => oid(OID[u])))));
  }
  if (request.altNames?.length) {
    extensions.push(extension(OID.subjectAltName, false, subjectAltNames(request.altNames)));
  }
  const notBefore = request.notBefore ?? new Date(Date.now() - 5 * 60 * 1000);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    name(issuerSubject),
    sequence(time(notBefore), time(request.notAfter)),
    name(request.subject),
    request.publicKey.export({ type: "spki", format: "der" }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign("sha256", tbs, request.issuerKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  return toPem("CERTIFICATE", der);
}

export function toPem(label: string, der: Buffer): string {
  const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${base64}${base64.endsWith("\n") ? "" : "\n"}-----END ${label}-----\n`;
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKeyPair(): KeyPair {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** A certificate and its key, as PEM. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends CertKeyPair {
  subject: Subject;
  keyPair: KeyPair;
}

const DAY = 24 * 60 * 60 * 1000;

export function createCA(commonName: string, validDays = 3650, now = new Date()): CertificateAuthority {
  const keyPair = generateKeyPair();
  const subject = { commonName };
  const cert = createCertificate({
    subject,
    publicKey: keyPair.publicKey,
    issuerKey: keyPair.privateKey,
    isCA: true,
    notBefore: new Date(now.getTime() - 5 * 60 * 1000),
    notAfter: new Date(now.getTime() + validDays * DAY),
  });
  return { cert, key: privateKeyPem(keyPair.privateKey), subject, keyPair };
}

export interface IssueOptions {
  subject: Subject;
  usages: Array<"serverAuth" | "clientAuth">;
  altNames?: string[];
  validDays?: number;
  notBefore?: Date;
  notAfter?: Date;
}

/** Issues a leaf certificate signed by `ca`. */
export function issueCertificate(ca: CertificateAuthority, options: IssueOptions): CertKeyPair {
  const keyPair = generateKeyPair();
  const now = Date.now();
  const cert = createCertificate({
    subject: options.subject,
    publicKey: keyPair.publicKey,
    issuerKey: ca.keyPair.privateKey,
    issuer: { subject: ca.subject, publicKey: ca.keyPair.publicKey },
    usages: options.usages,
    ...(options.altNames ? { altNames: options.altNames } : {}),
    notBefore: options.notBefore ?? new Date(now - 5 * 60 * 1000),
    notAfter: options.notAfter ?? new Date(now + (options.validDays ?? 365) * DAY),
  });
  return { cert, key: privateKeyPem(keyPair.privateKey) };
}

/** Reads back a CA written to disk so that it can issue more certificates (CAs made here carry only a CN). */
export function loadCA(pair: CertKeyPair): CertificateAuthority {
  const x509 = new X509Certificate(pair.cert);
  const privateKey = createPrivateKey(pair.key);
  const publicKey = x509.publicKey;
  const cn = /CN=([^\n]+)/.exec(x509.subject)?.[1] ?? "ca";
  return { ...pair, subject: { commonName: cn }, keyPair: { privateKey, publicKey } };
}
