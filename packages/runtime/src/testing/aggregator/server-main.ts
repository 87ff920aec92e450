/**
 * A wardle server as its own process, through the real entry point (`runServerMain`: flags,
 * signals, the bounded exit), for tests that send it SIGTERM. One user route, `/slow?ms=N`,
 * answers after N milliseconds: a request still in progress when the listener closes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { runServerMain } from "../../app/run-server.js";
import { wardleDefinitions } from "../fixtures.js";

function slowRoute(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "https://localhost");
  if (url.pathname !== "/slow") {
    res.writeHead(404).end();
    return;
  }
  const ms = Number(url.searchParams.get("ms") ?? "1000");
  setTimeout(() => {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`slept ${ms} ms\n`);
  }, ms);
}

await runServerMain({
  name: "wardle-server",
  resources: wardleDefinitions,
  argv: process.argv.slice(2),
  nonApiHandler: slowRoute,
});
