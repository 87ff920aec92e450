/**
 * What a command tells its user: steps of long work with their duration, notes, warnings and the
 * list of files it wrote (or, with --dry-run, would write).
 */
export interface Reporter {
  /** Starts a step ("compiling"); the returned function ends it and prints its duration. */
  step(title: string): () => void;
  info(line: string): void;
  warn(line: string): void;
}

export interface StreamReporterOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Milliseconds now; injectable so that tests print stable output. */
  now?: () => number;
  quiet?: boolean;
}

export function streamReporter(options: StreamReporterOptions = {}): Reporter {
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const err = options.err ?? ((text: string) => process.stderr.write(text));
  const now = options.now ?? (() => performance.now());
  return {
    step(title) {
      if (!options.quiet) out(`==> ${title}\n`);
      const started = now();
      return () => {
        if (!options.quiet) out(`    done in ${((now() - started) / 1000).toFixed(1)}s\n`);
      };
    },
    info(line) {
      if (!options.quiet) out(`${line}\n`);
    },
    warn(line) {
      err(`warning: ${line}\n`);
    },
  };
}

/** Collects everything, for tests. */
export function memoryReporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step(title) {
      lines.push(`==> ${title}`);
      return () => {};
    },
    info(line) {
      lines.push(line);
    },
    warn(line) {
      lines.push(`warning: ${line}`);
    },
  };
}
