/** Kubernetes' FieldManagerMaxLength: a manager name is at most 128 bytes. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/**
 * The manager of a write that names none (Kubernetes' prefixFromUserAgent): the user agent up
 * to its first `/`, without unprintable characters, cut to 128 bytes. `kubectl/v1.33.0 (...)`
 * gives `kubectl`.
 */
export function managerFromUserAgent(userAgent: string): string {
  const prefix = userAgent.split("/")[0] ?? "";
  let out = "";
  let bytes = 0;
  for (const char of prefix) {
    if (!printable.test(char)) continue;
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** The manager a write is recorded under: `fieldManager` when given, else derived from the user agent. */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent: string | undefined): string {
  return fieldManager ? fieldManager : managerFromUserAgent(userAgent ?? "");
}

/** Kubernetes' ValidateFieldManager: the problems of a fieldManager parameter (empty is fine). */
export function fieldManagerProblems(fieldManager: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(fieldManager, "utf8") > FIELD_MANAGER_MAX_LENGTH) {
    problems.push(`may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
  }
  let position = 0;
  for (const char of fieldManager) {
    if (!printable.test(char)) {
      const code = (char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
      problems.push(`invalid character U+${code} (at position ${position})`);
    }
    position += Buffer.byteLength(char, "utf8");
  }
  return problems;
}
