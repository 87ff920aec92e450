/**
 * The SQLite writer, on its own thread: better-sqlite3 is synchronous, so a commit's
 * fsync here never blocks the main thread's event loop. Writes that arrive while a commit
 * is in progress queue up and go into the next transaction together (group commit).
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { SCHEMA_SQL } from "./schema.js";
import type {
  WorkerMessage,
  WorkerOutcome,
  WorkerRequest,
  WriteOp,
  WriterStatus,
  WriterWorkerData,
} from "./writer-protocol.js";

/** Revisions removed per compaction transaction, so that writes interleave with a long compaction. */
const COMPACTION_STEP = 10_000;

interface CompactionJob {
  readonly id: number;
  readonly target: number;
}

const config = workerData as WriterWorkerData;
const port = parentPort;
if (!port) throw new Error("writer-worker must run in a worker thread");

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

let db: Database.Database;
try {
  db = new Database(config.file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${config.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.exec(SCHEMA_SQL);
} catch (error) {
  post({ kind: "fatal", message: (error as Error).message });
  process.exit(1);
}

const statements = {
  meta: db.prepare<[], { revision: number; compacted: number }>("SELECT revision, compacted FROM meta WHERE id = 1"),
  setRevision: db.prepare<[number]>("UPDATE meta SET revision = ? WHERE id = 1"),
  setCompacted: db.prepare<[number]>("UPDATE meta SET compacted = ? WHERE id = 1"),
  live: db.prepare<[string], { revision: number }>("SELECT revision FROM kv WHERE key = ? AND live = 1"),
  retire: db.prepare<[number]>("UPDATE kv SET live = 0 WHERE revision = ?"),
  insert: db.prepare<[number, string, number, number, number | null, string | null]>(
    "INSERT INTO kv (revision, key, deleted, live, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)",
  ),
  compactReplaced: db.prepare<[number, number]>(
    "DELETE FROM kv WHERE revision IN (SELECT prev_revision FROM kv WHERE revision > ? AND revision <= ? AND prev_revision IS NOT NULL)",
  ),
  compactTombstones: db.prepare<[number, number]>(
    "DELETE FROM kv WHERE revision > ? AND revision <= ? AND deleted = 1",
  ),
};

const initial = statements.meta.get() as { revision: number; compacted: number };
let revision = initial.revision;
let compacted = initial.compacted;
let commits = 0;
let writes = 0;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

let backups = 0;
let pending: WorkerRequest[] = [];
const compactions: CompactionJob[] = [];
let flushScheduled = false;
let closing: number | undefined;

port.on("message", (request: WorkerRequest) => {
  pending.push(request);
  scheduleFlush();
});
post({ kind: "ready", revision, compacted });

/** Runs after every message already queued has arrived, so they share one transaction. */
function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

function flush(): void {
  flushScheduled = false;
  const batch = pending;
  pending = [];
  const outcomes: WorkerOutcome[] = [];
  const writeRequests = batch.filter((r): r is Extract<WorkerRequest, { kind: "write" }> => r.kind === "write");
  if (writeRequests.length > 0) outcomes.push(...commitWrites(writeRequests));
  for (const request of batch) {
    if (request.kind === "compact") compactions.push({ id: request.id, target: request.revision });
    else if (request.kind === "status") outcomes.push({ id: request.id, ok: true, status: status() });
    else if (request.kind === "backup") backup(request.id, request.path);
    else if (request.kind === "close") closing = request.id;
  }
  const job = compactions[0];
  if (job) {
    const done = compactStep(job);
    if (done) {
      compactions.shift();
      outcomes.push(done);
    }
    if (compactions.length > 0) scheduleFlush();
  }
  if (outcomes.length > 0) post({ kind: "outcomes", outcomes });
  if (closing !== undefined && pending.length === 0 && compactions.length === 0 && backups === 0) {
    db.close();
    post({ kind: "outcomes", outcomes: [{ id: closing, ok: true, revision }] });
    port?.close();
  }
}

function commitWrites(requests: readonly Extract<WorkerRequest, { kind: "write" }>[]): WorkerOutcome[] {
  const before = revision;
  try {
    db.exec("BEGIN IMMEDIATE");
    const outcomes = requests.map((request) => apply(request.id, request.write));
    if (revision !== before) statements.setRevision.run(revision);
    if (config.commitDelayMs > 0) Atomics.wait(sleeper, 0, 0, config.commitDelayMs);
    db.exec("COMMIT");
    commits++;
    writes += revision - before;
    return outcomes;
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    revision = before;
    const message = (error as Error).message;
    return requests.map((request) => ({ id: request.id, ok: false, code: "Failed", message }));
  }
}

/** Applies one write inside the open transaction; a refused write changes nothing. */
function apply(id: number, write: WriteOp): WorkerOutcome {
  const live = statements.live.get(write.key)?.revision ?? 0;
  if (write.op === "create") {
    if (live !== 0) return { id, ok: false, code: "KeyExists", current: live };
    revision++;
    statements.insert.run(revision, write.key, 0, 1, null, write.value);
    return { id, ok: true, revision };
  }
  if (live !== write.expected || (write.op === "delete" && live === 0)) {
    return { id, ok: false, code: "Conflict", current: live };
  }
  revision++;
  if (live !== 0) statements.retire.run(live);
  if (write.op === "update") statements.insert.run(revision, write.key, 0, 1, live || null, write.value);
  else statements.insert.run(revision, write.key, 1, 0, live, null);
  return { id, ok: true, revision };
}

/** Compacts up to COMPACTION_STEP revisions; returns the outcome once the job reached its target. */
function compactStep(job: CompactionJob): WorkerOutcome | undefined {
  const target = Math.min(job.target, revision);
  if (target <= compacted) return { id: job.id, ok: true, revision: compacted };
  const to = Math.min(target, compacted + COMPACTION_STEP);
  try {
    db.transaction(() => {
      // A version is history once a later write at or before `to` replaced it; tombstones too.
      statements.compactReplaced.run(compacted, to);
      statements.compactTombstones.run(compacted, to);
      statements.setCompacted.run(to);
    })();
    compacted = to;
  } catch (error) {
    return { id: job.id, ok: false, code: "Failed", message: (error as Error).message };
  }
  return to >= target ? { id: job.id, ok: true, revision: compacted } : undefined;
}

/** SQLite's online backup through this connection: writes during it reach the copy too. */
function backup(id: number, path: string): void {
  backups++;
  db.backup(path)
    .then(
      (): WorkerOutcome => ({ id, ok: true, revision }),
      (error: Error): WorkerOutcome => ({ id, ok: false, code: "Failed", message: error.message }),
    )
    .then((outcome) => {
      backups--;
      post({ kind: "outcomes", outcomes: [outcome] });
      if (closing !== undefined) scheduleFlush();
    });
}

function status(): WriterStatus {
  return {
    journalMode: String(db.pragma("journal_mode", { simple: true })),
    synchronous: Number(db.pragma("synchronous", { simple: true })),
    revision,
    compacted,
    commits,
    writes,
  };
}
