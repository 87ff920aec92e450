import type { ControllerSpec, Manager } from "@apiserver-kit/controller";
import { gadgetController } from "./gadget.js";
import { widgetController } from "./widget.js";

/** Every controller of the project; `scaffold add resource` adds new ones here. */
export const controllers: Array<(manager: Manager) => ControllerSpec> = [widgetController, gadgetController];
