import {
  type CallObserver,
  notifyObservers,
  type ToolObservation,
} from "../../core/call-observer.js";
import type { ToolCall } from "../../types/chat.js";
import type { ToolRunEvent } from "./tool-run-events.js";

/** Passes one tool event of a run to the client's observers. */
export type ToolEventNotifier = (event: ToolRunEvent) => void;

/**
 * Creates the notifier of one tool run, or returns undefined when no observer has `onToolEvent`.
 * Each observer is isolated by `notifyObservers`, so one that throws cannot break the run.
 */
export function createToolEventNotifier(
  observers: readonly CallObserver[],
): ToolEventNotifier | undefined {
  if (!observers.some((observer) => typeof observer.onToolEvent === "function")) return undefined;
  const runId = newRunId();
  // Start times of running tools, so a tool that throws still gets a duration.
  const startedAt = new Map<ToolCall, number>();
  return (event) => {
    const observation = observationOf(event, runId, startedAt);
    if (observation !== undefined) notifyObservers(observers, "onToolEvent", observation);
  };
}

/** Copies the ids, names and timing of a tool event, and never its arguments or results. */
function observationOf(
  event: ToolRunEvent,
  runId: string,
  startedAt: Map<ToolCall, number>,
): ToolObservation | undefined {
  if (event.type !== "tool_start" && event.type !== "tool_result" && event.type !== "tool_error") {
    return undefined;
  }

  const call = event.toolCall;
  const name = call.function?.name;
  const observation: ToolObservation = {
    type: event.type,
    runId,
    step: event.step,
    toolName: typeof name === "string" ? name : "",
    toolCallId: typeof call.id === "string" ? call.id : "",
  };
  if (event.type === "tool_start") {
    startedAt.set(call, performance.now());
    return observation;
  }

  const started = startedAt.get(call);
  startedAt.delete(call);
  if (event.type === "tool_result") {
    observation.durationMs = event.durationMs;
    return observation;
  }

  observation.reason = event.reason;
  if (started !== undefined) observation.durationMs = performance.now() - started;
  return observation;
}

/** Returns 8 random hex characters. */
function newRunId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
