/** The raw etcd client EtcdStorage calls through: benchmarks' baselines use it for raw transactions. */
export { EtcdClient } from "../etcd/etcd-client.js";
export type { StorageFactory, StorageFixture } from "./conformance.js";
export {
  CONFORMANCE_PREFIX,
  collectWatch,
  describeStorageConformance,
  settle,
  WatchRecorder,
} from "./conformance.js";
export type { EtcdProcess, EtcdServerTls, StartEtcdOptions } from "./etcd.js";
export { ETCD_BINARY, etcdAvailable, etcdTestCertificates, OPENSSL, startEtcd } from "./etcd.js";
export { FakeClock } from "./fake-clock.js";
export { etcdFixture, memoryFixture, sqliteFixture, withWatchCache } from "./fixtures.js";
export { InstrumentedStorage } from "./instrumented-storage.js";
