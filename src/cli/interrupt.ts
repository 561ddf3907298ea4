import { ExitCode } from "./exit-codes.js";

/** A signal aborted by Ctrl-C, and the way to stop listening. */
export interface InterruptListener {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Aborts `signal` on the first SIGINT, so the running request or stream closes its connection
 * and the command exits with status 130. A second SIGINT exits at once, for a command that does
 * not react to the abort.
 */
export function listenForInterrupt(): InterruptListener {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort(new Error("Interrupted by SIGINT"));
  };

  process.on("SIGINT", onSignal);
  return {
    signal: controller.signal,
    dispose: () => process.off("SIGINT", onSignal),
  };
}
