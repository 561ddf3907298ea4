import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/core/config.js";
import { Transport } from "../../src/core/transport.js";
import { Classifiers } from "../../src/resources/classifiers.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { classifierRoutes } from "../../src/testing/routes/classifiers.js";
import type {
  ChatClassificationRequest,
  ChatModerationRequest,
  ClassificationRequest,
} from "../../src/types/classifiers.js";
import { requestSchemaValidator, responseSchemaValidator } from "./spec.js";

const apiKey = "sk-classifiers-contract-key";
const moderationModel = "mistral-moderation-latest";
const classifierModel = "ft:classifier:ministral-3b-latest:82a3f1d0:20250601:a1b2c3d4";

const textRequests: Record<string, ClassificationRequest> = {
  "one text": { model: moderationModel, input: "Hello" },
  "several texts": { model: moderationModel, input: ["I will attack", "my password is x"] },
  "with metadata": { model: moderationModel, input: "Hi", metadata: { team: "trust" } },
  "null metadata": { model: moderationModel, input: ["a"], metadata: null },
};

const chatModerations: Record<string, ChatModerationRequest> = {
  "one conversation": {
    model: moderationModel,
    input: [
      { role: "system", content: "Be kind." },
      { role: "user", content: [{ type: "text", text: "Any stock tips?" }] },
      { role: "assistant", content: "None today." },
    ],
  },
  "several conversations": {
    model: moderationModel,
    input: [[{ role: "user", content: "Hello" }], [{ role: "user", content: "I hate Mondays" }]],
  },
};

const chatClassifications: Record<string, ChatClassificationRequest> = {
  "one instruction": {
    model: classifierModel,
    input: { messages: [{ role: "user", content: "Great service" }] },
  },
  "several instructions": {
    model: classifierModel,
    input: [
      { messages: [{ role: "user", content: "It broke" }] },
      {
        messages: [
          { role: "user", content: "Thanks" },
          { role: "assistant", content: "You're welcome" },
        ],
      },
    ],
  },
};

let server: MockMistralServer;
let classifiers: Classifiers;
const replies: Array<{ path: string; status: number; text: string }> = [];

beforeAll(async () => {
  server = await MockMistralServer.start({ apiKey, routes: classifierRoutes });
  const config = resolveConfig(
    {
      apiKey,
      baseURL: server.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const path = new URL(input instanceof Request ? input.url : input).pathname;
        replies.push({ path, status: response.status, text: await response.clone().text() });
        return response;
      },
    },
    {},
  );
  classifiers = new Classifiers(new Transport(config, "mistralai-ts/contract-test"));
});

afterAll(async () => {
  await server.close();
});

/** Calls every operation with every request of the tables above, in a fixed order. */
async function runEveryRequest(): Promise<void> {
  for (const request of Object.values(textRequests)) {
    await classifiers.moderate(request);
    await classifiers.classify({ ...request, model: classifierModel });
  }

  for (const request of Object.values(chatModerations)) {
    await classifiers.moderateChat(request);
  }

  for (const request of Object.values(chatClassifications)) {
    await classifiers.classifyChat(request);
  }
}

describe("classifier request bodies", () => {
  it("every request validates", () => {
    const tables: Array<[string, Record<string, object>]> = [
      ["/v1/moderations", textRequests],
      ["/v1/classifications", textRequests],
      ["/v1/chat/moderations", chatModerations],
      ["/v1/chat/classifications", chatClassifications],
    ];
    for (const [path, requests] of tables) {
      const validate = requestSchemaValidator("POST", path);
      for (const [name, request] of Object.entries(requests)) {
        expect(validate(request).errors, `${path} ${name}`).toEqual([]);
      }
    }
  });

  it("sent bodies equal the requests", async () => {
    server.reset();
    await runEveryRequest();

    const chatBodies = [...Object.values(chatModerations), ...Object.values(chatClassifications)];
    const bodies = server.requests.map((request) => request.body);
    expect(bodies.slice(-chatBodies.length)).toEqual(chatBodies);
    expect(bodies[0]).toEqual(textRequests["one text"]);
  });
});

describe("classifier default replies", () => {
  it("every reply validates against its response schema", async () => {
    replies.length = 0;
    await runEveryRequest();

    expect(new Set(replies.map((reply) => reply.path)).size).toBe(4);
    for (const reply of replies) {
      expect(reply.status, reply.path).toBe(200);
      const validate = responseSchemaValidator("POST", reply.path);
      expect(validate(JSON.parse(reply.text)).errors, reply.path).toEqual([]);
    }
  });
});
