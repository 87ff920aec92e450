#!/usr/bin/env node
// On demand: a V8 CPU profile summarized two ways — self time per function, and inclusive time
// (the function and everything it called, each sample counted once per function even when it
// recurses) — as shares of the busy samples (idle and "(program)" left out).
//
//   node bench/experiments/profile-shares.mjs FILE.cpuprofile [--top 40] [--match text]
import { readFileSync } from "node:fs";
import { option } from "../lib/args.mjs";

const file = process.argv[2];
const top = Number(option("top", "40"));
const match = option("match", undefined);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node) => {
  const frame = node.callFrame;
  const url = frame.url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, "$1/").replace(/^node:/, "");
  return `${frame.functionName || "(anonymous)"}${url ? ` ${url}:${frame.lineNumber + 1}` : ""}`;
};
const IDLE = new Set(["(idle)", "(program)"]);

const self = new Map();
const inclusive = new Map();
let busy = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const micros = profile.timeDeltas[i] ?? 0;
  let node = byId.get(profile.samples[i]);
  if (IDLE.has(node.callFrame.functionName)) continue;
  busy += micros;
  self.set(label(node), (self.get(label(node)) ?? 0) + micros);
  const seen = new Set();
  for (; node; node = byId.get(parent.get(node.id))) {
    const name = label(node);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
  }
}

const print = (title, map) => {
  console.log(`\n${title} (of ${(busy / 1000).toFixed(0)} ms busy)`);
  const rows = [...map.entries()].filter(([name]) => !match || name.includes(match)).sort((a, b) => b[1] - a[1]);
  for (const [name, micros] of rows.slice(0, top)) {
    console.log(`${((100 * micros) / busy).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print("self", self);
print("inclusive", inclusive);
