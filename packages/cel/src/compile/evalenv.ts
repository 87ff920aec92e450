import type { Environment } from "@marcbachmann/cel-js";
import { instrumentEvaluator } from "../cost/tracker.js";
import { baseEnvironment, environmentOptions } from "../library/env.js";

// Rules are type-checked against the schema's types but evaluated in an environment whose variables
// have shallow types (map<string, dyn>, list<dyn>, scalars): values are plain decoded JSON, and the
// engine's message types would need converted values. Such environments are few, so they are shared.

const cache = new Map<string, Environment>();
const PROBE = "apiserverKitEvaluatorProbe";

export function evaluationEnvironment(selfType: string, oldSelfType: string): Environment {
  const key = `${selfType}|${oldSelfType}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let evaluator: { run: never } | undefined;
  const env = baseEnvironment()
    .clone(environmentOptions)
    .registerVariable("self", selfType)
    .registerVariable("oldSelf", oldSelfType)
    // Unreachable from rules: they are checked first in environments without it.
    .registerFunction(`${PROBE}(): bool`, function (this: { run: never }) {
      evaluator = this;
      return true;
    });
  env.evaluate(`${PROBE}()`, { self: null, oldSelf: null });
  if (!evaluator) throw new Error("cel engine did not expose its evaluator: cost tracking is impossible");
  instrumentEvaluator(evaluator);
  cache.set(key, env);
  return env;
}
