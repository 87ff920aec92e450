/**
 * Structured logs (pino): one line per request with verb, resource, user, code and
 * latency. Only fields named here are ever logged: never headers, tokens, query strings
 * or certificates.
 */
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

export interface LoggerOptions {
  /** Default "info". */
  level?: LevelWithSilent;
  /** Default: standard output. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { component: "apiserver" },
      // Belt and braces: drop credential-shaped keys should a caller ever log a request.
      redact: {
        paths: ["req.headers", "headers", "authorization", "*.authorization", "cert", "key", "token"],
        remove: true,
      },
    },
    options.destination,
  );
}

/** What the request log line says; a closed set of fields, nothing from the request's credentials. */
export interface RequestLogFields {
  verb: string;
  /** The URL path, without the query string. */
  path: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  user?: string;
  userAgent?: string;
  protocol: string;
  code: number;
  latencyMs: number;
  /** The Status reason of an error response. */
  reason?: string;
}

/** Writes the line: info for answers, error for the server's own failures. */
export function logRequest(logger: Logger, fields: RequestLogFields): void {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== "") clean[k] = v;
  if (fields.code >= 500) logger.error(clean, "request");
  else logger.info(clean, "request");
}
