import type { AssembledCompletion, ChatCompletionStream } from "../index.js";
import { type Output, stripControlCharacters } from "./output.js";

/**
 * Prints the text of a streamed completion as it arrives, ends the line, and returns the
 * assembled completion. Thinking and tool-call deltas are not printed.
 */
export async function printStream(
  stream: ChatCompletionStream,
  output: Output,
): Promise<AssembledCompletion> {
  for await (const text of stream.textDeltas()) {
    await output.text(text);
  }

  await output.endLine();
  return stream.finalCompletion();
}

/** Facts of one finished call, for the summary line. */
export interface CallSummary {
  completion: AssembledCompletion;
  /** Time from sending the request to the end of the stream, in milliseconds. */
  elapsedMs: number;
  requestId: string | undefined;
}

/** Formats the one-line summary, such as `model mistral-small-latest, 5 tokens in, ...`. */
export function formatSummary(summary: CallSummary): string {
  const { completion } = summary;
  const usage = completion.usage;
  const parts = [
    `model ${completion.model || "unknown"}`,
    usage ? `${usage.prompt_tokens} tokens in` : "tokens in unknown",
    usage ? `${usage.completion_tokens} tokens out` : "tokens out unknown",
    `${Math.round(summary.elapsedMs)} ms`,
    `request id ${summary.requestId ?? "none"}`,
  ];
  return stripControlCharacters(parts.join(", "));
}
