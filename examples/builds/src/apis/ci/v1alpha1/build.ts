import type { Condition, int32, int64, ObjectMeta, Time } from "@apiserver-kit/runtime";

/** Where a Build is in its life. */
export type BuildPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Cancelled";

/**
 * A step's name.
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @maxLength 63
 */
export type StepName = string;

/**
 * A line a step prints.
 * @maxLength 1024
 */
export type OutputLine = string;

/**
 * A Build is a list of steps run one after another by the server. Its `log` subresource
 * streams what they print (`?follow=true` until the build ends) and its `cancel` action stops
 * it. The steps are simulated: each prints its lines over its duration, then exits with its code.
 *
 * @kind
 * @scope Namespaced
 * @subresource status
 * @printColumn name=Phase type=string jsonPath=.status.phase
 * @printColumn name=Step type=string jsonPath=.status.currentStep
 * @printColumn name=Steps type=integer jsonPath=.status.completedSteps
 * @printColumn name=Age type=date jsonPath=.metadata.creationTimestamp
 */
export interface Build {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: BuildSpec;
  status?: BuildStatus;
}

/** BuildSpec is what to run. */
export interface BuildSpec {
  /**
   * The steps, run in order; the first that exits with a code other than 0 fails the build.
   * @listType map
   * @listMapKey name
   * @minItems 1
   * @maxItems 20
   */
  steps: BuildStep[];
}

/** One step of a build. */
export interface BuildStep {
  /** The step's name, unique in the build. */
  name: StepName;
  /**
   * How long the step runs, in seconds; its lines are printed evenly over that time.
   * @minimum 0
   * @maximum 600
   * @default 1
   */
  seconds?: number;
  /**
   * What the step prints.
   * @maxItems 100
   */
  output?: OutputLine[];
  /**
   * The code the step exits with.
   * @minimum 0
   * @maximum 255
   * @default 0
   */
  exitCode?: int32;
}

/** BuildStatus is what the runner reports, written through the status subresource. */
export interface BuildStatus {
  /** Pending until the runner starts it; then Running, and Succeeded, Failed or Cancelled. */
  phase?: BuildPhase;
  /** The step running now. */
  currentStep?: string;
  /** How many steps have finished. */
  completedSteps?: int32;
  /** When the runner started the build. */
  startTime?: Time;
  /** When it ended. */
  completionTime?: Time;
  /** The metadata.generation the runner last saw. */
  observedGeneration?: int64;
  /**
   * The latest observations: Complete is True once the build has ended, with the reason it ended.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}
