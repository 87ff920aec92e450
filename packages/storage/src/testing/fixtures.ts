import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WatchCache, type WatchCacheOptions } from "../cache/watch-cache.js";
import { EtcdStorage, type EtcdStorageOptions } from "../etcd/etcd-storage.js";
import { MemoryStorage } from "../memory/memory-storage.js";
import { SqliteStorage, type SqliteStorageOptions } from "../sqlite/sqlite-storage.js";
import { CONFORMANCE_PREFIX, type StorageFactory } from "./conformance.js";
import { startEtcd } from "./etcd.js";

/** Fixtures for the conformance suite (and other tests): each backend, fresh and cleaned up after. */
export const memoryFixture: StorageFactory = async () => {
  const storage = new MemoryStorage();
  return { storage, cleanup: () => storage.close() };
};

/** A SqliteStorage in a temporary data directory, removed at cleanup. */
export function sqliteFixture(options: Partial<SqliteStorageOptions> = {}): StorageFactory {
  return async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "sqlite-fixture-"));
    const storage = await SqliteStorage.open({ compactionIntervalMs: 0, ...options, dataDir });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

/** An EtcdStorage on its own etcd process (startEtcd), stopped at cleanup. */
export function etcdFixture(options: Partial<EtcdStorageOptions> = {}): StorageFactory {
  return async () => {
    const etcd = await startEtcd();
    const storage = new EtcdStorage({ compactionIntervalMs: 0, ...options, servers: [etcd.endpoint] });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await etcd.stop();
      },
    };
  };
}

/** The same backend behind a WatchCache that covers the whole conformance key space. */
export function withWatchCache(factory: StorageFactory, options: Partial<WatchCacheOptions> = {}): StorageFactory {
  return async () => {
    const fixture = await factory();
    const cache = new WatchCache(fixture.storage, { prefix: CONFORMANCE_PREFIX, freshnessTimeoutMs: 300, ...options });
    await cache.ready;
    return {
      storage: cache,
      cleanup: async () => {
        await cache.close();
        await fixture.cleanup();
      },
    };
  };
}
