export { errorPlan, validationErrorPlan } from "./error-envelope.js";
export type { IncomingCall } from "./incoming-request.js";
export type { ResponsePlan } from "./reply-plan.js";
export { jsonPlan, ssePlan } from "./reply-plan.js";
export type { Route, RouteParameters, ServerState } from "./routes/route.js";
export { areaState, matchPath } from "./routes/route.js";
export { exampleForSchema } from "./schema-example.js";
export { MockMistralServer } from "./server.js";
export type {
  BodyFraming,
  MockServerOptions,
  RecordedRequest,
  ReplyMatch,
  ScriptedReply,
  ServerFault,
} from "./types.js";
