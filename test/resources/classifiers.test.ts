import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { UnprocessableEntityError, ValidationError } from "../../src/index.js";
import { Classifiers } from "../../src/resources/classifiers.js";
import { MockMistralServer, type RecordedRequest } from "../../src/testing/index.js";
import { classifierRoutes } from "../../src/testing/routes/classifiers.js";
import type {
  ChatClassificationRequest,
  ChatModerationRequest,
  ClassificationRequest,
} from "../../src/types/classifiers.js";
import { captureRejection } from "../helpers/error-capture.js";

const apiKey = "classifiers-test-key";
const categories = [
  "sexual",
  "hate_and_discrimination",
  "violence_and_threats",
  "dangerous_and_criminal_content",
  "selfharm",
  "health",
  "financial",
  "law",
  "pii",
];

let server: MockMistralServer;
let classifiers: Classifiers;

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: classifierRoutes });
  const config = resolveConfig({ apiKey, baseURL: server.url, maxRetries: 0 }, {});
  classifiers = new Classifiers(new Transport(config, "mistralai-ts/test"));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

function onlyRequest(): RecordedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!;
}

function expectPost(request: RecordedRequest, path: string, body: unknown): void {
  expect(request.method).toBe("POST");
  expect(request.path).toBe(path);
  expect(request.query).toEqual({});
  expect(request.headers["content-type"]).toBe("application/json");
  expect(request.body).toEqual(body);
}

describe("classifiers.moderate", () => {
  it("sends one text", async () => {
    const request: ClassificationRequest = {
      model: "mistral-moderation-latest",
      input: "Good morning, team.",
    };
    const response = await classifiers.moderate(request);

    expectPost(onlyRequest(), "/v1/moderations", request);
    expect(response.model).toBe("mistral-moderation-latest");
    expect(response.id).toMatch(/^[0-9a-f]{32}$/);
    expect(response.results).toHaveLength(1);
    expect(Object.keys(response.results[0]!.categories ?? {})).toEqual(categories);
    expect(Object.values(response.results[0]!.categories ?? {})).not.toContain(true);
    expect(response.results[0]!.category_scores?.violence_and_threats).toBeLessThan(0.5);
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rates texts in input order", async () => {
    const request: ClassificationRequest = {
      model: "mistral-moderation-latest",
      input: ["I will attack the castle", "My password is hunter2"],
      metadata: { tenant: "acme" },
    };
    const response = await classifiers.moderate(request);

    expectPost(onlyRequest(), "/v1/moderations", request);
    const [first, second] = response.results;
    expect(first!.categories?.violence_and_threats).toBe(true);
    expect(first!.category_scores?.violence_and_threats).toBeGreaterThan(0.5);
    expect(first!.categories?.pii).toBe(false);
    expect(second!.categories?.pii).toBe(true);
  });

  it("scores are deterministic", async () => {
    const request = { model: "mistral-moderation-latest", input: "Same text" };
    const first = await classifiers.moderate(request);
    const second = await classifiers.moderate(request);

    expect(second.results).toEqual(first.results);
  });
});

describe("classifiers.moderateChat", () => {
  it("sends one conversation", async () => {
    const request: ChatModerationRequest = {
      model: "mistral-moderation-latest",
      input: [
        { role: "user", content: "How do I get a loan?" },
        { role: "assistant", content: [{ type: "text", text: "Ask your bank." }] },
      ],
    };
    const response = await classifiers.moderateChat(request);

    expectPost(onlyRequest(), "/v1/chat/moderations", request);
    expect(response.results).toHaveLength(1);
    expect(response.results[0]!.categories?.financial).toBe(true);
  });

  it("sends several conversations", async () => {
    const request: ChatModerationRequest = {
      model: "mistral-moderation-latest",
      input: [
        [{ role: "user", content: "Hello" }],
        [{ role: "user", content: "What are the symptoms of flu?" }],
      ],
    };
    const response = await classifiers.moderateChat(request);

    expectPost(onlyRequest(), "/v1/chat/moderations", request);
    expect(response.results.map((result) => result.categories?.health)).toEqual([false, true]);
  });
});

describe("classifiers.classify", () => {
  it("scores texts per target", async () => {
    const request: ClassificationRequest = {
      model: "ft:classifier:ministral-3b-latest:82a3f1d0:20250601:a1b2c3d4",
      input: ["I love it", "It arrived broken"],
    };
    const response = await classifiers.classify(request);

    expectPost(onlyRequest(), "/v1/classifications", request);
    expect(response.model).toBe(request.model);
    const [first, second] = response.results;
    expect(first!.sentiment?.scores).toEqual({ positive: 0.8, negative: 0.05, neutral: 0.1 });
    expect(second!.sentiment?.scores).toEqual({ positive: 0.05, negative: 0.8, neutral: 0.1 });
  });

  it("classifyChat sends one instruction", async () => {
    const request: ChatClassificationRequest = {
      model: "ft:classifier:ministral-3b-latest:82a3f1d0:20250601:a1b2c3d4",
      input: { messages: [{ role: "user", content: "Thanks, great service" }] },
    };
    const response = await classifiers.classifyChat(request);

    expectPost(onlyRequest(), "/v1/chat/classifications", request);
    expect(response.results).toHaveLength(1);
    expect(response.results[0]!.sentiment?.scores.positive).toBe(0.8);
  });

  it("classifyChat sends several instructions", async () => {
    const request: ChatClassificationRequest = {
      model: "ft:classifier:ministral-3b-latest:82a3f1d0:20250601:a1b2c3d4",
      input: [
        { messages: [{ role: "user", content: "Hello" }] },
        { messages: [{ role: "user", content: "This is awful" }] },
      ],
    };
    const response = await classifiers.classifyChat(request);

    expectPost(onlyRequest(), "/v1/chat/classifications", request);
    expect(response.results.map((result) => result.sentiment?.scores.neutral)).toEqual([0.9, 0.1]);
  });
});

describe("classifier request checks", () => {
  it("missing model and input", async () => {
    const error = await captureRejection(classifiers.moderate({} as ClassificationRequest));

    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).problems.map((problem) => problem.path);
    expect(paths).toEqual(["model", "input"]);
    expect(server.requests).toHaveLength(0);
  });

  it("texts where messages are expected", async () => {
    const request = { model: "m", input: "Hello" } as unknown as ChatModerationRequest;
    const error = await captureRejection(classifiers.moderateChat(request));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([
      {
        path: "input",
        message: "is required: a non-empty array of messages, or an array of such arrays",
      },
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it("instruction without messages", async () => {
    const request = { model: "m", input: [{ text: "Hi" }] } as unknown as ChatClassificationRequest;
    const error = await captureRejection(classifiers.classifyChat(request));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((problem) => problem.path)).toEqual(["input"]);
  });

  it("server 422 is an UnprocessableEntityError", async () => {
    server.enqueue({
      status: 422,
      body: {
        detail: [
          {
            type: "extra_forbidden",
            loc: ["body", "threshold"],
            msg: "Extra inputs are not permitted",
            input: 0.4,
          },
        ],
      },
    });
    const error = await captureRejection(
      classifiers.moderate({ model: "mistral-moderation-latest", input: "Hi" }),
    );

    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).issues[0]?.loc).toEqual(["body", "threshold"]);
  });
});
