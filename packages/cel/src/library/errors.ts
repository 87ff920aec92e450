import { EvaluationError } from "@marcbachmann/cel-js";

/** A CEL evaluation error raised by a Kubernetes library function (the engine's own error type). */
export function celError(message: string): EvaluationError {
  return new EvaluationError(message);
}
