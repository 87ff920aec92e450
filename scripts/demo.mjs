#!/usr/bin/env node
// The quick-start demo, the way a user works: `scaffold new-api` a project with a namespaced Widget
// and a cluster-scoped Gadget into .data/demo-project (reused when it is there), then `scaffold run`
// it on SQLite with its controllers, and print what to try once it serves.
// DEMO_PROJECT and DEMO_PORT change the directory and the port.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const scaffold = join(root, "packages/cli/dist/bin.js");
const project = process.env.DEMO_PROJECT ?? join(root, ".data", "demo-project");
const port = process.env.DEMO_PORT ?? "8443";
// Relative when the project is inside the current folder (the default ./demo), absolute otherwise.
const inside = relative(process.cwd(), project);
const shown = inside === "" ? "." : inside.startsWith("..") || isAbsolute(inside) ? project : inside;

if (!existsSync(join(project, "PROJECT"))) {
  const created = spawnSync(
    process.execPath,
    [scaffold, "new-api", project, "--group", "demo.example.com", "--kind", "Widget", "--kind", "Gadget:Cluster"],
    { stdio: "inherit" },
  );
  if (created.status !== 0) process.exit(created.status ?? 1);
} else {
  console.log(`==> reusing the demo project in ${shown} (delete it to start over)`);
}

const run = spawn(process.execPath, [scaffold, "run", "--storage", "sqlite", "--port", port], {
  cwd: project,
  stdio: ["ignore", "pipe", "inherit"],
});
let printed = false;
run.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  const text = chunk.toString();
  const match = /export KUBECONFIG=(\S+)/.exec(text);
  if (match && !printed) {
    printed = true;
    console.log(`
The demo.example.com API is serving (SQLite in ${shown}/.data). In another terminal:

  export KUBECONFIG=${match[1]}
  kubectl api-resources --api-group=demo.example.com
  kubectl explain widgets.spec
  cat <<'YAML' | kubectl create -f -
  apiVersion: demo.example.com/v1alpha1
  kind: Widget
  metadata:
    name: my-widget
  spec:
    replicas: 2
  YAML
  kubectl get widgets                      # REPLICAS, READY (set by the Widget controller), AGE
  kubectl wait --for=condition=Ready widget/my-widget
  kubectl scale widget my-widget --replicas=3
  kubectl get widgets -w                   # and change something from a third terminal
  kubectl delete widget my-widget

Change the API: edit ${shown}/src/apis/demo/v1alpha1/widget.ts, then run
\`npx scaffold run --watch\` inside ${shown} (or see docs/tutorial/02-your-own-api.md).
Ctrl-C stops the server; the data stays in ${shown}/.data.
`);
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (run.pid !== undefined && run.exitCode === null) process.kill(run.pid, "SIGTERM");
  });
}
run.on("close", (code) => process.exit(code ?? 0));
