import { describeStorageConformance } from "../testing/conformance.js";
import { MemoryStorage } from "./memory-storage.js";

describeStorageConformance("memory", async () => {
  const storage = new MemoryStorage();
  return { storage, cleanup: () => storage.close() };
});
