import type { ControllerSpec, Manager } from "@apiserver-kit/controller";
import { flunderController } from "./flunder.js";

/** Every controller of the project; `scaffold add resource` adds new ones here. (Fischers have no status to keep.) */
export const controllers: Array<(manager: Manager) => ControllerSpec> = [flunderController];
