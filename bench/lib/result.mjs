// A scenario's result: rows with ours, the baseline, their ratio and the goal. Every row's
// `ratio` is oriented so that its goal applies to it directly: throughput-like rows are
// ours/baseline (goal ≥), time- and memory-like rows are ours/baseline or ours/budget (goal ≤).
import { json } from "./args.mjs";
import { median, spread } from "./stats.mjs";

/**
 * A row comparing ours with a baseline measured in the same run: `ratios` holds one ratio
 * per round; the row reports their median and spread.
 */
export function ratioRow({ id, title, ours, baseline, ratios, goal, note }) {
  const ratio = median(ratios);
  return {
    id,
    title,
    kind: "ratio",
    ours,
    baseline,
    ratio,
    spread: spread(ratios),
    rounds: ratios.length,
    ...(goal ? { goal, met: meets(ratio, goal) } : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * A row with an absolute goal (a latency or memory budget): `ratio` is value/budget. A
 * `baseline` measured in the same run is shown beside it, not divided by.
 */
export function budgetRow({ id, title, ours, baseline, samples, goal, note }) {
  const values = samples ?? [ours.value];
  return {
    id,
    title,
    kind: "budget",
    ours,
    ...(baseline ? { baseline } : {}),
    ratio: ours.value / goal.value,
    spread: spread(values.map((v) => v / goal.value)),
    rounds: values.length,
    goal,
    met: meets(ours.value, goal),
    ...(note ? { note } : {}),
  };
}

/** A figure reported without a goal. */
export function figure(title, value, unit, note) {
  return { title, value, unit, ...(note ? { note } : {}) };
}

export function meets(value, goal) {
  return goal.op === ">=" ? value >= goal.value : value <= goal.value;
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** Prints the result: a JSON line for bench/run.mjs, or a readable summary. */
export function emit(result) {
  if (json) {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`${result.scenario}: ${result.title}`);
  for (const row of result.rows) {
    const goal = row.goal
      ? ` goal ${row.goal.op} ${row.goal.value}${row.goal.unit ?? "x"}: ${row.met ? "met" : "MISSED"}`
      : "";
    const base = row.baseline ? `, baseline ${fmt(row.baseline.value)} ${row.baseline.unit}` : "";
    const ratio = row.kind === "ratio" ? ` → ${fmt(row.ratio)}x [${row.spread.map(fmt).join("–")}]` : "";
    console.log(`  ${row.title}: ours ${fmt(row.ours.value)} ${row.ours.unit}${base}${ratio}${goal}`);
  }
  for (const f of result.figures ?? [])
    console.log(`  ${f.title}: ${fmt(f.value)} ${f.unit}${f.note ? ` (${f.note})` : ""}`);
  for (const n of result.notes ?? []) console.log(`  note: ${n}`);
}
