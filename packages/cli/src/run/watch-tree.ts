/**
 * A folder tree watched one folder at a time, for `scaffold run --watch`. A folder's watch
 * reports its entries by name, so a file replaced by a rename (scaffold's own writes, `sed -i`,
 * editors that save atomically) is still reported when it is edited afterwards. Node 20's
 * `fs.watch(dir, { recursive: true })` on Linux watches each file it found instead, and goes
 * quiet about a file once it has been replaced.
 */
import { type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Calls `onChange` with the path (relative to `root`, `/`-separated) of each file or folder
 * created, changed, renamed or removed under `root`; folders made later are watched too, and the
 * files already in them reported.
 */
export function watchTree(root: string, onChange: (path: string) => void): { close(): void } {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  const report = (path: string) => {
    if (!closed) onChange(relative(root, path).split(sep).join("/"));
  };
  const unwatch = (dir: string) => {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(`${dir}${sep}`)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };
  /** Watches `dir` and the folders under it; with `announce`, reports the files found there. */
  const add = (dir: string, announce: boolean) => {
    if (closed || watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (!name) return report(dir);
        const path = join(dir, name.toString());
        report(path);
        if (isDirectory(path)) add(path, true);
        else unwatch(path);
      });
    } catch {
      return; // Gone already: its parent reports it.
    }
    watcher.on("error", () => unwatch(dir));
    watchers.set(dir, watcher);
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return unwatch(dir);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) add(path, announce);
      else if (announce) report(path);
    }
  };
  add(root, false);
  return {
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
