import { parseRequestURI } from "./url.js";

// Kubernetes' named formats (apiserver pkg/cel/library/format.go): format.dns1123Label().validate(s)
// returns optional.none() when s is valid, else optional.of(<list of error messages>).

/** A named format (CEL type kubernetes.NamedFormat). */
export class NamedFormat {
  constructor(
    readonly name: string,
    readonly validate: (s: string) => string[],
  ) {}
}

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  let out = msg;
  if (examples.length > 0) {
    out += " (e.g. ";
    examples.forEach((e, i) => {
      if (i > 0) out += " or ";
      out += `'${e}', `;
    });
    out += `regex used for validation is '${fmt}')`;
  }
  return out;
}

const maxLen = (n: number) => `must be no more than ${n} characters`;

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelValueFmt = `(${qualifiedNameFmt})?`;
const full = (fmt: string) => new RegExp(`^${fmt}$`);

/** apimachinery's pattern: a length limit, then a regex whose message shows examples. */
function lengthAndPattern(s: string, max: number, fmt: string, msg: string, ...examples: string[]): string[] {
  const errs: string[] = [];
  if (s.length > max) errs.push(maxLen(max));
  if (!full(fmt).test(s)) errs.push(regexError(msg, fmt, ...examples));
  return errs;
}

export const isDNS1123Label = (s: string): string[] =>
  lengthAndPattern(
    s,
    63,
    dns1123LabelFmt,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    "my-name",
    "123-abc",
  );

export const isDNS1123Subdomain = (s: string): string[] =>
  lengthAndPattern(
    s,
    253,
    dns1123SubdomainFmt,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    "example.com",
  );

export const isDNS1035Label = (s: string): string[] =>
  lengthAndPattern(
    s,
    63,
    dns1035LabelFmt,
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
    "my-name",
    "abc-123",
  );

const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const [prefix = "", n = ""] = parts;
    name = n;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const e of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!full(qualifiedNameFmt).test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  }
  return errs;
}

export const isValidLabelValue = (s: string): string[] =>
  lengthAndPattern(
    s,
    63,
    labelValueFmt,
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    "MyValue",
    "my_value",
    "12345",
  );

// NameIsDNS*(s, prefix=true) validates a generateName prefix: a trailing '-' is allowed.
const maskTrailingDash = (s: string) => (s.length > 1 && s.endsWith("-") ? `${s.slice(0, -1)}a` : s);

const uuidPattern = /^(?:urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimePattern = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

function validDate(s: string): boolean {
  const m = datePattern.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCDate() === Number(m[3]);
}

export const namedFormats: ReadonlyMap<string, NamedFormat> = new Map(
  (
    [
      ["dns1123Label", "DNS1123Label", isDNS1123Label],
      ["dns1123Subdomain", "DNS1123Subdomain", isDNS1123Subdomain],
      ["dns1035Label", "DNS1035Label", isDNS1035Label],
      ["qualifiedName", "QualifiedName", isQualifiedName],
      ["dns1123LabelPrefix", "DNS1123LabelPrefix", (s: string) => isDNS1123Label(maskTrailingDash(s))],
      ["dns1123SubdomainPrefix", "DNS1123SubdomainPrefix", (s: string) => isDNS1123Subdomain(maskTrailingDash(s))],
      ["dns1035LabelPrefix", "DNS1035LabelPrefix", (s: string) => isDNS1035Label(maskTrailingDash(s))],
      ["labelValue", "LabelValue", isValidLabelValue],
      [
        "uri",
        "URI",
        (s: string) => {
          const r = parseRequestURI(s);
          return typeof r === "string" ? [r] : [];
        },
      ],
      ["uuid", "uuid", (s: string) => (uuidPattern.test(s) ? [] : ["does not match the UUID format"])],
      ["byte", "byte", (s: string) => (base64Pattern.test(s) ? [] : ["invalid base64"])],
      ["date", "date", (s: string) => (validDate(s) ? [] : ["invalid date"])],
      [
        "datetime",
        "datetime",
        (s: string) => (dateTimePattern.test(s) && !Number.isNaN(Date.parse(s)) ? [] : ["invalid datetime"]),
      ],
    ] as const
  ).map(([key, name, fn]) => [key, new NamedFormat(name, fn)]),
);
