import { createHash } from "node:crypto";
import { errorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { areaState, type Route, type ServerState } from "./route.js";

type JsonObject = Record<string, unknown>;

/** Fixed `created` time of every fine-tuned model (2025-01-01), so replies are deterministic. */
const createdAt = 1_735_689_600;

/** Changes made to fine-tuned models on this server, by model id. */
interface ModelChanges {
  name?: string | null;
  archived?: boolean;
}

/**
 * Default replies of the fine-tuned model routes (`PATCH /v1/fine_tuning/models/{model_id}`,
 * `POST` and `DELETE .../archive`). Every id of the form `ft:<root>:...` names a fine-tuned
 * completion model of `<root>`; renames and archiving are kept per server. Other ids get a 404.
 */
export const modelRoutes: Route[] = [
  {
    method: "PATCH",
    path: "/v1/fine_tuning/models/{model_id}",
    handle: (call, parameters, state) => updatePlan(call, parameters.model_id!, state),
  },
  {
    method: "POST",
    path: "/v1/fine_tuning/models/{model_id}/archive",
    handle: (_, parameters, state) => archivePlan(parameters.model_id!, true, state),
  },
  {
    method: "DELETE",
    path: "/v1/fine_tuning/models/{model_id}/archive",
    handle: (_, parameters, state) => archivePlan(parameters.model_id!, false, state),
  },
];

function changesOf(state: ServerState): Map<string, ModelChanges> {
  return areaState(state, "models.fine-tuned", () => new Map<string, ModelChanges>());
}

function updatePlan(call: IncomingCall, id: string, state: ServerState): ResponsePlan {
  if (!isFineTunedId(id)) return notFound();
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  const changes = changesOf(state).get(id) ?? {};
  if ("name" in body) changes.name = typeof body.name === "string" ? body.name : null;
  changesOf(state).set(id, changes);
  return jsonPlan(200, fineTunedModel(id, changes));
}

function archivePlan(id: string, archived: boolean, state: ServerState): ResponsePlan {
  if (!isFineTunedId(id)) return notFound();
  const changes = changesOf(state).get(id) ?? {};
  changes.archived = archived;
  changesOf(state).set(id, changes);
  return jsonPlan(200, { id, object: "model", archived });
}

function isFineTunedId(id: string): boolean {
  return /^ft:[^:]+:/.test(id);
}

function fineTunedModel(id: string, changes: ModelChanges): JsonObject {
  // A job id in UUID form, derived from the model id so it is the same on every server.
  const hex = createHash("sha256").update(id).digest("hex");
  const job = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ];
  return {
    id,
    object: "model",
    created: createdAt,
    owned_by: "mistralai",
    workspace_id: "00000000-0000-4000-8000-000000000000",
    root: id.split(":")[1],
    root_version: "1",
    archived: changes.archived ?? false,
    name: changes.name ?? null,
    capabilities: { completion_chat: true, completion_fim: false, function_calling: true },
    max_context_length: 32_768,
    aliases: [],
    job: job.join("-"),
    model_type: "completion",
  };
}

function notFound(): ResponsePlan {
  return errorPlan(404, "Model not found", "invalid_request_error", "1500");
}
