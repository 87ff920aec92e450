export type { StorageFactory, StorageFixture } from "./conformance.js";
export { collectWatch, describeStorageConformance } from "./conformance.js";
