import {
  jsonLogger,
  Manager,
  restConfigFromKubeconfigFile,
  restConfigInCluster,
  stripManagedFields,
} from "@apiserver-kit/controller";
import { isMainModule, type RunServerOptions, runServerMain, type ServerController } from "@apiserver-kit/runtime";
import { controllers } from "./controllers/index.js";
import { resources } from "./resources.js";

/** The project's controllers in one manager: a client of the API like any other (see src/controllers). */
export const controllerManager: ServerController = {
  name: "controller-manager",
  async run(context) {
    const config = context.kubeconfig
      ? await restConfigFromKubeconfigFile(context.kubeconfig)
      : await restConfigInCluster({
          host: process.env.KUBERNETES_SERVICE_HOST ?? "kubernetes.default.svc",
          port: process.env.KUBERNETES_SERVICE_PORT ?? 443,
        });
    const manager = new Manager({
      config,
      name: "widgets-controller-manager",
      logger: jsonLogger({ level: "warn" }),
      // The informers' cache keeps no metadata.managedFields: less memory and faster syncs. Remove
      // this if a controller reads them (updates sent from cached objects keep the server's).
      informer: { transform: stripManagedFields },
    });
    for (const controller of controllers) manager.addController(controller(manager));
    await manager.start(context.signal);
  },
};

/** The server with its flags: `npm start -- --help` lists them. Tests start it with their own argv. */
export function serverOptions(argv: readonly string[]): RunServerOptions {
  return {
    name: "widgets-server",
    description: "Serves the widgets.example.com API (Widget, Gadget) with its controllers.",
    resources,
    controllers: [controllerManager],
    argv,
  };
}

if (isMainModule(import.meta.url)) await runServerMain(serverOptions(process.argv.slice(2)));
