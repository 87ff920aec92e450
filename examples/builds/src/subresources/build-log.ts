import { type KubeObject, StatusError, type StreamSubresource } from "@apiserver-kit/runtime";
import type { Build } from "../apis/ci/v1alpha1/build.js";
import { buildLogs } from "../runner/log-book.js";
import { hasEnded } from "../runner/phases.js";

export interface LogOptions {
  /** Keep streaming new lines until the build ends. */
  follow: boolean;
  /** Only the last lines. */
  tailLines?: number;
}

/** Reads `follow` and `tailLines` as pods/log does; a bad value is a 400. */
export function parseLogOptions(query: URLSearchParams): LogOptions {
  const follow = query.get("follow");
  if (follow !== null && !/^(true|false|1|0)$/.test(follow)) {
    throw StatusError.badRequest(`follow: invalid value "${follow}": true or false`);
  }
  const tail = query.get("tailLines");
  if (tail !== null && !/^\d+$/.test(tail)) {
    throw StatusError.badRequest(`tailLines: invalid value "${tail}": a whole number, 0 or more`);
  }
  return { follow: follow === "true" || follow === "1", ...(tail !== null ? { tailLines: Number(tail) } : {}) };
}

/**
 * GET `.../builds/<name>/log[?follow=true][&tailLines=N]`: what the build's steps printed, as
 * text (authorized as `get` on `builds/log`; `kubectl get --raw` reads it). With follow the
 * response stays open and gets each new line until the build ends or the client leaves.
 */
export const subresource: StreamSubresource<Build & KubeObject, LogOptions> = {
  type: "stream",
  name: "log",
  description: "The lines the build's steps printed; with follow=true, until the build ends.",
  contentType: "text/plain",
  parameters: [
    { name: "follow", type: "boolean", description: "Keep streaming new lines until the build ends." },
    { name: "tailLines", type: "integer", description: "Only the last lines." },
  ],
  parseOptions: parseLogOptions,
  async handle(context, options, write) {
    const build = context.object;
    // A build that ended before this process started has no log to wait for.
    const follow = options.follow && !hasEnded(build);
    const lines = buildLogs.read(build.metadata.uid ?? "", {
      follow,
      signal: context.signal,
      ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
    });
    for await (const line of lines) await write(`${line}\n`);
  },
};
