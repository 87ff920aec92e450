// Server processes for scenarios: forked with an IPC channel, asked for CPU time and memory
// by message (so that a scenario measures what the server spends, not what its load
// generator spends), stopped by pid.
import { fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const children = new Set();
process.once("exit", () => {
  // A failed scenario must not leave servers behind.
  for (const child of children) if (child.exitCode === null) process.kill(child.pid, "SIGKILL");
});

/**
 * Forks `script` with `--serve` and `args`; resolves once the child called `ready(info)`,
 * with `info` and a `call(type, payload)` that the child's handlers answer.
 */
export async function startServerProcess(script, args = [], { execArgv = [] } = {}) {
  const child = fork(script, ["--serve", ...args], {
    execArgv: ["--expose-gc", ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  let nextId = 1;
  const pending = new Map();
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  exited.then(({ code, signal }) => {
    children.delete(child);
    for (const { reject } of pending.values()) reject(new Error(`server process exited (${code ?? signal})`));
    pending.clear();
  });
  const info = await new Promise((resolve, reject) => {
    child.on("message", (message) => {
      if (message?.ready) resolve(message.ready);
      else if (message?.reply !== undefined) {
        const waiter = pending.get(message.reply);
        pending.delete(message.reply);
        if (message.error) waiter?.reject(new Error(message.error));
        else waiter?.resolve(message.value);
      }
    });
    exited.then(({ code, signal }) =>
      reject(new Error(`server process exited before it was ready (${code ?? signal})`)),
    );
  });
  return {
    pid: child.pid,
    info,
    call(type, payload) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, type, payload });
      });
    },
    /** The process's CPU time so far (user + system), in microseconds. */
    async cpu() {
      return this.call("cpu");
    },
    /** heapUsed + external + arrayBuffers after a forced GC, in bytes. */
    async memory() {
      return this.call("memory");
    },
    /** Starts V8's CPU profiler in the child (only the window up to `profileStop` is sampled). */
    async profileStart() {
      return this.call("profile-start");
    },
    /** Stops the profiler started by `profileStart` and writes the profile (.cpuprofile JSON) to `path`. */
    async profileStop(path) {
      return this.call("profile-stop", path);
    },
    /** Asks the child to stop (its "stop" handler), then waits; SIGKILL after 10 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => process.kill(child.pid, "SIGKILL"), 10_000);
      child.send({ id: 0, type: "stop" });
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * heapUsed + external + arrayBuffers after forced full GCs, repeated (with a pause for the
 * concurrent sweeper and finalizers) until the figure stops falling: one collection alone can
 * leave swept-later garbage in heapUsed. Node must run with --expose-gc.
 */
export async function collectedMemory() {
  if (typeof globalThis.gc !== "function") throw new Error("run node with --expose-gc");
  const sample = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 8; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = sample();
    // Settled: another collection freed less than 0.1%.
    if (now > best * 0.999) return Math.min(best, now);
    best = now;
  }
  return best;
}

/**
 * The child side: answers `cpu`, `memory` and `stop` plus the scenario's own `handlers`,
 * then tells the parent it is ready.
 */
export function serveRequests(handlers, readyInfo) {
  const all = {
    cpu: () => {
      const { user, system } = process.cpuUsage();
      return user + system;
    },
    memory: collectedMemory,
    "profile-start": () => profiler.start(),
    "profile-stop": (path) => profiler.stop(path),
    ...handlers,
  };
  process.on("message", async ({ id, type, payload }) => {
    if (type === "stop") {
      await handlers.stop?.();
      process.disconnect();
      process.exit(0);
    }
    try {
      const value = await all[type](payload);
      process.send({ reply: id, value });
    } catch (error) {
      process.send({ reply: id, error: error?.stack ?? String(error) });
    }
  });
  process.send({ ready: readyInfo });
}

/** A window of the child's CPU profile, through the inspector (as --cpu-prof, but only where asked). */
const profiler = {
  session: undefined,
  post(method, params) {
    return new Promise((resolve, reject) =>
      this.session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  },
  async start() {
    this.session ??= new Session();
    this.session.connect();
    await this.post("Profiler.enable");
    await this.post("Profiler.setSamplingInterval", { interval: 100 });
    await this.post("Profiler.start");
  },
  async stop(path) {
    const { profile } = await this.post("Profiler.stop");
    this.session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
    return path;
  },
};
