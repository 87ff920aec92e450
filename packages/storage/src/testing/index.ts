export type { StorageFactory, StorageFixture } from "./conformance.js";
export { collectWatch, describeStorageConformance, settle, WatchRecorder } from "./conformance.js";
export { FakeClock } from "./fake-clock.js";
