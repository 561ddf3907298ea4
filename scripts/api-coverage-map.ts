/** operationId of the spec → dotted method on a MistralClient. */
export const coveredOperations: Record<string, string> = {
  list_models_v1_models_get: "models.list",
  retrieve_model_v1_models__model_id__get: "models.retrieve",
  delete_model_v1_models__model_id__delete: "models.delete",
  chat_completion_v1_chat_completions_post: "chat.create",
  fim_completion_v1_fim_completions_post: "fim.create",
  embeddings_v1_embeddings_post: "embeddings.create",
};

/** Groups of operations left out on purpose, matched by path. */
export const uncoveredGroups: Array<{ matches: (path: string) => boolean; reason: string }> = [
  {
    matches: (path) => path.startsWith("/v1/fine_tuning/jobs"),
    reason:
      "fine-tuning jobs answer 410 Gone on the live API and the official SDK dropped them",
  },
  {
    matches: (path) => path.startsWith("/v1/observability/"),
    reason: "platform administration (observability); use client.request()",
  },
  {
    matches: (path) => path.startsWith("/v1/workflows"),
    reason: "platform administration (workflows); use client.request()",
  },
  {
    matches: (path) => path.startsWith("/v1/connectors"),
    reason: "platform administration (connectors); use client.request()",
  },
];
