/**
 * /healthz, /livez and /readyz in Kubernetes' text format (k8s.io/apiserver server/healthz):
 * `ok`; `?verbose` lists each check; a failure answers 500, always verbose, with the
 * reasons withheld; `?exclude=<check>` skips one; `/<endpoint>/<check>` runs one and, being
 * a named check, does give its reason.
 */
import type { HttpResponse } from "./http.js";
import { writeBody } from "./http.js";

export interface HealthCheck {
  name: string;
  /** Healthy when it returns undefined; unhealthy when it throws or returns a reason. */
  check(): Promise<string | undefined> | string | undefined;
}

export type HealthEndpoint = "healthz" | "livez" | "readyz";

const TEXT = "text/plain; charset=utf-8";
const NOSNIFF = { "X-Content-Type-Options": "nosniff" };

async function run(check: HealthCheck): Promise<string | undefined> {
  try {
    return (await check.check()) ?? undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Serves one health endpoint (`subPath` "" for the whole list, else one check's name). */
export async function serveHealth(
  res: HttpResponse,
  endpoint: HealthEndpoint,
  checks: readonly HealthCheck[],
  subPath: string,
  query: URLSearchParams,
): Promise<void> {
  if (subPath) {
    const check = checks.find((c) => c.name === subPath);
    if (!check) {
      writeBody(res, 404, TEXT, "404 page not found\n", NOSNIFF);
      return;
    }
    const failure = await run(check);
    if (failure === undefined) writeBody(res, 200, TEXT, "ok", NOSNIFF);
    else writeBody(res, 500, TEXT, `internal server error: ${failure}\n`, NOSNIFF);
    return;
  }
  const excluded = new Set(query.getAll("exclude"));
  let output = "";
  let failed = false;
  // In order, one at a time, as Kubernetes runs them.
  for (const c of checks) {
    if (excluded.delete(c.name)) {
      output += `[+]${c.name} excluded: ok\n`;
      continue;
    }
    const failure = await run(c);
    if (failure === undefined) output += `[+]${c.name} ok\n`;
    else {
      failed = true;
      output += `[-]${c.name} failed: reason withheld\n`;
    }
  }
  if (excluded.size > 0) {
    const names = [...excluded].sort().map((n) => JSON.stringify(n));
    output += `warn: some health checks cannot be excluded: no matches for ${names.join(",")}\n`;
  }
  if (failed) writeBody(res, 500, TEXT, `${output}${endpoint} check failed\n`, NOSNIFF);
  else if (query.has("verbose")) writeBody(res, 200, TEXT, `${output}${endpoint} check passed\n`, NOSNIFF);
  else writeBody(res, 200, TEXT, "ok", NOSNIFF);
}
