import { describeStorageConformance } from "../testing/conformance.js";
import { memoryFixture } from "../testing/fixtures.js";

describeStorageConformance("memory", memoryFixture);
