/**
 * Judges what a watcher saw against the recorded history of writes, with the properties
 * etcd's robustness tests check (tests/robustness/validate): events in revision order,
 * each exactly once across reconnects (unique, resumable), none missing (reliable: with
 * `contiguous`, every revision from the start on, since only the test writes), each one what
 * was written (no invented or altered events), and lists after a 410 that agree with the
 * history.
 */
import type { ResumingWatcher } from "./resuming-watcher.js";
import type { AcknowledgedWrite, FlunderState, KeyRecord } from "./write-storm.js";

export interface WriteHistory {
  /** Acknowledged writes (creates and updates carry their revision). */
  acknowledged: readonly AcknowledgedWrite[];
  /** Keys whose last write got no answer: it may have happened. */
  inDoubt: readonly KeyRecord[];
}

export interface WatchCheckOptions {
  /** Every revision belongs to a write this watcher should see: consecutive events differ by one. */
  contiguous: boolean;
  /** The watcher must have reached this revision. */
  upTo: number;
}

export interface WatchCheck {
  problems: string[];
  /** Events checked against a write of known revision. */
  matched: number;
  /** Events for deletes and in-doubt writes, checked by key and content. */
  accounted: number;
}

const same = (a: FlunderState | undefined, b: FlunderState | undefined) =>
  a?.replicas === b?.replicas && a?.reference === b?.reference;

export function checkWatcher(watcher: ResumingWatcher, history: WriteHistory, options: WatchCheckOptions): WatchCheck {
  const problems: string[] = [];
  const byRevision = new Map<number, AcknowledgedWrite>();
  const deleted = new Set<string>();
  const doubtful = new Map<string, KeyRecord>();
  for (const write of history.acknowledged) {
    if (write.revision !== undefined) byRevision.set(write.revision, write);
    else if (write.type === "DELETED") deleted.add(write.name);
  }
  for (const record of history.inDoubt) {
    doubtful.set(record.name, record);
    if (record.inDoubt && !record.inDoubt.present) deleted.add(record.name);
  }
  const seen = new Set<number>();
  const covered: Array<[number, number]> = [];
  let matched = 0;
  let accounted = 0;
  for (const segment of watcher.segments) {
    if (segment.relist) problems.push(...checkRelist(segment.relist, history, deleted));
    let previous = segment.from;
    for (const event of segment.events) {
      if (event.type === "BOOKMARK") {
        if (event.revision < previous) problems.push(`bookmark ${event.revision} went back from ${previous}`);
        previous = Math.max(previous, event.revision);
        continue;
      }
      const at = `${event.type} ${event.name} at ${event.revision} (from ${segment.from})`;
      if (event.revision <= previous) problems.push(`${at}: out of order after ${previous}`);
      else if (options.contiguous && event.revision !== previous + 1) {
        problems.push(`${at}: revisions ${previous + 1}..${event.revision - 1} missing`);
      }
      if (seen.has(event.revision)) problems.push(`${at}: delivered twice`);
      seen.add(event.revision);
      previous = Math.max(previous, event.revision);
      const write = byRevision.get(event.revision);
      if (write) {
        if (write.type !== event.type || write.name !== event.name || !same(write.state, event.state)) {
          problems.push(
            `${at}: the write at that revision was ${write.type} ${write.name} ${JSON.stringify(write.state)}`,
          );
        } else matched++;
        continue;
      }
      const doubt = doubtful.get(event.name)?.inDoubt;
      if (event.type === "DELETED" ? deleted.has(event.name) : doubt?.present && same(doubt.state, event.state)) {
        accounted++;
      } else {
        problems.push(`${at}: no such write ${JSON.stringify(event.state)}`);
      }
    }
    covered.push([segment.from, previous]);
  }
  // Reliable: every acknowledged write inside a covered range was delivered.
  for (const [revision, write] of byRevision) {
    if (seen.has(revision)) continue;
    if (covered.some(([from, to]) => revision > from && revision <= to)) {
      problems.push(`${write.type} ${write.name} at ${revision} never delivered`);
    }
  }
  if (watcher.lastRevision < options.upTo)
    problems.push(`stopped at ${watcher.lastRevision}, short of ${options.upTo}`);
  return { problems, matched, accounted };
}

/** A list's items: each key in the state of its newest write at or before the list's revision. */
function checkRelist(
  relist: NonNullable<ResumingWatcher["segments"][number]["relist"]>,
  history: WriteHistory,
  deleted: Set<string>,
): string[] {
  const problems: string[] = [];
  const latest = new Map<string, AcknowledgedWrite>();
  for (const write of history.acknowledged) {
    if (write.revision === undefined || write.revision > relist.revision) continue;
    const known = latest.get(write.name);
    if (!known || (known.revision ?? 0) < write.revision) latest.set(write.name, write);
  }
  for (const [name, item] of relist.items) {
    const write = latest.get(name);
    if (item.revision > relist.revision) problems.push(`list at ${relist.revision} holds ${name} at ${item.revision}`);
    // In doubt or unknown keys are judged only where the history is certain.
    if (!write) continue;
    if (write.revision !== item.revision) {
      // Only a write in flight after the last acknowledged one can have moved the key on.
      const doubtful = history.inDoubt.some((r) => r.name === name) && item.revision > (write.revision ?? 0);
      if (!doubtful)
        problems.push(`list at ${relist.revision}: ${name} at ${item.revision}, written at ${write.revision}`);
    } else if (!same(write.state, item.state)) {
      problems.push(`list at ${relist.revision}: ${name} holds ${JSON.stringify(item.state)}`);
    }
  }
  for (const [name, write] of latest) {
    if (!relist.items.has(name) && !deleted.has(name)) {
      problems.push(`list at ${relist.revision} misses ${name} (written at ${write.revision})`);
    }
  }
  return problems;
}
