import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseErrorBody } from "../../src/core/error-body.js";

const topPIssue = {
  loc: ["body", "top_p"],
  msg: "Input should be a valid number",
  type: "float_type",
};

const topPDetail =
  '[{"type":"float_type","loc":["body","top_p"],"msg":"Input should be a valid number","input":null}]';

describe("parseErrorBody on the documented envelope", () => {
  it("reads every field of a 400 invalid_function_call body", () => {
    const parsed = parseErrorBody(
      '{"object":"error","message":"Tool call id was call_8f2b1c9d0e but must be a-z, A-Z, 0-9, ' +
        'with a length of 9.","type":"invalid_function_call","param":null,"code":"3280",' +
        '"raw_status_code":400}',
    );

    expect(parsed.serverMessage).toBe(
      "Tool call id was call_8f2b1c9d0e but must be a-z, A-Z, 0-9, with a length of 9.",
    );
    expect(parsed.message).toBe(parsed.serverMessage);
    expect(parsed.type).toBe("invalid_function_call");
    expect(parsed.code).toBe("3280");
    expect(parsed.param).toBeNull();
    expect(parsed.issues).toEqual([]);
  });

  it("keeps a numeric code as a number and a missing code as null", () => {
    expect(parseErrorBody('{"message":"x","code":3001}').code).toBe(3001);
    expect(parseErrorBody('{"message":"x"}').code).toBeNull();
    expect(parseErrorBody('{"message":"x","code":null}').code).toBeNull();
  });

  it("keeps a non-null param", () => {
    expect(parseErrorBody('{"message":"x","param":"top_p"}').param).toBe("top_p");
  });

  it("ignores a type that is not a string", () => {
    expect(parseErrorBody('{"message":"x","type":7}').type).toBeUndefined();
  });

  it("reads request_id from a gateway body", () => {
    const parsed = parseErrorBody(
      '{"message":"Unauthorized","request_id":"3f9a0c5e7b2d4c1a9e8f6d5c4b3a2f10"}',
    );

    expect(parsed.serverMessage).toBe("Unauthorized");
    expect(parsed.requestId).toBe("3f9a0c5e7b2d4c1a9e8f6d5c4b3a2f10");
  });

  it("puts the body's message before a detail sentence", () => {
    const parsed = parseErrorBody('{"detail":"Gateway note","message":"Rate limit exceeded"}');

    expect(parsed.serverMessage).toBe("Rate limit exceeded");
    expect(parsed.message?.startsWith("Rate limit exceeded")).toBe(true);
    expect(parsed.message).toContain("Gateway note");
  });
});

describe("parseErrorBody on 422 envelopes", () => {
  const envelopes: Array<[string, string, unknown, string | undefined]> = [
    [
      "message as an object",
      `{"object":"error","message":{"detail":${topPDetail}},"type":"invalid_request_error","param":null,"code":null}`,
      null,
      "invalid_request_error",
    ],
    [
      "message as a JSON-encoded string",
      '{"object":"error","message":"{\\"detail\\":[{\\"type\\":\\"float_type\\",\\"loc\\":[\\"body\\",' +
        '\\"top_p\\"],\\"msg\\":\\"Input should be a valid number\\",\\"input\\":null,\\"url\\":' +
        '\\"https://errors.pydantic.dev/2.5/v/float_type\\"}]}","type":"internal_error_proxy",' +
        '"param":null,"code":"1000"}',
      "1000",
      "internal_error_proxy",
    ],
    [
      "detail and message both arrays",
      `{"object":"Error","detail":${topPDetail},"message":${topPDetail},"type":"invalid_request_error","code":3001}`,
      3001,
      "invalid_request_error",
    ],
    ["bare detail list", `{"detail":${topPDetail}}`, null, undefined],
  ];

  for (const [name, body, code, type] of envelopes) {
    it(`normalises ${name}`, () => {
      const parsed = parseErrorBody(body);

      expect(parsed.issues).toEqual([topPIssue]);
      expect(parsed.message).toContain("body.top_p");
      expect(parsed.message).toContain("Input should be a valid number");
      expect(parsed.message).not.toContain("[object Object]");
      expect(parsed.code).toBe(code);
      expect(parsed.type).toBe(type);
    });
  }

  it("keeps two issues in order", () => {
    const parsed = parseErrorBody(
      '{"detail":[{"type":"extra_forbidden","loc":["body","store"],"msg":"Extra inputs are not ' +
        'permitted","input":false},{"type":"extra_forbidden","loc":["body","max_completion_tokens"],' +
        '"msg":"Extra inputs are not permitted","input":8192}]}',
    );

    expect(parsed.issues).toEqual([
      { loc: ["body", "store"], msg: "Extra inputs are not permitted", type: "extra_forbidden" },
      {
        loc: ["body", "max_completion_tokens"],
        msg: "Extra inputs are not permitted",
        type: "extra_forbidden",
      },
    ]);
    expect(parsed.message).toContain("body.store: Extra inputs are not permitted");
    expect(parsed.message).toContain("body.max_completion_tokens: Extra inputs are not permitted");
  });

  it("joins numeric loc parts with dots", () => {
    const parsed = parseErrorBody(
      '{"detail":[{"type":"missing","loc":["body","messages",2,"content"],"msg":"Field required"}]}',
    );

    expect(parsed.issues).toEqual([
      { loc: ["body", "messages", 2, "content"], msg: "Field required", type: "missing" },
    ]);
    expect(parsed.message).toBe("body.messages.2.content: Field required");
  });

  it("drops extra issue keys such as input, ctx and url", () => {
    const parsed = parseErrorBody(
      '{"detail":[{"type":"less_than_equal","loc":["body","temperature"],"msg":"Input should be ' +
        'less than or equal to 1.5","input":9,"ctx":{"le":1.5},"url":"https://errors.pydantic.dev"}]}',
    );

    expect(parsed.issues).toEqual([
      {
        loc: ["body", "temperature"],
        msg: "Input should be less than or equal to 1.5",
        type: "less_than_equal",
      },
    ]);
  });

  it("gives an issue without type or loc defaults", () => {
    const parsed = parseErrorBody('{"detail":[{"msg":"Something is wrong"}]}');

    expect(parsed.issues).toEqual([{ loc: [], msg: "Something is wrong", type: "unknown" }]);
    expect(parsed.message).toBe("request: Something is wrong");
  });

  it("skips detail items whose msg is not a string", () => {
    const parsed = parseErrorBody('{"detail":[{"msg":{"nested":true},"loc":["body"]}, 4, null]}');

    expect(parsed.issues).toEqual([]);
    expect(parsed.message ?? "").not.toContain("[object Object]");
  });

  it("reads a message object holding a detail sentence", () => {
    expect(parseErrorBody('{"message":{"detail":"Model not found"}}').serverMessage).toBe(
      "Model not found",
    );
  });

  it("joins a message list of sentences", () => {
    expect(parseErrorBody('{"message":["first","second"]}').message).toBe("first; second");
  });

  it("keeps a message that looks like JSON but is not", () => {
    expect(parseErrorBody('{"message":"{not json"}').serverMessage).toBe("{not json");
  });
});

