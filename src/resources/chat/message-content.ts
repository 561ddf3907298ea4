import type { ContentChunk, MessageContent } from "../../types/chat.js";

/**
 * Returns the answer text of a message content: the string itself, or the text chunks joined.
 * Thinking, references and unknown chunks are left out.
 */
export function contentText(content: MessageContent | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  let text = "";
  for (const chunk of content) {
    if (chunk.type === "text" && typeof chunk.text === "string") text += chunk.text;
  }

  return text;
}

/** Returns the reasoning text of a message content: the text inside its thinking chunks. */
export function contentThinking(content: MessageContent | null | undefined): string {
  if (content === null || content === undefined || typeof content === "string") return "";
  let text = "";
  for (const chunk of content) {
    if (chunk.type === "thinking" && Array.isArray(chunk.thinking)) {
      for (const part of chunk.thinking as ContentChunk[]) {
        if (part.type === "text" && typeof part.text === "string") text += part.text;
      }
    }
  }

  return text;
}
