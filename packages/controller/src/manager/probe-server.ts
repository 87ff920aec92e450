/**
 * The manager's HTTP endpoints: `/healthz` and `/readyz` (kubelet probes; `?verbose`
 * lists the checks as kube-apiserver does) and `/metrics` (Prometheus text).
 * Plain HTTP on the configured address: keep it on the pod network or behind a proxy.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** A named check: resolves to nothing when healthy, or a reason. May throw (unhealthy). */
export interface HealthCheck {
  name: string;
  check(): string | undefined | Promise<string | undefined>;
}

export interface ProbeServerOptions {
  host?: string;
  port?: number;
  registry: Registry;
  liveness: () => readonly HealthCheck[];
  readiness: () => readonly HealthCheck[];
}

export class ProbeServer {
  private server: Server | undefined;

  constructor(private readonly options: ProbeServerOptions) {}

  async listen(): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://probe");
      const respond = (code: number, type: string, body: string) => {
        res.writeHead(code, { "Content-Type": type, "Cache-Control": "no-cache, private" });
        res.end(body);
      };
      if (req.method !== "GET" && req.method !== "HEAD") return respond(405, "text/plain", "method not allowed\n");
      const path = url.pathname;
      if (path === "/metrics") {
        this.options.registry.metrics().then(
          (text) => respond(200, this.options.registry.contentType, text),
          (error: unknown) => respond(500, "text/plain", `${String(error)}\n`),
        );
        return;
      }
      const [root, only] = path.split("/").filter(Boolean);
      if (root !== "healthz" && root !== "readyz" && root !== "livez") return respond(404, "text/plain", "not found\n");
      const checks = root === "readyz" ? this.options.readiness() : this.options.liveness();
      const selected = only ? checks.filter((c) => c.name === only) : checks;
      if (only && selected.length === 0) return respond(404, "text/plain", "not found\n");
      void runChecks(selected).then(({ ok, lines }) => {
        const verbose = url.searchParams.has("verbose");
        const body = verbose
          ? `${lines.join("\n")}\n${root} check ${ok ? "passed" : "failed"}\n`
          : ok
            ? "ok"
            : `${lines.filter((l) => l.startsWith("[-]")).join("\n")}\n${root} check failed\n`;
        respond(ok ? 200 : 500, "text/plain; charset=utf-8", body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

async function runChecks(checks: readonly HealthCheck[]): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  let ok = true;
  for (const check of checks) {
    let reason: string | undefined;
    try {
      reason = await check.check();
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (reason === undefined) lines.push(`[+]${check.name} ok`);
    else {
      ok = false;
      lines.push(`[-]${check.name} failed: ${reason}`);
    }
  }
  return { ok, lines };
}
