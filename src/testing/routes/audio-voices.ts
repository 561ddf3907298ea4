import { errorPlan, type ValidationIssue, validationErrorPlan } from "../error-envelope.js";
import type { IncomingCall } from "../incoming-request.js";
import { jsonPlan, type ResponsePlan } from "../reply-plan.js";
import { areaState, type Route, type ServerState } from "./route.js";

type JsonObject = Record<string, unknown>;

interface VoiceRecord {
  voice: JsonObject;
  sample: Buffer;
}

/** Voices per page when the request sets no `limit`, as the API defaults. */
const defaultLimit = 10;

/** Fields `PATCH /v1/audio/voices/{voice_id}` may change. */
const updatableFields = ["name", "languages", "gender", "age", "tags"];

/**
 * Default replies of `/v1/audio/voices`: voices created on this server, listed in creation order
 * with `limit` and `offset`, and their samples served back as `audio/wav`.
 */
export const voiceRoutes: Route[] = [
  { method: "GET", path: "/v1/audio/voices", handle: (call, _, state) => listPlan(call, state) },
  {
    method: "POST",
    path: "/v1/audio/voices",
    handle: (call, _, state) => createPlan(call, state),
  },
  {
    method: "GET",
    path: "/v1/audio/voices/{voice_id}",
    handle: (_, parameters, state) => withVoice(state, parameters.voice_id!, (record) => record),
  },
  {
    method: "PATCH",
    path: "/v1/audio/voices/{voice_id}",
    handle: (call, parameters, state) =>
      withVoice(state, parameters.voice_id!, (record) => update(record, call)),
  },
  {
    method: "DELETE",
    path: "/v1/audio/voices/{voice_id}",
    handle: (_, parameters, state) =>
      withVoice(state, parameters.voice_id!, (record) => {
        voices(state).delete(parameters.voice_id!);
        return record;
      }),
  },
  {
    method: "GET",
    path: "/v1/audio/voices/{voice_id}/sample",
    handle: (_, parameters, state) => samplePlan(state, parameters.voice_id!),
  },
];

function voices(state: ServerState): Map<string, VoiceRecord> {
  return areaState(state, "audio.voices", () => new Map<string, VoiceRecord>());
}

function listPlan(call: IncomingCall, state: ServerState): ResponsePlan {
  const limit = Math.max(1, Number.parseInt(call.query.limit ?? "", 10) || defaultLimit);
  const offset = Math.max(0, Number.parseInt(call.query.offset ?? "", 10) || 0);
  const all = [...voices(state).values()].map((record) => record.voice);
  return jsonPlan(200, {
    items: all.slice(offset, offset + limit),
    total: all.length,
    page: Math.floor(offset / limit),
    page_size: limit,
    total_pages: Math.ceil(all.length / limit),
  });
}

function createPlan(call: IncomingCall, state: ServerState): ResponsePlan {
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  const issues: ValidationIssue[] = ["name", "sample_audio"]
    .filter((name) => typeof body[name] !== "string")
    .map((name) => ({ type: "missing", loc: ["body", name], msg: "Field required", input: null }));
  if (issues.length > 0) return validationErrorPlan(issues);
  const voice = {
    name: body.name,
    slug: body.slug ?? null,
    languages: body.languages ?? [],
    gender: body.gender ?? null,
    age: body.age ?? null,
    tags: body.tags ?? null,
    color: body.color ?? null,
    retention_notice: body.retention_notice ?? 30,
    id: state.newId(),
    created_at: new Date(state.now()).toISOString(),
    user_id: null,
  };
  const sample = Buffer.from(body.sample_audio as string, "base64");
  voices(state).set(voice.id, { voice, sample });
  return jsonPlan(200, voice);
}

function update(record: VoiceRecord, call: IncomingCall): VoiceRecord {
  const body = (typeof call.body === "object" && call.body !== null ? call.body : {}) as JsonObject;
  for (const name of updatableFields) {
    if (name in body) record.voice[name] = body[name];
  }

  return record;
}

function withVoice(
  state: ServerState,
  id: string,
  action: (record: VoiceRecord) => VoiceRecord,
): ResponsePlan {
  const record = voices(state).get(id);
  if (record === undefined) return notFound();
  return jsonPlan(200, action(record).voice);
}

function samplePlan(state: ServerState, id: string): ResponsePlan {
  const record = voices(state).get(id);
  if (record === undefined) return notFound();
  return {
    status: 200,
    headers: { "content-type": "audio/wav" },
    chunks: [record.sample],
    framing: "content-length",
  };
}

function notFound(): ResponsePlan {
  return errorPlan(404, "Voice not found", "invalid_request_error");
}
