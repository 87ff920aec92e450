import { AdmissionDenied, type AdmissionPlugin } from "@apiserver-kit/runtime";
import type { Fischer } from "../apis/wardle/v1alpha1/fischer.js";

/**
 * BanFlunder, sample-apiserver's admission plugin: a Flunder may not be created under a name
 * that any Fischer lists in disallowedFlunders. Fischers are read through the server's lister
 * (its watch cache), so the check costs no storage round trip.
 */
export const banFlunder: AdmissionPlugin = {
  name: "BanFlunder",
  operations: ["CREATE"],
  async validate(attributes, context) {
    const fischers = (await context.lister("wardle.example.com", "fischers").list()) as unknown as Fischer[];
    const banning = fischers.find((fischer) => fischer.disallowedFlunders?.includes(attributes.name));
    if (banning) {
      throw new AdmissionDenied(
        `this name may not be used, please change the resource name (fischer "${banning.metadata.name}" disallows it)`,
      );
    }
  },
};
