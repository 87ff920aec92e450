/** Recorded /proc files for the tests. */

export const STAT = [
  "cpu  1000 50 450 8000 500 0 0 0 0 0",
  "cpu0 500 25 225 4000 250 0 0 0 0 0",
  "intr 12345",
  "btime 1700000000",
  "",
].join("\n");
export const MEMINFO = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:   12000000 kB\n";
/** pid 42, comm with a space and a parenthesis, utime 300, stime 100, starttime 5000 ticks after boot. */
export const PROCESS_STAT = "42 (tmux: a) b) S 1 42 42 0 -1 4194560 100 0 0 0 300 100 0 0 20 0 1 0 5000 1000 200";
