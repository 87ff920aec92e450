/**
 * /healthz, /livez and /readyz in Kubernetes' text format (k8s server/healthz):
 * `ok`, `?verbose` lists each check, failures answer 500 with the reasons withheld,
 * `?exclude=<check>` skips one, and `/readyz/<check>` runs one.
 */
import type { HttpResponse } from "./http.js";
import { writeBody } from "./http.js";

export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects (or returns an error message) when not. */
  check(): Promise<string | undefined> | string | undefined;
}

export type HealthEndpoint = "healthz" | "livez" | "readyz";

async function run(check: HealthCheck): Promise<string | undefined> {
  try {
    return (await check.check()) ?? undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

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
      writeBody(res, 404, "text/plain; charset=utf-8", "404 page not found\n");
      return;
    }
    const failure = await run(check);
    if (failure === undefined) writeBody(res, 200, "text/plain; charset=utf-8", "ok");
    else writeBody(res, 500, "text/plain; charset=utf-8", `internal server error: ${check.name} check failed\n`);
    return;
  }
  const excluded = new Set(query.getAll("exclude"));
  const verbose = query.has("verbose");
  const lines: string[] = [];
  let failed = false;
  const results = await Promise.all(
    checks.map(async (c) => ({ c, failure: excluded.has(c.name) ? null : await run(c) })),
  );
  for (const { c, failure } of results) {
    if (failure === null) lines.push(`[+]${c.name} excluded: ok`);
    else if (failure === undefined) lines.push(`[+]${c.name} ok`);
    else {
      failed = true;
      lines.push(`[-]${c.name} failed: reason withheld`);
    }
  }
  const unknown = [...excluded].filter((name) => !checks.some((c) => c.name === name));
  if (unknown.length > 0)
    lines.push(
      `warn: some health checks cannot be excluded: no matches for ${unknown.map((n) => JSON.stringify(n)).join(",")}`,
    );
  if (failed) {
    writeBody(res, 500, "text/plain; charset=utf-8", `${lines.join("\n")}\n${endpoint} check failed\n`);
  } else if (verbose) {
    writeBody(res, 200, "text/plain; charset=utf-8", `${lines.join("\n")}\n${endpoint} check passed\n`);
  } else {
    writeBody(res, 200, "text/plain; charset=utf-8", "ok");
  }
}
