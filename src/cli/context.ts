import type { KeyOrigin } from "./credentials.js";
import type { Output } from "./output.js";

/** Streams, environment and Ctrl-C signal of a running command. */
export interface CommandContext {
  env: Record<string, string | undefined>;
  output: Output;
  stdin: NodeJS.ReadStream;
  /** Aborted by Ctrl-C. Every request of the command must pass it on. */
  signal: AbortSignal;
  verbose: boolean;
  /** Set once the command found its key, so an authentication failure can name its origin. */
  keyOrigin: KeyOrigin | undefined;
}
