import type { int32 } from "@apiserver-kit/runtime";

/**
 * A TCP or UDP port number.
 * @minimum 1
 * @maximum 65535
 */
export type PortNumber = int32;

/** A named port. */
export interface Port {
  /**
   * The port's name, unique in the list.
   * @maxLength 15
   * @pattern ^[a-z]([-a-z0-9]*[a-z0-9])?$
   */
  name: string;
  /** @default "TCP" */
  protocol?: "TCP" | "UDP";
  port: PortNumber;
}

/**
 * Arbitrary JSON, kept as it comes.
 * @preserveUnknownFields
 */
export type RawValue = unknown;
