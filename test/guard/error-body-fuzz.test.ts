import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttemptTimer } from "../../src/core/attempt-timer.js";
import { parseErrorBody } from "../../src/core/error-body.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { buildResponseError } from "../../src/core/response-error.js";
import { renderedForms } from "../helpers/secret-scan.js";

// Property tests of the error-body parser: generated bodies in every envelope the API has used,
// and plain noise, with a canary key echoed in them the way some gateways echo a rejected key.

const canary = "sk-test-CANARY-7f3a9c1e";
const runs = 10_000;

/** Text that sometimes contains the canary, alone or inside other text. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))
      .map(([before, after]) => `${before}${canary}${after}`),
  },
);

const issue = fc.record(
  {
    loc: fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
    msg: text,
    type: text,
    input: fc.oneof(text, fc.constant(null)),
  },
  { requiredKeys: [] },
);

/** Error envelopes: Mistral's own, FastAPI's, gateway bodies, nested and JSON-in-a-string. */
const envelope: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  body: fc.oneof(
    fc.record(
      {
        object: fc.constant("error"),
        message: fc.oneof(
          text,
          tie("body").map((inner) => JSON.stringify(inner)),
        ),
        type: text,
        param: fc.oneof(text, fc.constant(null), fc.dictionary(text, text, { maxKeys: 2 })),
        code: fc.oneof(text, fc.integer(), fc.constant(null)),
        raw_status_code: fc.integer({ min: 400, max: 599 }),
      },
      { requiredKeys: [] },
    ),
    fc.record({ detail: fc.oneof(text, fc.array(issue, { maxLength: 3 })) }),
    fc.record({
      message: fc.oneof(text, fc.record({ detail: fc.array(issue, { maxLength: 2 }) })),
    }),
    fc.record({ error: tie("body"), request_id: text }, { requiredKeys: [] }),
    fc.record({ message: text, request_id: text }),
    fc.anything({ maxDepth: 2 }),
  ),
})).body;

/**
 * JSON text of a value, with some letters, digits and dashes inside strings written as `\u`
 * escapes, which JSON allows for any character: a gateway that escapes characters still echoes
 * the key. `escapeMask` picks the characters.
 */
function encodeJson(value: unknown, escapeMask: number): string {
  const json = JSON.stringify(value) ?? "null";
  let index = 0;
  return json.replace(/"(?:[^"\\]|\\.)*"/g, (literal) =>
    literal.replace(/[A-Za-z0-9-]/g, (character) => {
      index++;
      if (((escapeMask >> (index % 31)) & 1) === 0) return character;
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }),
  );
}

/** A body as the parser may receive it: JSON with or without escapes, or any text at all. */
const bodyText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(envelope, fc.nat()).map(([value, mask]) => encodeJson(value, mask)),
  },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

/** Splits bytes at generated offsets, as a network may deliver them. */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }

  chunks.push(bytes.subarray(start));
  return chunks;
}

function responseOf(chunks: Uint8Array[], status: number): Response {
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Response(body, { status, headers: { "content-type": "application/json" } });
}

function newTimer(): AttemptTimer {
  return new AttemptTimer(
    { timeoutMs: 60_000, headersTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    undefined,
    "POST /v1/chat/completions",
  );
}

describe("parseErrorBody with generated bodies", () => {
  it("never throws and returns well-typed fields", () => {
    fc.assert(
      fc.property(bodyText, (body) => {
        const parsed = parseErrorBody(body);

        expect(parsed.message === undefined || typeof parsed.message === "string").toBe(true);
        // 500 characters, then the marker "… (cut at 500 characters)".
        expect((parsed.message ?? "").length).toBeLessThanOrEqual(526);
        expect(parsed.type === undefined || typeof parsed.type === "string").toBe(true);
        expect(Array.isArray(parsed.issues)).toBe(true);
        for (const parsedIssue of parsed.issues) {
          expect(typeof parsedIssue.msg).toBe("string");
          expect(Array.isArray(parsedIssue.loc)).toBe(true);
        }
      }),
      { numRuns: runs },
    );
  });
});

describe("buildResponseError with generated bodies split at random points", () => {
  it("never fails and never shows the key", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyText,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 400, max: 599 }),
        async (body, cuts, status) => {
          const chunks = splitAt(new TextEncoder().encode(body), cuts);
          const timer = newTimer();
          const call = { method: "POST", url: "https://api.mistral.ai/v1/chat/completions" };

          const error = await buildResponseError(responseOf(chunks, status), timer, call, canary);
          timer.finish();

          expect(isMistralError(error)).toBe(true);
          expect(error.status).toBe(status);
          for (const [form, rendered] of renderedForms(error)) {
            expect(rendered.includes(canary), `${form}: ${rendered}`).toBe(false);
          }
        },
      ),
      { numRuns: runs },
    );
  });
});
