/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The logging the controller machinery needs: levelled, structured lines and children
 * carrying context (controller name, object key). pino and most loggers adapt to it in
 * a few lines; the default writes JSON lines.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go; default: stderr. */
  write?: (line: string) => void;
  now?: () => number;
}

/** A logger writing one JSON object per line: `{"level","time","msg",...fields}`. */
export function jsonLogger(options: JsonLoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const emit = (level: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const line: LogFields = { level, time: new Date(now()).toISOString(), msg: message, ...bound, ...fields };
    if (line.error instanceof Error) line.error = errorFields(line.error);
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => jsonLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** An error as loggable fields (JSON.stringify drops an Error's message and stack). */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: LogFields = { name: error.name, message: error.message };
  for (const key of ["code", "reason"] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}
