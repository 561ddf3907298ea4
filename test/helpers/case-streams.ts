// Wire bytes of the recorded stream cases: SSE bodies of chat and FIM streams, written exactly as
// the Mistral API sends them, and the non-streamed bodies that go with them. Payloads with JSON
// escapes such as `\"` use String.raw, so they stay byte for byte as on the wire.

/** Encodes one event with a single `data:` line and its terminating blank line. */
export function dataEvent(payload: string): string {
  return `data: ${payload}\n\n`;
}

/** Sentinel event that ends every Mistral stream. */
export const doneEvent = "data: [DONE]\n\n";

const encoder = new TextEncoder();

/** Concatenates writes into the bytes of the whole body. */
export function joinWrites(writes: ReadonlyArray<string | Uint8Array>): Uint8Array {
  const parts = writes.map((write) => (typeof write === "string" ? encoder.encode(write) : write));
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }

  return body;
}

/** Writes of a body whose events each go in their own write, then the sentinel. */
export function eventWrites(payloads: readonly string[]): string[] {
  return [...payloads.map(dataEvent), doneEvent];
}

// ---- `[DONE]` ends the stream, however it is framed ----

/** The three chunks of the "Bonjour !" stream, in order. */
export const bonjourPayloads = [
  '{"id":"9c2e1f40aa7b4d0e8f1c3b5a7d9e0f12","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '{"id":"9c2e1f40aa7b4d0e8f1c3b5a7d9e0f12","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}]}',
  '{"id":"9c2e1f40aa7b4d0e8f1c3b5a7d9e0f12","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":" !"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"total_tokens":12,"completion_tokens":3}}',
] as const;

const bonjourEvents = bonjourPayloads.map(dataEvent);

/** A framing of the "Bonjour !" stream: the writes and whether the server then closes the socket. */
export interface DoneFraming {
  label: string;
  writes: string[];
  /** True when the body has no length framing and ends when the server closes the connection. */
  closeAfter: boolean;
}

/** The six framings of the terminator: each must still yield exactly the three chunks. */
export const bonjourFramings: DoneFraming[] = [
  { label: "a: own write", writes: [...bonjourEvents, doneEvent], closeAfter: false },
  {
    label: "b: no trailing newline, then close",
    writes: [...bonjourEvents, "data: [DONE]"],
    closeAfter: true,
  },
  {
    label: "c: no space after colon",
    writes: [...bonjourEvents, "data:[DONE]\n\n"],
    closeAfter: false,
  },
  {
    label: "d: same write as the last event",
    writes: [bonjourEvents[0]!, bonjourEvents[1]!, bonjourEvents[2]! + doneEvent],
    closeAfter: false,
  },
  {
    label: "e: split inside the sentinel",
    writes: [...bonjourEvents, "data: [DO", "NE]\n\n"],
    closeAfter: false,
  },
  {
    label: "f: event after the sentinel",
    writes: [...bonjourEvents, doneEvent, dataEvent('{"id":"late"}')],
    closeAfter: false,
  },
];

// ---- An event and a UTF-8 character split across reads ----

const cheeseHead =
  'data: {"id":"5d0b","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"Le meilleur fromage fran';
const cheeseMiddle =
  'ais ? Le Roquefort "},"finish_reason":null}]}' +
  "\n\n" +
  'data: {"id":"5d0b","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"';
const cheeseTail =
  '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"total_tokens":24,"completion_tokens":13}}' +
  "\n\n" +
  doneEvent;

/**
 * The four writes of the split stream. Write 2 is the first byte of "ç" (C3 A7), and write 3 ends
 * with the first two bytes of U+1F9C0 (F0 9F A7 80), whose last two bytes start write 4.
 */
export const cheeseWrites: Uint8Array[] = [
  encoder.encode(cheeseHead),
  Uint8Array.of(0xc3),
  joinWrites([Uint8Array.of(0xa7), cheeseMiddle, Uint8Array.of(0xf0, 0x9f)]),
  joinWrites([Uint8Array.of(0xa7, 0x80), cheeseTail]),
];

/** Text of the two chunks joined. */
export const cheeseText = "Le meilleur fromage français ? Le Roquefort 🧀";

/** A complete event whose payload is cut JSON, followed by the sentinel. */
export const brokenPayload = '{"id":"5d0b","choices":[{"index":0,"delta":{"content":"x"}';
export const brokenEventWrites = [dataEvent(brokenPayload) + doneEvent];

// ---- Streamed tool calls ----

/** A whole call in one delta, with `content: null` and no `type`. */
export const wholeToolCallPayloads = [
  '{"id":"e1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  String.raw`{"id":"e1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"id":"Qw7Rt2Yp9","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"},"index":0}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":80,"total_tokens":101,"completion_tokens":21}}`,
];

function fragmentChunk(toolCall: string): string {
  return (
    '{"id":"e2","object":"chat.completion.chunk","created":1764806400,"model":"mistral-medium-latest","choices":[{"index":0,"delta":{"tool_calls":[' +
    toolCall +
    ']},"finish_reason":null}]}'
  );
}

const fragmentOpen =
  '{"id":"e2","object":"chat.completion.chunk","created":1764806400,"model":"mistral-medium-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}';
const fragmentClose =
  '{"id":"e2","object":"chat.completion.chunk","created":1764806400,"model":"mistral-medium-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":80,"total_tokens":99,"completion_tokens":19}}';
const fragmentStart =
  '{"index":0,"id":"Kd83nBv1x","type":"function","function":{"name":"get_weather","arguments":""}}';

/** One call in fragments: the first has the id and name, the others only `index: 0` and text. */
export const fragmentedToolCallPayloads = [
  fragmentOpen,
  fragmentChunk(fragmentStart),
  fragmentChunk(String.raw`{"index":0,"function":{"arguments":"{\"city\":"}}`),
  fragmentChunk(String.raw`{"index":0,"function":{"arguments":"\"Paris\"}"}}`),
  fragmentClose,
];

/** As the fragmented stream, but continuations carry `id: "null"` and `name: ""`. */
export const placeholderToolCallPayloads = [
  fragmentOpen,
  fragmentChunk(fragmentStart),
  fragmentChunk(
    String.raw`{"index":0,"id":"null","type":"function","function":{"name":"","arguments":"{\"city\":"}}`,
  ),
  fragmentChunk(
    String.raw`{"index":0,"id":"null","type":"function","function":{"name":"","arguments":"\"Paris\"}"}}`,
  ),
  fragmentClose,
];

// ---- Content as a list of chunks ----

/** A reasoning model: thinking chunks, an extra `delta.index`, `logprobs: null`, `closed: true`. */
export const thinkingPayloads = [
  '{"id":"m1","object":"chat.completion.chunk","created":1764806400,"model":"magistral-medium-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '{"id":"m1","object":"chat.completion.chunk","created":1764806400,"model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"User says hi"}]}]},"finish_reason":null}]}',
  '{"id":"m1","object":"chat.completion.chunk","created":1764806400,"model":"magistral-medium-latest","choices":[{"index":0,"delta":{"index":0,"content":[{"type":"thinking","thinking":[{"type":"text","text":"; answer briefly."}],"closed":true}]},"finish_reason":null,"logprobs":null}]}',
  '{"id":"m1","object":"chat.completion.chunk","created":1764806400,"model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}',
  '{"id":"m1","object":"chat.completion.chunk","created":1764806400,"model":"magistral-medium-latest","choices":[{"index":0,"delta":{"content":[{"type":"text","text":"!"}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":6,"total_tokens":40,"completion_tokens":34}}',
];

/** A response with a reference chunk between two plain string deltas. */
export const referencePayloads = [
  '{"id":"r1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"The company was founded in 2015"},"finish_reason":null}]}',
  '{"id":"r1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":[{"type":"reference","reference_ids":[1,2]}]},"finish_reason":null}]}',
  '{"id":"r1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-large-latest","choices":[{"index":0,"delta":{"content":"."},"finish_reason":"stop"}],"usage":{"prompt_tokens":300,"total_tokens":312,"completion_tokens":12}}',
];

/** A non-streamed response of a reasoning model: a thinking chunk then a text chunk. */
export const thinkingCompletionBody = `{"id":"m2","object":"chat.completion","created":1764806400,"model":"magistral-small-latest",
 "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","tool_calls":null,"content":[
   {"type":"thinking","thinking":[{"type":"text","text":"Short greeting expected."}]},
   {"type":"text","text":"Hello!"}]}}],
 "usage":{"prompt_tokens":6,"total_tokens":20,"completion_tokens":14}}`;

/** As the thinking response, plus a third chunk of a type no version of the library defines. */
export const unknownChunkCompletionBody = thinkingCompletionBody.replace(
  '{"type":"text","text":"Hello!"}]',
  '{"type":"text","text":"Hello!"},{"type":"hologram","payload":{"x":1}}]',
);

// ---- Usage on the last chunk ----

/** Usage on the chunk that carries `finish_reason`, Mistral's usual shape. */
export const usageOnFinishPayloads = [
  '{"id":"u1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}',
  '{"id":"u1","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"total_tokens":8,"completion_tokens":3}}',
];

/** The finish chunk without usage, then a usage-only chunk with `choices: []`. */
export const usageOnlyChunkPayloads = [
  '{"id":"u2","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}]}',
  '{"id":"u2","object":"chat.completion.chunk","created":1764806400,"model":"mistral-small-latest","choices":[],"usage":{"prompt_tokens":5,"total_tokens":8,"completion_tokens":3}}',
];

/** As the usage-only stream, with the last event and the sentinel in one write. */
export const usageOnlyGluedWrites = [
  dataEvent(usageOnlyChunkPayloads[0]!),
  dataEvent(usageOnlyChunkPayloads[1]!) + doneEvent,
];

/** The usage-on-finish shape from a FIM stream of `codestral-latest`. */
export const fimUsagePayloads = usageOnFinishPayloads.map((payload) =>
  payload.replace('"model":"mistral-small-latest"', '"model":"codestral-latest"'),
);

/** Usage as the API sends it for the "Hi there" streams. */
export const hiThereUsage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
