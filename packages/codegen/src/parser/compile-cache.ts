/**
 * A V8 code cache for the large CommonJS bundles the generator loads: ts-morph and the TypeScript
 * compiler it bundles are about 12 MB of JavaScript, and compiling them was about a quarter of every
 * `scaffold generate` (packages/cli/bench/codegen.mjs). Node 22 has this built in
 * (`module.enableCompileCache()`, which `tsc` itself turns on where it exists); Node 20, which this
 * project supports, has not, so `requireWithCompileCache` does the same for one `require`: while it
 * runs, every CommonJS `.js` module of at least `minBytes` is compiled with the code V8 cached for it on an
 * earlier run, and at exit the code compiled by this run — the functions it called included — is
 * written back for the next one.
 *
 * The cache lives in `<tmpdir>/apiserver-kit-compile-cache/<node version>-<V8 cache tag>/`, one
 * file per module keyed by its path, size, modification time and inode; folders this user does not
 * own, or that others can write to, are not used (see ownDirectory). V8 refuses data made for
 * another source length or another set of flags (then the module is compiled as usual and its entry
 * rewritten); any error reading or writing the cache is ignored, since it only ever saves time.
 * `SCAFFOLD_COMPILE_CACHE=0` (or Node's own `NODE_DISABLE_COMPILE_CACHE`) turns it off;
 * `SCAFFOLD_COMPILE_CACHE=<dir>` puts it elsewhere.
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cachedDataVersionTag } from "node:v8";
import { Script, constants as vmConstants } from "node:vm";

/** What the cache did in this process: modules compiled from cached code, and modules compiled anew. */
export interface CompileCacheStats {
  hits: number;
  misses: number;
  /** Entries V8 refused (made for another source or other flags); each is also a miss. */
  rejected: number;
  written: number;
}

const stats: CompileCacheStats = { hits: 0, misses: 0, rejected: 0, written: 0 };

export function compileCacheStats(): CompileCacheStats {
  return { ...stats };
}

/** Node's CommonJS module internals this relies on; stable since Node 0.x, but not typed. */
interface CjsModule {
  exports: unknown;
  require(id: string): unknown;
}
interface CjsModuleStatics {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: unknown): string;
  _extensions: unknown;
  _cache: unknown;
}

/** Scripts compiled without usable cached code, to write back at exit. */
const pending: { script: Script; file: string }[] = [];
let exitHookInstalled = false;

function cacheDirectory(): string | undefined {
  const setting = process.env.SCAFFOLD_COMPILE_CACHE;
  if (setting === "0" || setting === "false" || process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const root =
    setting && setting !== "1" && setting !== "true" ? setting : join(tmpdir(), "apiserver-kit-compile-cache");
  const directory = join(root, `${process.version}-${cachedDataVersionTag()}`);
  return ownDirectory(directory) ? directory : undefined;
}

/**
 * Creates `directory` (private to this user) if needed; true when it is this user's and nobody
 * else can write to it, or to the folder holding it. Code loaded from the cache runs as this
 * process: in a shared temporary folder, a cache another user could write would let them run
 * code as whoever runs scaffold next, so such a cache is not used at all.
 */
function ownDirectory(directory: string): boolean {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const uid = process.getuid?.();
    if (uid === undefined) return true;
    for (const path of [dirname(directory), directory]) {
      const { uid: owner, mode } = statSync(path);
      if (owner !== uid || (mode & 0o022) !== 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The cache entry for a module of at least `minBytes`; undefined for smaller ones. */
function entryFile(directory: string, filename: string, minBytes: number): string | undefined {
  try {
    const { size, mtimeMs, ino } = statSync(filename);
    if (size < minBytes) return undefined;
    const key = createHash("sha1").update(`${filename}\0${size}\0${mtimeMs}\0${ino}`).digest("hex");
    return join(directory, key);
  } catch {
    return undefined;
  }
}

function readEntry(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writePending(): void {
  for (const { script, file } of pending.splice(0)) {
    try {
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, file);
      stats.written++;
    } catch {
      // A cache that can't be written only costs the next run its compile time.
    }
  }
}

/** `require(specifier)` from `from`, compiling its large modules with (and for) the code cache. */
export function requireWithCompileCache<T>(specifier: string, from: string | URL, minBytes = 256 * 1024): T {
  const require = createRequire(from);
  const directory = cacheDirectory();
  const moduleApi = Module as unknown as CjsModuleStatics;
  const extensions = moduleApi._extensions as Record<
    string,
    ((module: CjsModule, filename: string) => void) | undefined
  >;
  const loadJs = extensions[".js"];
  if (!directory || !loadJs) return require(specifier) as T;
  // import() inside a cached module resolves as it would in Node's own loader (Node 20.12 and later).
  const dynamicImport = vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

  extensions[".js"] = function loadWithCache(module: CjsModule, filename: string) {
    const file = entryFile(directory, filename, minBytes);
    if (!file) return loadJs.call(this, module, filename);
    const cachedData = readEntry(file);
    const script = new Script(moduleApi.wrap(readSource(filename)), {
      filename,
      cachedData,
      ...(dynamicImport === undefined ? {} : { importModuleDynamically: dynamicImport }),
    });
    if (cachedData && !script.cachedDataRejected) {
      stats.hits++;
    } else {
      stats.misses++;
      if (cachedData) stats.rejected++;
      pending.push({ script, file });
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once("exit", writePending);
      }
    }
    const moduleFunction = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    moduleFunction.call(
      module.exports,
      module.exports,
      moduleRequire(module, moduleApi),
      module,
      filename,
      dirname(filename),
    );
  };
  try {
    return require(specifier) as T;
  } finally {
    extensions[".js"] = loadJs;
  }
}

/**
 * A module's source. An all-ASCII file (as the TypeScript bundle is) is read as Latin-1, which
 * gives the same string about twice as fast as Node's UTF-8 decoding of 9 MB.
 */
function readSource(filename: string): string {
  const bytes = readFileSync(filename);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** The `require` a CommonJS module sees, as Node makes it: bound to the module, with `resolve` and friends. */
function moduleRequire(module: CjsModule, moduleApi: CjsModuleStatics): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) =>
    moduleApi._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = moduleApi._extensions as NodeJS.Require["extensions"];
  require.cache = moduleApi._cache as NodeJS.Require["cache"];
  return require;
}
