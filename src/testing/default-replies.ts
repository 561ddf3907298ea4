import { timingSafeEqual } from "node:crypto";
import { chatCompletionPlan } from "./chat-completion.js";
import { errorPlan } from "./error-envelope.js";
import type { IncomingCall } from "./incoming-request.js";
import type { ModelCatalog } from "./model-catalog.js";
import type { ResponsePlan } from "./reply-plan.js";
import { defaultRoutes, findRoute } from "./routes/registry.js";
import type { Route, ServerState } from "./routes/route.js";

/** Server settings the default handlers depend on. */
export interface DefaultReplyContext {
  /** Expected bearer token; undefined disables the key check. */
  apiKey: string | undefined;
  models: ModelCatalog;
  now: () => number;
  /** State of the stateful areas (files, batch jobs, conversations...). */
  state: ServerState;
  /** Routes passed to `start({ routes })`, tried before the built-in ones. */
  extraRoutes: readonly Route[];
}

const MODEL_PATH = /^\/v1\/models\/([^/]+)$/;

/**
 * Builds the response of a request no scripted reply served: the key check for `/v1` paths, then
 * chat completions, the model list, one model card, or a 404 / 405 error envelope.
 */
export function defaultReply(
  call: IncomingCall,
  context: DefaultReplyContext,
): ResponsePlan | Promise<ResponsePlan> {
  const isApiPath = call.path === "/v1" || call.path.startsWith("/v1/");
  if (isApiPath && context.apiKey !== undefined && !hasKey(call, context.apiKey)) {
    return errorPlan(401, "Unauthorized", "authentication_error");
  }

  if (call.path === "/v1/chat/completions") {
    return call.method === "POST" ? chatCompletionPlan(call, context.now()) : notAllowed(call);
  }

  if (call.path === "/v1/models") {
    return call.method === "GET" ? context.models.listPlan() : notAllowed(call);
  }

  const modelMatch = MODEL_PATH.exec(call.path);
  if (modelMatch !== null) {
    return call.method === "GET"
      ? context.models.cardPlan(decodeSegment(modelMatch[1]!))
      : notAllowed(call);
  }

  const found = findRoute([...context.extraRoutes, ...defaultRoutes], call.method, call.path);
  if (found !== undefined && "route" in found) {
    return found.route.handle(call, found.parameters, context.state);
  }

  if (found !== undefined) {
    return notAllowed(call);
  }

  const message = `No route for ${call.method} ${call.path}: enqueue a scripted reply to serve it`;
  return errorPlan(404, message, "invalid_request_error");
}

/** Compares the authorization header with the expected one in constant time. */
export function authorizationEquals(actual: string | undefined, expected: string): boolean {
  if (actual === undefined) {
    return false;
  }

  const actualBytes = Buffer.from(actual);
  const expectedBytes = Buffer.from(expected);
  return (
    actualBytes.byteLength === expectedBytes.byteLength &&
    timingSafeEqual(actualBytes, expectedBytes)
  );
}

function hasKey(call: IncomingCall, apiKey: string): boolean {
  return authorizationEquals(call.headers.authorization, `Bearer ${apiKey}`);
}

function notAllowed(call: IncomingCall): ResponsePlan {
  const message = `Method ${call.method} is not allowed on ${call.path}`;
  return errorPlan(405, message, "invalid_request_error");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