describe("parseErrorBody on other bodies", () => {
  it("reads a FastAPI detail sentence", () => {
    const parsed = parseErrorBody('{"detail":"Unauthorized"}');

    expect(parsed.serverMessage).toBe("Unauthorized");
    expect(parsed.issues).toEqual([]);
  });

  it("reads a nested error object", () => {
    const parsed = parseErrorBody(
      '{"error":{"message":"Upstream limit","type":"rate_limited","code":"1300"}}',
    );

    expect(parsed.serverMessage).toBe("Upstream limit");
    expect(parsed.type).toBe("rate_limited");
    expect(parsed.code).toBe("1300");
  });

  it("uses plain text as the message", () => {
    const parsed = parseErrorBody("Unprocessable Entity");

    expect(parsed.serverMessage).toBe("Unprocessable Entity");
    expect(parsed.issues).toEqual([]);
    expect(parsed.code).toBeNull();
  });

  it("collapses whitespace in plain text", () => {
    expect(parseErrorBody("upstream\n  connect error\r\n").message).toBe("upstream connect error");
  });

  it("returns no message for an empty or blank body", () => {
    expect(parseErrorBody("").message).toBeUndefined();
    expect(parseErrorBody("  \n").message).toBeUndefined();
    expect(parseErrorBody("").serverMessage).toBeUndefined();
  });

  it("returns no message for an HTML page", () => {
    const parsed = parseErrorBody("<html><body><h1>502 Bad Gateway</h1></body></html>");

    expect(parsed.message).toBeUndefined();
  });

  it("returns no message for null or an empty message", () => {
    expect(parseErrorBody('{"object":"error","message":null}').message).toBeUndefined();
    expect(parseErrorBody('{"object":"error","message":""}').message).toBeUndefined();
  });

  it("handles JSON that is not an object", () => {
    for (const body of ["null", "42", "true", "[1,2]", '"plain"']) {
      const parsed = parseErrorBody(body);

      expect(parsed.issues).toEqual([]);
      expect(parsed.code).toBeNull();
    }
  });

  it("cuts a long message in message but keeps serverMessage whole", () => {
    const long = "x ".repeat(400).trim();
    const parsed = parseErrorBody(JSON.stringify({ message: long }));

    expect(parsed.serverMessage).toBe(long);
    expect(parsed.message).toContain("(cut at 500 characters)");
    expect(parsed.message?.length).toBeLessThan(long.length);
  });

  it("removes long base64 runs from message", () => {
    const encoded = "QUJD".repeat(100);
    const parsed = parseErrorBody(JSON.stringify({ message: `Invalid image ${encoded}` }));

    expect(parsed.message).not.toContain(encoded);
    expect(parsed.message).toContain("[400 encoded characters removed]");
  });

  it("stops at deep nesting without throwing", () => {
    let value: unknown = { detail: "bottom" };
    for (let depth = 0; depth < 50; depth++) value = { message: value };

    expect(() => parseErrorBody(JSON.stringify(value))).not.toThrow();
  });

  it("never throws and never prints [object Object]", () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ message: value, detail: value })),
    );

    fc.assert(
      fc.property(bodies, (body) => {
        const parsed = parseErrorBody(body);
        expect(parsed.message ?? "").not.toContain("[object Object]");
        expect(Array.isArray(parsed.issues)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
