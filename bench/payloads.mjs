// Wire payloads the benchmark server sends, shaped like the Mistral API's replies, so every client
// under test parses the same bytes. All of them are built once, then reused for every request.

/** Key sent by every client; the benchmark server does not check it. */
export const apiKey = "bench-key-not-secret";

/** Fixed `created` time (seconds since the epoch), so payloads are byte-identical across runs. */
const created = 1_767_225_600;

/** Dimension of `mistral-embed` vectors. */
export const embeddingDimension = 1024;

/** Tokens cycled through by the stream chunks: short pieces of text, as a model streams them. */
const tokens = [" The", " cheese", " of", " Normandy", ",", " Camembert", " is", " soft", "."];

/** Answer text of the non-streaming chat completion: about 90 tokens, a typical short answer. */
const answer = Array.from({ length: 10 }, () => tokens.join("")).join("");

/** Body of a non-streaming chat completion. */
export function chatCompletionBody(model) {
  return JSON.stringify({
    id: "cmpl-0f6c4c9e8a3d4b1fa2b7c5d9e0f1a2b3",
    object: "chat.completion",
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: answer, tool_calls: null, prefix: false },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 14, completion_tokens: 90, total_tokens: 104 },
  });
}

/**
 * Body of an embeddings reply with one vector per input. Values are deterministic multiples of
 * 2^-16, printed with up to 16 digits like the API's, so one vector takes about 19 kB of JSON.
 */
export function embeddingsBody(model, inputCount) {
  const data = [];
  for (let index = 0; index < inputCount; index++) {
    const embedding = new Array(embeddingDimension);
    for (let dimension = 0; dimension < embeddingDimension; dimension++) {
      const value = Math.sin((index + 1) * 7919 + dimension * 104_729) * 0.08;
      embedding[dimension] = Math.round(value * 65_536) / 65_536;
    }

    data.push({ object: "embedding", embedding, index });
  }

  return JSON.stringify({
    id: "embd-5a1f0c7b2e9d4c3a8b6f1e0d9c8b7a6f",
    object: "list",
    data,
    model,
    usage: { prompt_tokens: 9 * inputCount, total_tokens: 9 * inputCount },
  });
}

/**
 * Builds the `data:` events of a stream with `count` content chunks: a first chunk with the role,
 * the content chunks, a last chunk with `finish_reason` and `usage`, then `[DONE]`.
 */
export function streamEvents(model, count) {
  const head = `{"id":"cmpl-7d2e9f1a0b3c4d5e6f708192a3b4c5d6","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
  const events = [`data: ${head}{"role":"assistant","content":""},"finish_reason":null}]}\n\n`];
  for (let index = 0; index < count; index++) {
    const content = JSON.stringify(tokens[index % tokens.length]);
    events.push(`data: ${head}{"content":${content}},"finish_reason":null}]}\n\n`);
  }

  const usage = `{"prompt_tokens":14,"completion_tokens":${count},"total_tokens":${14 + count}}`;
  events.push(`data: ${head}{"content":""},"finish_reason":"stop"}],"usage":${usage}}\n\n`);
  events.push("data: [DONE]\n\n");
  return events;
}

/** Request body of the non-streaming chat benchmark, in the API's field names. */
export const chatRequest = {
  model: "mistral-small-latest",
  messages: [
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "Name three French cheeses and say one thing about each." },
  ],
  max_tokens: 128,
  temperature: 0.2,
};

/** Body of a streaming chat request whose stream has `count` content chunks from `model`. */
export function streamRequest(model, count) {
  return { ...chatRequest, model, max_tokens: count, stream: true };
}

/** Input of the embeddings benchmark: one sentence. */
export const embeddingInput = ["Camembert is a soft cheese from Normandy."];
