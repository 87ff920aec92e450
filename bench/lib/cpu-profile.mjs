// Summarizes a V8 CPU profile (node --cpu-prof) by self time: where the samples were taken,
// grouped by function and file, as docs/benchmarks.md quotes them.

/** Self time per function (ms and share of all samples), largest first. */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const intervals = profile.timeDeltas ?? [];
  const selfMicros = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (intervals[i] ?? 0));
  }
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0) || 1;
  const grouped = new Map();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = frame.url ? frame.url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, "$1/") : "";
    const name = `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
    grouped.set(name, (grouped.get(name) ?? 0) + micros);
  }
  return [...grouped.entries()]
    .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / total }))
    .sort((a, b) => b.ms - a.ms);
}
