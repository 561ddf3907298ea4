import { describe, expect, it } from "vitest";
import type { MistralClient } from "../../src/client.js";
import { MistralApiError, UnprocessableEntityError } from "../../src/core/errors/api-error.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { helloRequest } from "../helpers/chat-bodies.js";
import { captureRejection } from "../helpers/error-capture.js";
import {
  type CleanupContext,
  clientFor,
  startLoopbackServer,
} from "../helpers/loopback-fixture.js";

const topPIssues = [
  { loc: ["body", "top_p"], msg: "Input should be a valid number", type: "float_type" },
];

const topPDetail =
  '[{"type":"float_type","loc":["body","top_p"],"msg":"Input should be a valid number","input":null}]';

interface Envelope {
  name: string;
  body: string;
  code: unknown;
  errorType: string | undefined;
}

/** The same 422 (`top_p` sent as null) in every envelope the API has used. */
const envelopes: Envelope[] = [
  {
    name: "A, message as an object",
    body:
      `{"object":"error","message":{"detail":${topPDetail}},"type":"invalid_request_error",` +
      '"param":null,"code":null}',
    code: null,
    errorType: "invalid_request_error",
  },
  {
    name: "B, message as a JSON-encoded string",
    body:
      '{"object":"error","message":"{\\"detail\\":[{\\"type\\":\\"float_type\\",\\"loc\\":' +
      '[\\"body\\",\\"top_p\\"],\\"msg\\":\\"Input should be a valid number\\",\\"input\\":null,' +
      '\\"url\\":\\"https://errors.pydantic.dev/2.5/v/float_type\\"}]}",' +
      '"type":"internal_error_proxy","param":null,"code":"1000"}',
    code: "1000",
    errorType: "internal_error_proxy",
  },
  {
    name: "C, detail and message both arrays",
    body:
      `{"object":"Error","detail":${topPDetail},"message":${topPDetail},` +
      '"type":"invalid_request_error","code":3001}',
    code: 3001,
    errorType: "invalid_request_error",
  },
  {
    name: "D, bare FastAPI detail",
    body: `{"detail":${topPDetail}}`,
    code: null,
    errorType: undefined,
  },
];

const twoIssuesBody =
  '{"detail":[{"type":"extra_forbidden","loc":["body","store"],"msg":"Extra inputs are not ' +
  'permitted","input":false},{"type":"extra_forbidden","loc":["body","max_completion_tokens"],' +
  '"msg":"Extra inputs are not permitted","input":8192}]}';

type Call = (client: MistralClient) => Promise<unknown>;

/** Every way a request can reach the server; a 422 arrives the same way on each. */
const calls: Array<[string, Call]> = [
  ["chat.create", (client) => client.chat.create(helloRequest)],
  ["chat.stream", (client) => client.chat.stream(helloRequest)],
  ["models.list", (client) => client.models.list()],
  [
    "request to /v1/conversations",
    (client) =>
      client.request({
        method: "POST",
        path: "/v1/conversations",
        body: { inputs: "Hello", model: "mistral-small-latest" },
      }),
  ],
  [
    "request to /v1/conversations, streamed",
    (client) =>
      client.request({
        method: "POST",
        path: "/v1/conversations",
        body: { inputs: "Hello", model: "mistral-small-latest", stream: true },
        stream: true,
      }),
  ],
];

async function reject422(
  context: CleanupContext,
  body: string,
  contentType = "application/json",
  call: Call = calls[0]![1],
) {
  const server = await startLoopbackServer(context);
  server.enqueue({ status: 422, headers: { "content-type": contentType }, body, times: 5 });
  const error = await captureRejection(call(clientFor(server, { maxRetries: 3 })));
  return { error: error as UnprocessableEntityError, server };
}

describe("422 envelopes", () => {
  for (const envelope of envelopes) {
    it(`normalises ${envelope.name}`, async (context) => {
      const { error, server } = await reject422(context, envelope.body);

      expect(error).toBeInstanceOf(UnprocessableEntityError);
      expect(isMistralError(error, "unprocessable_entity")).toBe(true);
      expect(error.status).toBe(422);
      expect(error.issues).toEqual(topPIssues);
      expect(error.message).toContain("body.top_p");
      expect(error.message).toContain("Input should be a valid number");
      expect(error.message).not.toContain("[object Object]");
      expect(error.code).toBe(envelope.code);
      expect(error.errorType).toBe(envelope.errorType);
      expect(error.body).toBe(envelope.body);
      expect(server.requests).toHaveLength(1);
    });
  }

  it("keeps two issues in order", async (context) => {
    const { error, server } = await reject422(context, twoIssuesBody);

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.issues).toEqual([
      { loc: ["body", "store"], msg: "Extra inputs are not permitted", type: "extra_forbidden" },
      {
        loc: ["body", "max_completion_tokens"],
        msg: "Extra inputs are not permitted",
        type: "extra_forbidden",
      },
    ]);
    expect(error.message).toContain("body.store");
    expect(error.message).toContain("body.max_completion_tokens");
    expect(error.body).toBe(twoIssuesBody);
    expect(server.requests).toHaveLength(1);
  });

  it("handles a plain-text body", async (context) => {
    const { error, server } = await reject422(context, "Unprocessable Entity", "text/plain");

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([]);
    expect(error.message).toContain("Unprocessable Entity");
    expect(error.body).toBe("Unprocessable Entity");
    expect(server.requests).toHaveLength(1);
  });

  it("is a server error, not the client-side validation kind", async (context) => {
    const { error } = await reject422(context, envelopes[0]!.body);

    expect(isMistralError(error, "validation")).toBe(false);
    expect(error).toBeInstanceOf(MistralApiError);
  });

  it("falls back to the status text for an empty body", async (context) => {
    const { error } = await reject422(context, "");

    expect(error.issues).toEqual([]);
    expect(error.message.startsWith("Unprocessable Entity")).toBe(true);
  });

  it("survives a body that is cut JSON", async (context) => {
    const { error } = await reject422(context, `{"detail":${topPDetail.slice(0, 40)}`);

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.issues).toEqual([]);
    expect(error.message).not.toContain("[object Object]");
  });

  it("reads JSON sent with a problem+json content type", async (context) => {
    const { error } = await reject422(context, envelopes[3]!.body, "application/problem+json");

    expect(error.issues).toEqual(topPIssues);
  });
});

describe("422 on every endpoint", () => {
  for (const [name, call] of calls) {
    for (const envelope of [envelopes[0]!, envelopes[3]!]) {
      it(`${name} normalises ${envelope.name}`, async (context) => {
        const { error, server } = await reject422(context, envelope.body, undefined, call);

        expect(error).toBeInstanceOf(UnprocessableEntityError);
        expect(error.issues).toEqual(topPIssues);
        expect(server.requests).toHaveLength(1);
      });
    }
  }
});
