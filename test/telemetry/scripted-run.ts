import type { CallInfo, CallOutcome } from "../../src/core/call-observer.js";
import type { MistralError } from "../../src/core/errors/mistral-error.js";
import type { CallCounts } from "../../src/telemetry/metrics-snapshot.js";
import {
  abortError,
  apiError,
  callInfo,
  connectionError,
  failedOutcome,
  okOutcome,
  timeoutError,
} from "./call-fixtures.js";

/** One call of the scripted run, with what happens during it. */
export interface ScriptedCall {
  call: CallInfo;
  outcome: CallOutcome;
  retries?: MistralError[];
  throttles?: number[];
}

const small = "mistral-small-latest";

/**
 * Ten calls covering a success with retries and a wait, each error kind the metrics split, two
 * users and calls without a user or a model. The expected counters below follow from it.
 */
export function scriptedRun(): ScriptedCall[] {
  return [
    {
      call: callInfo({ user: "alice" }),
      outcome: okOutcome({ attempts: 2 }),
      retries: [apiError(503)],
      throttles: [15],
    },
    { call: callInfo({ user: "alice" }), outcome: failedOutcome(apiError(401)) },
    { call: callInfo({ user: "bob" }), outcome: failedOutcome(apiError(403)) },
    {
      call: callInfo({ model: "mistral-large-latest" }),
      outcome: okOutcome({
        usage: { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105 },
      }),
    },
    {
      call: callInfo({
        operation: "embeddings.create",
        path: "/v1/embeddings",
        model: "mistral-embed",
        user: "bob",
        requestBody: { model: "mistral-embed", input: ["one", "two"] },
      }),
      outcome: okOutcome({
        usage: { prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 },
        responseBody: { id: "emb-1", model: "mistral-embed", data: [] },
      }),
    },
    {
      call: callInfo({ operation: "chat.stream", stream: true, user: "alice" }),
      outcome: failedOutcome(timeoutError()),
      throttles: [10, 20],
    },
    {
      call: callInfo({ model: small }),
      outcome: failedOutcome(apiError(500), { attempts: 3 }),
      retries: [apiError(500), apiError(500)],
    },
    {
      call: callInfo({
        operation: "models.list",
        method: "GET",
        path: "/v1/models",
        model: undefined,
        requestBody: undefined,
      }),
      outcome: failedOutcome(connectionError()),
    },
    { call: callInfo({ user: "bob" }), outcome: failedOutcome(apiError(429)) },
    { call: callInfo(), outcome: failedOutcome(abortError()) },
  ];
}

/** Counters of the whole scripted run. */
export const expectedTotals: CallCounts = {
  calls: 10,
  successes: 3,
  errors: 7,
  errorsByStatusClass: { "3xx": 0, "4xx": 3, "5xx": 1, none: 3 },
  errorsByKind: {
    authentication: 1,
    permission_denied: 1,
    rate_limit: 1,
    server_error: 1,
    timeout: 1,
    connection: 1,
    abort: 1,
  },
  authFailures: 2,
  authFailuresByStatus: { 401: 1, 403: 1 },
  retries: 3,
  throttled: 3,
  throttleWaitMs: 45,
  inputTokens: 120,
  outputTokens: 35,
};

/** Counters of each user in the scripted run. */
export const expectedUsers: Record<string, CallCounts> = {
  alice: {
    calls: 3,
    successes: 1,
    errors: 2,
    errorsByStatusClass: { "3xx": 0, "4xx": 1, "5xx": 0, none: 1 },
    errorsByKind: { authentication: 1, timeout: 1 },
    authFailures: 1,
    authFailuresByStatus: { 401: 1, 403: 0 },
    retries: 1,
    throttled: 3,
    throttleWaitMs: 45,
    inputTokens: 12,
    outputTokens: 30,
  },
  bob: {
    calls: 3,
    successes: 1,
    errors: 2,
    errorsByStatusClass: { "3xx": 0, "4xx": 2, "5xx": 0, none: 0 },
    errorsByKind: { permission_denied: 1, rate_limit: 1 },
    authFailures: 1,
    authFailuresByStatus: { 401: 0, 403: 1 },
    retries: 0,
    throttled: 0,
    throttleWaitMs: 0,
    inputTokens: 8,
    outputTokens: 0,
  },
};
