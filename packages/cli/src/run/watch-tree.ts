/**
 * Watching a directory tree for changes, one watch per directory. Node 20's recursive
 * `fs.watch` on Linux watches each file's inode, so a file replaced by a rename (an editor's
 * atomic save, or scaffold's own writes) is never reported again; a directory's watch names
 * whatever changes inside it, whichever inode the name holds.
 */
import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";

export interface TreeWatch {
  close(): void;
}

/**
 * Calls `onChange` with the path (relative to `root`, `/`-separated) of each file or directory
 * that is written, made, renamed or removed under `root`. A directory made later is watched
 * too, and the files already in it are reported (they may be written before its watch starts).
 */
export function watchTree(root: string, onChange: (path: string) => void): TreeWatch {
  const watchers = new Map<string, FSWatcher>();
  const report = (path: string) => onChange(relative(root, path).split(sep).join("/"));

  const unwatch = (path: string) => {
    for (const [dir, watcher] of watchers) {
      if (dir === path || dir.startsWith(`${path}${sep}`)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
  };

  const add = (dir: string, reportFiles: boolean) => {
    if (watchers.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, (_event, name) => {
        if (name) changed(join(dir, name.toString()));
      });
    } catch {
      return; // gone again before it could be watched
    }
    watcher.on("error", () => unwatch(dir));
    watchers.set(dir, watcher);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) add(path, reportFiles);
      else if (reportFiles) report(path);
    }
  };

  const changed = (path: string) => {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      isDirectory = undefined; // removed, or renamed away
    }
    if (isDirectory === undefined) unwatch(path);
    if (isDirectory && !watchers.has(path)) add(path, true);
    else report(path);
  };

  add(root, false);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
