import {
  isMainModule,
  parseCommandLine,
  parseDuration,
  type RunServerOptions,
  runServerMain,
  SERVER_FLAG_GROUPS,
  ServerFlagError,
  type ServerFlagGroup,
} from "@apiserver-kit/runtime";
import { metricsResources } from "./resources.js";

const NAME = "host-metrics-server";
const DEFAULT_RESOLUTION_MS = 15_000;

/** This server's own flag, named as metrics-server's. */
export const METRICS_FLAGS: ServerFlagGroup = {
  title: "Metrics",
  flags: [
    {
      name: "metric-resolution",
      value: "duration",
      description:
        "How old a reading of /proc may be when served; while anyone watches, /proc is read again this often.",
      example: "--metric-resolution 30s",
      default: DEFAULT_RESOLUTION_MS,
      parse(text) {
        const ms = parseDuration(text);
        if (ms === undefined || ms <= 0) {
          throw new ServerFlagError(
            "InvalidFlagValue",
            `invalid value "${text}" for --metric-resolution: a positive duration such as 15s`,
            "metric-resolution",
          );
        }
        return ms;
      },
    },
  ],
};

/**
 * The resolution on the command line. The resources need it before the server starts, so the
 * command line is read here too; a bad one is left for runServer to report (exit 2 with --help's hint).
 */
export function metricResolution(argv: readonly string[]): number {
  try {
    const parsed = parseCommandLine(argv, {
      name: NAME,
      description: "",
      groups: [...SERVER_FLAG_GROUPS, METRICS_FLAGS],
    });
    const value = parsed.kind === "flags" ? parsed.values["metric-resolution"] : undefined;
    return typeof value === "number" ? value : DEFAULT_RESOLUTION_MS;
  } catch (error) {
    if (error instanceof ServerFlagError) return DEFAULT_RESOLUTION_MS;
    throw error;
  }
}

/** The server with its flags: `npm start -- --help` lists them. Tests start it with their own argv. */
export function serverOptions(argv: readonly string[]): RunServerOptions {
  return {
    name: NAME,
    description:
      "Serves metrics.example.com (NodeMetrics, ProcessMetrics): this machine's CPU and memory usage, read from /proc.",
    resources: metricsResources({ resolutionMs: metricResolution(argv) }),
    flagGroups: [METRICS_FLAGS],
    argv,
  };
}

if (isMainModule(import.meta.url)) await runServerMain(serverOptions(process.argv.slice(2)));
