import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const compileCache = fileURLToPath(new URL("./compile-cache.js", import.meta.url));

/** A CommonJS module of about 400 KB that requires a small sibling, resolves it, and throws on demand. */
function bigModule(extra = ""): string {
  const functions = Array.from(
    { length: 4000 },
    (_, i) => `function f${i}(x) { return x + ${i}; /* padding ${"p".repeat(40)} */ }`,
  );
  return `${functions.join("\n")}
const small = require("./small.cjs");
exports.sum = f1(1) + f3999(1) + small.value;
exports.resolved = require.resolve("./small.cjs");
exports.dir = __dirname;
exports.boom = () => { throw new Error("boom"); };
${extra}
`;
}

describe("requireWithCompileCache", () => {
  const root = mkdtempSync(join(tmpdir(), "compile-cache-"));
  const cache = join(root, "cache");
  after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, "small.cjs"), "exports.value = 100;\n");
  writeFileSync(join(root, "big.cjs"), bigModule());
  writeFileSync(
    join(root, "run.mjs"),
    `import { requireWithCompileCache, compileCacheStats } from ${JSON.stringify(compileCache)};
const big = requireWithCompileCache("./big.cjs", import.meta.url);
let stack = "";
try { big.boom(); } catch (error) { stack = error.stack; }
process.on("exit", () => {
  console.log(JSON.stringify({ sum: big.sum, word: big.word, resolved: big.resolved, dir: big.dir, stack, ...compileCacheStats() }));
});
`,
  );
  const run = (setting = cache) =>
    JSON.parse(
      execFileSync(process.execPath, [join(root, "run.mjs")], {
        env: { ...process.env, SCAFFOLD_COMPILE_CACHE: setting },
        encoding: "utf8",
      }),
    );
  const entries = () =>
    readdirSync(cache).flatMap((version) => readdirSync(join(cache, version)).map((f) => join(cache, version, f)));

  it("compiles anew and writes the entry on the first run, then uses it", () => {
    const first = run();
    assert.equal(first.sum, 1 + 1 + 3999 + 1 + 100);
    assert.equal(first.resolved, join(root, "small.cjs"));
    assert.equal(first.dir, root);
    assert.match(first.stack, /big\.cjs:\d+/, "stack traces name the module's file");
    assert.deepEqual([first.hits, first.misses, first.written], [0, 1, 1], "only the large module is cached");
    assert.equal(entries().length, 1);

    const second = run();
    assert.equal(second.sum, first.sum);
    assert.deepEqual([second.hits, second.misses, second.written], [1, 0, 0]);
  });

  it("does not use an entry made for an earlier version of the file, and reads UTF-8 sources as such", () => {
    writeFileSync(join(root, "big.cjs"), bigModule('exports.sum += 1; exports.word = "grüße";'));
    const changed = run();
    assert.equal(changed.sum, 1 + 1 + 3999 + 1 + 100 + 1);
    assert.equal(changed.word, "grüße");
    assert.deepEqual([changed.hits, changed.misses], [0, 1]);
    assert.equal(run().hits, 1);
  });

  it("compiles as usual when an entry is damaged, and rewrites it", () => {
    for (const file of entries()) writeFileSync(file, Buffer.from("not V8 code cache data"));
    const damaged = run();
    assert.equal(damaged.sum, 1 + 1 + 3999 + 1 + 100 + 1);
    assert.ok(damaged.rejected >= 1, `V8 refused the damaged entry: ${JSON.stringify(damaged)}`);
    assert.equal(run().hits, 1);
  });

  it("is off with SCAFFOLD_COMPILE_CACHE=0", () => {
    const off = run("0");
    assert.equal(off.sum, 1 + 1 + 3999 + 1 + 100 + 1);
    assert.deepEqual([off.hits, off.misses, off.written], [0, 0, 0]);
  });

  it("works without a cache where its folder can't be made", () => {
    const blocked = join(root, "a-file");
    writeFileSync(blocked, "");
    const unwritable = run(join(blocked, "cache"));
    assert.equal(unwritable.sum, 1 + 1 + 3999 + 1 + 100 + 1);
    assert.deepEqual([unwritable.hits, unwritable.misses, unwritable.written], [0, 0, 0]);
  });

  it("does not use a cache others can write to", { skip: process.getuid === undefined }, () => {
    const shared = join(root, "shared");
    run(shared);
    assert.equal(run(shared).hits, 1, "a private cache is used");
    chmodSync(shared, 0o777);
    const refused = run(shared);
    assert.equal(refused.sum, 1 + 1 + 3999 + 1 + 100 + 1);
    assert.deepEqual([refused.hits, refused.misses, refused.written], [0, 0, 0]);
  });
});
