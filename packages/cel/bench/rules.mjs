// Compile and validation timings of @apiserver-kit/cel on this machine (`npx tsc -b packages/cel` first).
// Figures without a baseline, reported by the benchmark suite (`npm run bench -- --only cel`), or alone:
//   node packages/cel/bench/rules.mjs [--json]
import { performance } from "node:perf_hooks";
import { emit, figure } from "../../../bench/lib/result.mjs";
import { compileValidationRules } from "../dist/index.js";

const schema = {
  type: "object",
  properties: {
    metadata: { type: "object" },
    spec: {
      type: "object",
      "x-kubernetes-validations": [
        { rule: "self.minReplicas <= self.replicas", message: "minReplicas must not exceed replicas" },
        { rule: "self.replicas >= oldSelf.replicas", message: "replicas may not decrease" },
        { rule: "self.ports.all(p, p.port > 0 && p.port < 65536)" },
        { rule: "!has(self.memory) || quantity(self.memory).isLessThan(quantity('64Gi'))" },
        { rule: "self.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')" },
      ],
      properties: {
        name: { type: "string", maxLength: 63 },
        replicas: { type: "integer" },
        minReplicas: { type: "integer" },
        memory: { type: "string", maxLength: 32 },
        ports: {
          type: "array",
          maxItems: 100,
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            required: ["name"],
            properties: { name: { type: "string", maxLength: 15 }, port: { type: "integer" } },
            "x-kubernetes-validations": [{ rule: "self.port == oldSelf.port", message: "port is immutable" }],
          },
        },
      },
    },
  },
};

let t0 = performance.now();
const first = compileValidationRules(schema);
const coldMs = performance.now() - t0;
if (!first.ok) throw new Error(JSON.stringify(first.errors));
t0 = performance.now();
const N = 50;
for (let i = 0; i < N; i++) compileValidationRules(schema);
const warmMs = (performance.now() - t0) / N;

const ports = (n) => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, port: 8000 + i }));
const obj = (n) => ({
  metadata: { name: "x" },
  spec: { name: "web", replicas: 3, minReplicas: 1, memory: "1Gi", ports: ports(n) },
});
const v = first.validator;
function perValidate(o, old, iterations) {
  for (let i = 0; i < 200; i++) v.validate(o, old);
  const t = performance.now();
  for (let i = 0; i < iterations; i++) v.validate(o, old);
  return ((performance.now() - t) * 1000) / iterations;
}
const create1 = perValidate(obj(1), undefined, 5000);
const update1 = perValidate(obj(1), obj(1), 5000);
const update100 = perValidate(obj(100), obj(100), 500);
emit({
  scenario: "cel",
  title: "CEL validation rules (6 rules on one schema)",
  rows: [],
  figures: [
    figure("compile, first time in the process", coldMs, "ms"),
    figure("compile, warm", warmMs, "ms"),
    figure("validate a create, one port", create1, "µs"),
    figure("validate an update, one port", update1, "µs"),
    figure("validate an update, 100 ports", update100, "µs", `estimated cost ${v.validate(obj(100), obj(100)).cost}`),
  ],
});
