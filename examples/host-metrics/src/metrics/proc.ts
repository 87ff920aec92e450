/**
 * Reading /proc: the machine's CPU and memory counters and each process's. Parsing is kept
 * apart from the file system so that tests can feed recorded files.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** /proc reports CPU times in USER_HZ ticks: 100 per second on every mainstream architecture (the ABI fixes it). */
export const USER_HZ = 100;

/** The files under a /proc root; a read of a file that vanished (a process that ended) is undefined. */
export interface ProcFiles {
  read(path: string): string | undefined;
  /** The numeric entries: one per process. */
  pids(): number[];
}

export function procFiles(root = "/proc"): ProcFiles {
  return {
    read(path) {
      try {
        return readFileSync(join(root, path), "utf8");
      } catch {
        return undefined;
      }
    },
    pids: () =>
      readdirSync(root)
        .filter((entry) => /^\d+$/.test(entry))
        .map(Number),
  };
}

/** A reading of the machine's counters. */
export interface NodeSample {
  /** Seconds since boot (/proc/uptime): the clock CPU ticks are measured against. */
  uptimeSeconds: number;
  /** When the machine booted, in ms since the epoch (/proc/stat btime). */
  bootTimeMs: number;
  /** CPU ticks spent on anything but idle and I/O wait, all cores together. */
  busyTicks: number;
  /** MemTotal - MemAvailable, in KiB. */
  memoryUsedKiB: number;
}

/** A reading of one process's counters. */
export interface ProcessSample {
  pid: number;
  command: string;
  state: string;
  /** User and system CPU ticks since the process started. */
  cpuTicks: number;
  /** When it started, in ticks after boot: with the pid, what tells a process from a later one reusing its pid. */
  startTicks: number;
  /** Resident memory (VmRSS) in KiB; 0 for kernel threads. */
  rssKiB: number;
}

/** Thrown when a /proc file does not have the shape the kernel documents. */
export class ProcFormatError extends Error {
  readonly reason = "ProcFormat";
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

function kibField(meminfo: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(meminfo);
  if (!match) throw new ProcFormatError("/proc/meminfo", `no ${name} line`);
  return Number(match[1]);
}

export function parseNodeSample(stat: string, meminfo: string, uptime: string): NodeSample {
  const cpu = /^cpu\s+(.+)$/m.exec(stat);
  if (!cpu?.[1]) throw new ProcFormatError("/proc/stat", "no cpu line");
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const ticks = cpu[1].trim().split(/\s+/).slice(0, 8).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const btime = /^btime\s+(\d+)$/m.exec(stat);
  if (!btime) throw new ProcFormatError("/proc/stat", "no btime line");
  const uptimeSeconds = Number(uptime.trim().split(/\s+/)[0]);
  if (!Number.isFinite(uptimeSeconds)) throw new ProcFormatError("/proc/uptime", "no uptime");
  return {
    uptimeSeconds,
    bootTimeMs: Number(btime[1]) * 1000,
    busyTicks: total - idle,
    memoryUsedKiB: kibField(meminfo, "MemTotal") - kibField(meminfo, "MemAvailable"),
  };
}

/** /proc/<pid>/stat: `pid (comm) state ...`; comm may hold spaces and parentheses, so split at the last `)`. */
export function parseProcessStat(stat: string): Omit<ProcessSample, "rssKiB"> {
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  if (open < 0 || close < open) throw new ProcFormatError("/proc/<pid>/stat", "no (comm)");
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(" ");
  // Fields after comm, counted from 0: state, ..., utime at 11, stime at 12, starttime at 19.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (![utime, stime, startTicks].every(Number.isFinite)) {
    throw new ProcFormatError("/proc/<pid>/stat", "utime, stime or starttime missing");
  }
  return {
    pid: Number(stat.slice(0, open).trim()),
    command: stat.slice(open + 1, close),
    state: fields[0] ?? "?",
    cpuTicks: utime + stime,
    startTicks,
  };
}

/** VmRSS from /proc/<pid>/status; kernel threads have none. */
export function parseRssKiB(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) : 0;
}

export function readNodeSample(files: ProcFiles): NodeSample {
  const read = (path: string) => {
    const text = files.read(path);
    if (text === undefined) throw new ProcFormatError(`/proc/${path}`, "can't be read");
    return text;
  };
  return parseNodeSample(read("stat"), read("meminfo"), read("uptime"));
}

/** Every process that could be read; one that ends while being read is left out. */
export function readProcessSamples(files: ProcFiles): ProcessSample[] {
  const samples: ProcessSample[] = [];
  for (const pid of files.pids()) {
    const stat = files.read(`${pid}/stat`);
    const status = files.read(`${pid}/status`);
    if (stat === undefined || status === undefined) continue;
    samples.push({ ...parseProcessStat(stat), rssKiB: parseRssKiB(status) });
  }
  return samples;
}
