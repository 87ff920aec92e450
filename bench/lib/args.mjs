// The command line every scenario script shares:
//   --quick          a smaller run (CI, a smoke test): fewer rounds and objects
//   --json           print the result as one `BENCH_RESULT {...}` line (what bench/run.mjs reads)
//   --profile DIR    server processes run with --cpu-prof, writing their profiles into DIR
//   --<name> <value> scenario-specific settings (see each script's header)

const argv = process.argv.slice(2);

export const quick = argv.includes("--quick");
export const json = argv.includes("--json");

/** The value after `--name`, or `fallback`. */
export function option(name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

/** A numeric option whose default differs between full and quick runs. */
export function count(name, full, quickValue) {
  return Number(option(name, String(quick ? quickValue : full)));
}

export const profileDir = option("profile", undefined);

/** More node flags for server processes, for experiments: `--server-flags "--max-semi-space-size=32"`. */
const serverFlags = (option("server-flags", "") ?? "").split(" ").filter(Boolean);

/** node flags for a server process: a CPU profile per process when --profile is given. */
export function serverExecArgv(extra = []) {
  return [...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), ...serverFlags, ...extra];
}

/** Progress on stderr, so that stdout stays the result. */
export function progress(line) {
  process.stderr.write(`  ${line}\n`);
}
