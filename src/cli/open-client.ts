import type { MistralClient } from "../index.js";
import type { CommandContext } from "./context.js";
import { resolveApiKey } from "./credentials.js";

/**
 * Creates a client for a command that calls the API. The library reads `MISTRAL_BASE_URL`,
 * `MISTRAL_TIMEOUT` and `MISTRAL_MAX_RETRIES` itself, and rejects an invalid value with a
 * configuration error that names the variable. The library is imported here, not at startup, so
 * `mistral --help` stays fast.
 */
export async function openClient(
  keyFile: string | undefined,
  context: CommandContext,
): Promise<MistralClient> {
  const key = await resolveApiKey(keyFile, context.env, (message) => {
    context.output.diagnostic(message);
  });
  context.keyOrigin = key.origin;
  const { MistralClient } = await import("../index.js");
  return new MistralClient(key.apiKey === undefined ? {} : { apiKey: key.apiKey });
}
