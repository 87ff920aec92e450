import { fileURLToPath } from "node:url";

/** The apiserver-kit checkout: this file is examples/docs-check/dist/paths.js. */
export const CHECKOUT = fileURLToPath(new URL("../../../", import.meta.url));
export const DOCS = fileURLToPath(new URL("../../../docs/", import.meta.url));
