import type { Quantity } from "@apiserver-kit/runtime";

/** Resource usage, as metrics-server reports it. */
export interface ResourceUsage {
  /** CPU in use, averaged over the window, in cores (`250m` is a quarter of a core). */
  cpu: Quantity;
  /** Memory in use at the end of the window, in bytes (`1024Ki`). */
  memory: Quantity;
}
