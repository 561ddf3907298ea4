import { errorPlan } from "./error-envelope.js";
import { jsonPlan, type ResponsePlan } from "./reply-plan.js";

/** Fixed `created` time of every listed model (2025-01-01), so model cards are deterministic. */
const CATALOG_CREATED = 1_735_689_600;

type Capabilities = Record<string, boolean>;

/** The models of the default handlers, with their responses encoded once. */
export class ModelCatalog {
  readonly #list: ResponsePlan;
  readonly #cards = new Map<string, ResponsePlan>();

  /** Lists `defaultModel` first, then two more models unless one of them is the default. */
  constructor(defaultModel: string) {
    const cards = [
      modelCard(defaultModel, "Default chat model of the test server", {}),
      modelCard("mistral-large-latest", "Large chat model with vision", { vision: true }),
      modelCard("codestral-latest", "Code model with fill-in-the-middle", { completion_fim: true }),
    ].filter((card, index, all) => all.findIndex((other) => other.id === card.id) === index);

    this.#list = jsonPlan(200, { object: "list", data: cards });
    for (const card of cards) {
      this.#cards.set(card.id, jsonPlan(200, card));
    }
  }

  /** Builds the `GET /v1/models` response. */
  listPlan(): ResponsePlan {
    return this.#list;
  }

  /** Builds the `GET /v1/models/{id}` response, a 404 envelope for an unknown id. */
  cardPlan(id: string): ResponsePlan {
    return (
      this.#cards.get(id) ?? errorPlan(404, "Model not found", "invalid_request_error", "1500")
    );
  }
}

function modelCard(id: string, description: string, extra: Capabilities) {
  const capabilities: Capabilities = {
    completion_chat: true,
    function_calling: true,
    completion_fim: false,
    fine_tuning: false,
    vision: false,
    ocr: false,
    classification: false,
    moderation: false,
    audio: false,
    audio_transcription: false,
    ...extra,
  };

  return {
    id,
    object: "model",
    created: CATALOG_CREATED,
    owned_by: "mistralai",
    capabilities,
    name: id,
    description,
    max_context_length: 131_072,
    aliases: [] as string[],
    deprecation: null,
    deprecation_replacement_model: null,
    default_model_temperature: 0.3,
    type: "base",
  };
}
