import { type KubeObject, StatusError, type StreamSubresource } from "@apiserver-kit/runtime";
import type { Build } from "../apis/ci/v1alpha1/build.js";
import type { BuildLogOptions } from "../apis/ci/v1alpha1/build-log-options.js";
import { buildLogs } from "../runner/log-book.js";
import { hasEnded } from "../runner/phases.js";

/**
 * GET `.../builds/<name>/log[?follow=true][&tailLines=N]`: what the build's steps printed, as
 * text (authorized as `get` on `builds/log`; `kubectl get --raw` reads it). With follow the
 * response stays open and gets each new line until the build ends or the client leaves.
 */
export const subresource: StreamSubresource<Build & KubeObject, BuildLogOptions> = {
  type: "stream",
  name: "log",
  description: "The lines the build's steps printed; with follow=true, until the build ends.",
  contentType: "text/plain",
  async handle(context, options, write) {
    // The server converted the query (BuildLogOptions); what a type can't say is checked here, as
    // pods/log checks it.
    if (options.tailLines !== undefined && options.tailLines < 0) {
      throw StatusError.invalid({ group: "ci.example.com", kind: "BuildLogOptions" }, context.name, [
        {
          type: "FieldValueInvalid",
          field: "tailLines",
          badValue: options.tailLines,
          detail: "must be greater than or equal to 0",
        },
      ]);
    }
    const build = context.object;
    // A build that ended before this process started has no log to wait for.
    const follow = options.follow === true && !hasEnded(build);
    const lines = buildLogs.read(build.metadata.uid ?? "", {
      follow,
      signal: context.signal,
      ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
    });
    for await (const line of lines) await write(`${line}\n`);
  },
};
