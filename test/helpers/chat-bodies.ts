import type { ChatCompletionRequest } from "../../src/types/chat.js";

/** The smallest chat request the client accepts. */
export const helloRequest: ChatCompletionRequest = {
  model: "mistral-small-latest",
  messages: [{ role: "user", content: "Hello" }],
};

/** A whole chat completion whose assistant content is "ok", as the API sends it. */
export const okCompletion = {
  id: "ok1",
  object: "chat.completion",
  created: 1764806400,
  model: "mistral-small-latest",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, total_tokens: 2, completion_tokens: 1 },
};

/** Stream events whose text is "ok"; the server appends `data: [DONE]`. */
export const okChunks = [
  {
    id: "ok1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-small-latest",
    choices: [{ index: 0, delta: { role: "assistant", content: "o" }, finish_reason: null }],
  },
  {
    id: "ok1",
    object: "chat.completion.chunk",
    created: 1764806400,
    model: "mistral-small-latest",
    choices: [{ index: 0, delta: { content: "k" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, total_tokens: 2, completion_tokens: 1 },
  },
];
