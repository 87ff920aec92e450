import {
  type Clock,
  type ControllerSpec,
  isNotFound,
  type KubeObject,
  type Manager,
  type Request,
  requestKey,
  sleep,
  systemClock,
  updateStatus,
} from "@apiserver-kit/controller";
import type { Build, BuildStep } from "../apis/ci/v1alpha1/build.js";
import { buildType } from "../generated/kinds.js";
import { buildLogs, type LogBook } from "./log-book.js";
import { endBuild, hasEnded, metaTime } from "./phases.js";

type BuildObject = Build & KubeObject;

export interface RunnerOptions {
  clock?: Clock;
  /** Where the steps' lines go; default the server's log book (what the `log` subresource reads). */
  logs?: LogBook;
}

interface Run {
  uid: string;
  abort: AbortController;
}

/**
 * The build runner: a controller that starts each new Build, runs its steps one after another
 * (simulated: a step prints its output over its duration and exits with its exitCode), writes
 * their lines to the log book and the progress to status. A build cancelled through `cancel`, or
 * deleted, is stopped. It must run in the server process: the log book is in its memory.
 */
export function buildRunner(manager: Manager, options: RunnerOptions = {}): ControllerSpec {
  const clock = options.clock ?? systemClock;
  const logs = options.logs ?? buildLogs;
  const builds = manager.client<BuildObject>(buildType);
  const informer = manager.informer<BuildObject>(buildType);
  const runs = new Map<string, Run>();
  // The uid last seen under each key, to forget a deleted build's log.
  const uids = new Map<string, string>();

  const setStatus = (request: Request, mutate: (build: BuildObject) => boolean | undefined) =>
    updateStatus(builds, request, mutate).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });

  async function execute(build: BuildObject, signal: AbortSignal): Promise<void> {
    const request = { namespace: build.metadata.namespace ?? "", name: build.metadata.name ?? "" };
    const uid = build.metadata.uid ?? "";
    const say = (line: string) => logs.append(uid, line);
    try {
      await setStatus(request, (current) => {
        if (hasEnded(current)) return false;
        current.status = {
          ...current.status,
          phase: "Running",
          startTime: metaTime(clock.now()),
          completedSteps: 0,
          observedGeneration: current.metadata.generation ?? 0,
        };
      });
      let completed = 0;
      for (const step of build.spec.steps) {
        await setStatus(request, (current) => {
          if (hasEnded(current)) return false;
          current.status = { ...current.status, currentStep: step.name };
        });
        const exitCode = await runStep(step, say, clock, signal);
        if (signal.aborted) break;
        if (exitCode !== 0) {
          const message = `step ${step.name} exited with code ${exitCode}`;
          await setStatus(request, (current) => endBuild(current, "Failed", "StepFailed", message, clock.now()));
          return;
        }
        completed++;
        await setStatus(request, (current) => {
          if (hasEnded(current)) return false;
          current.status = { ...current.status, completedSteps: completed };
        });
      }
      if (signal.aborted) {
        say("build stopped");
        return;
      }
      const message = `${completed} step(s) succeeded`;
      await setStatus(request, (current) => endBuild(current, "Succeeded", "Succeeded", message, clock.now()));
    } finally {
      logs.close(uid);
    }
  }

  return {
    name: "build-runner",
    for: buildType,
    async reconcile(_context, request) {
      const key = requestKey(request);
      const build = informer.store.get(request);
      const run = runs.get(key);
      if (!build) {
        // Deleted: stop it and drop its log.
        run?.abort.abort();
        const uid = uids.get(key);
        if (uid) logs.forget(uid);
        uids.delete(key);
        return;
      }
      const uid = build.metadata.uid ?? "";
      uids.set(key, uid);
      if (run && run.uid !== uid) run.abort.abort(); // deleted and created again meanwhile
      if (hasEnded(build)) {
        if (run?.uid === uid) run.abort.abort(); // cancelled
        return;
      }
      if (run?.uid === uid) return; // running
      if (build.status?.phase === "Running") {
        // Running, but not in this process: the server restarted and its log is gone.
        await setStatus(request, (current) =>
          endBuild(current, "Failed", "Interrupted", "the server restarted while the build ran", clock.now()),
        );
        return;
      }
      const started: Run = { uid, abort: new AbortController() };
      runs.set(key, started);
      void execute(build, started.abort.signal)
        .catch((error: unknown) => logs.append(uid, `runner error: ${String(error)}`))
        .finally(() => {
          if (runs.get(key) === started) runs.delete(key);
        });
    },
  };
}

/** One simulated step: its lines spread over its duration, then its exit code (undefined when stopped). */
async function runStep(
  step: BuildStep,
  say: (line: string) => void,
  clock: Clock,
  signal: AbortSignal,
): Promise<number | undefined> {
  const lines = step.output ?? [];
  const gap = ((step.seconds ?? 1) * 1000) / (lines.length + 1);
  say(`==> ${step.name}`);
  for (const line of lines) {
    await sleep(clock, gap, signal);
    if (signal.aborted) return undefined;
    say(line);
  }
  await sleep(clock, gap, signal);
  if (signal.aborted) return undefined;
  const exitCode = step.exitCode ?? 0;
  say(`<== ${step.name} exited with code ${exitCode}`);
  return exitCode;
}
