import type { ControllerSpec, Manager } from "@apiserver-kit/controller";
import { buildRunner } from "../runner/runner.js";

/** Every controller of the project. The build runner must run in the server process (it writes the log book). */
export const controllers: Array<(manager: Manager) => ControllerSpec> = [buildRunner];
