// Evaluation of the three npm CEL engines for docs/decisions/0004-cel-engine.md.
// The two engines that lost were removed from package.json afterwards; to re-run:
//   cd packages/cel && npx -y pnpm@9 add -D @bufbuild/cel@0.6.1 cel-js@0.8.2 && node bench/compare-engines.mjs
// Each case is a Kubernetes-style rule with the result cel-go gives (or "error" where cel-go fails
// to compile or evaluate it). Integers are bigint where an engine models CEL int separately.
import { performance } from "node:perf_hooks";

const engines = {};
try {
  const m = await import("@marcbachmann/cel-js");
  engines["@marcbachmann/cel-js"] = {
    compile(expr) {
      const env = new m.Environment({ enableOptionalTypes: true }).registerVariable("self", "dyn");
      const parsed = env.parse(expr);
      const checked = parsed.check();
      if (!checked.valid) throw checked.error;
      return (vars) => parsed(vars);
    },
    ints: true,
  };
} catch {}
try {
  const b = await import("@bufbuild/cel");
  const ext = await import("@bufbuild/cel/ext");
  engines["@bufbuild/cel"] = {
    compile(expr) {
      const env = b.celEnv({ funcs: ext.strings });
      const fn = b.plan(env, b.parse(expr));
      return (vars) => {
        const r = fn(vars);
        if (b.isCelError(r)) throw new Error(r.message);
        return r;
      };
    },
    ints: true,
  };
} catch {}
try {
  const c = await import("cel-js");
  engines["cel-js"] = {
    compile(expr) {
      const p = c.parse(expr);
      if (!p.isSuccess) throw new Error("parse failed");
      return (vars) => c.evaluate(p.cst, vars);
    },
    ints: false,
  };
} catch {}

const n = (v, ints) => (ints ? BigInt(v) : v);
const cases = (ints) => [
  [
    "cross-field ints",
    "self.minReplicas <= self.replicas",
    { self: { minReplicas: n(1, ints), replicas: n(3, ints) } },
    true,
  ],
  ["has() absent", "has(self.x)", { self: {} }, false],
  ["list all", "self.all(x, x > 0)", { self: [n(1, ints), n(2, ints)] }, true],
  ["map all keys", 'self.all(k, k.startsWith("a"))', { self: { a: n(1, ints), ab: n(2, ints) } }, true],
  ["exists_one", "self.exists_one(x, x > 1)", { self: [n(1, ints), n(2, ints)] }, true],
  ["filter size", "self.filter(x, x > 1).size() == 1", { self: [n(1, ints), n(2, ints)] }, true],
  ["map macro", "self.map(x, x * 2) == [2, 4]", { self: [n(1, ints), n(2, ints)] }, true],
  ["integer division", "7 / 2 == 3", {}, true],
  ["int overflow is an error", "9223372036854775807 + 1 > 0", {}, "error"],
  ["int/double comparison", "1 < 1.5", {}, true],
  ["no such key is an error", "self.x == 1", { self: {} }, "error"],
  ["string startsWith", 'self.startsWith("ab")', { self: "abc" }, true],
  ["matches (RE2)", 'self.matches("^[a-z]+$")', { self: "abc" }, true],
  ["size of string", "size(self) == 3", { self: "abc" }, true],
  ["in map", '"a" in self', { self: { a: n(1, ints) } }, true],
  ["optional field", "self.?foo.orValue(5) == 5", { self: {} }, true],
  ["optional index", 'self[?"foo"].hasValue()', { self: {} }, false],
  ["cel.bind", "cel.bind(x, self.a, x + 1 == 2)", { self: { a: n(1, ints) } }, true],
  ["timestamp compare", 'timestamp("2024-01-01T00:00:00Z") < timestamp("2025-01-01T00:00:00Z")', {}, true],
  ["duration compare", 'duration("1h") > duration("30m")', {}, true],
  ["lowerAscii", '"ABC".lowerAscii() == "abc"', {}, true],
  ["split/join", '"a,b".split(",").join("-") == "a-b"', {}, true],
  ["list equality", "self == [1, 2]", { self: [n(1, ints), n(2, ints)] }, true],
  ["deep object equality", "self.a == self.b", { self: { a: { x: [n(1, ints)] }, b: { x: [n(1, ints)] } } }, true],
  ["ternary on type", 'type(self) == string ? self == "x" : self == 1', { self: n(1, ints) }, true],
];

const results = {};
for (const [name, engine] of Object.entries(engines)) {
  let pass = 0;
  const failed = [];
  for (const [label, expr, vars, want] of cases(engine.ints)) {
    let got;
    try {
      got = engine.compile(expr)(vars);
    } catch {
      got = "error";
    }
    if (got === want) pass++;
    else failed.push(label);
  }
  results[name] = { pass, total: cases(engine.ints).length, failed };
}

function timeIt(fn, iterations) {
  for (let i = 0; i < Math.min(iterations, 1000); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - t0) * 1000) / iterations; // microseconds per call
}

const items = (ints) => Array.from({ length: 100 }, (_, i) => ({ name: `port-${i}`, port: n(8000 + i, ints) }));
const speedCases = (ints) => [
  ["simple", "self.minReplicas <= self.replicas", { self: { minReplicas: n(1, ints), replicas: n(3, ints) } }],
  ["100-item all()", 'self.all(i, i.port > 0 && i.name.startsWith("port"))', { self: items(ints) }],
];
for (const [name, engine] of Object.entries(engines)) {
  results[name].speed = {};
  for (const [label, expr, vars] of speedCases(engine.ints)) {
    let ok = true;
    try {
      engine.compile(expr)(vars);
    } catch {
      ok = false;
    }
    if (!ok) {
      results[name].speed[label] = "unsupported";
      continue;
    }
    const compileUs = timeIt(() => engine.compile(expr), 2000);
    const fn = engine.compile(expr);
    const evalUs = timeIt(() => fn(vars), label === "simple" ? 200000 : 5000);
    results[name].speed[label] = { compileUs: +compileUs.toFixed(1), evalUs: +evalUs.toFixed(2) };
  }
}
console.log(JSON.stringify(results, null, 2));
