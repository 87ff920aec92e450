/** Messages between SqliteStorage (main thread) and its writer worker. */

export type WriteOp =
  | { readonly op: "create"; readonly key: string; readonly value: string }
  /** `expected`: the revision of the key's live version the update was computed from; 0 = absent. */
  | { readonly op: "update"; readonly key: string; readonly expected: number; readonly value: string }
  | { readonly op: "delete"; readonly key: string; readonly expected: number };

export type WorkerRequest =
  | { readonly id: number; readonly kind: "write"; readonly write: WriteOp }
  | { readonly id: number; readonly kind: "compact"; readonly revision: number }
  | { readonly id: number; readonly kind: "backup"; readonly path: string }
  | { readonly id: number; readonly kind: "status" }
  | { readonly id: number; readonly kind: "close" };

export type Synchronous = "full" | "normal";

export interface WriterStatus {
  readonly journalMode: string;
  /** PRAGMA synchronous as SQLite reports it: 1 = NORMAL, 2 = FULL. */
  readonly synchronous: number;
  readonly revision: number;
  readonly compacted: number;
  /** Transactions committed and writes applied since open: writes / commits is the group-commit factor. */
  readonly commits: number;
  readonly writes: number;
}

export type WorkerOutcome =
  | { readonly id: number; readonly ok: true; readonly revision: number }
  | { readonly id: number; readonly ok: true; readonly status: WriterStatus }
  /** KeyExists (create), Conflict (the live revision is `current`, 0 = absent). */
  | { readonly id: number; readonly ok: false; readonly code: "KeyExists" | "Conflict"; readonly current: number }
  | { readonly id: number; readonly ok: false; readonly code: "Failed"; readonly message: string };

export type WorkerMessage =
  | { readonly kind: "ready"; readonly revision: number; readonly compacted: number }
  | { readonly kind: "fatal"; readonly message: string }
  | { readonly kind: "outcomes"; readonly outcomes: readonly WorkerOutcome[] };

export interface WriterWorkerData {
  readonly file: string;
  readonly synchronous: Synchronous;
  /** Test hook: block this long inside every commit, as a slow fsync would. */
  readonly commitDelayMs: number;
}
