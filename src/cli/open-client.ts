import type { MistralClient } from "../index.js";
import { openCommandClient } from "./commands/command-client.js";
import type { CommandContext } from "./context.js";

/**
 * Creates a client for `chat` and `models`. With `--verbose` the library logs each call at
 * `info` to stderr, as the other commands do; otherwise `MISTRAL_LOG` sets the level, still on
 * stderr so results on stdout stay clean. The library is imported here, not at startup, so
 * `mistral --help` stays fast.
 */
export function openClient(
  keyFile: string | undefined,
  context: CommandContext,
): Promise<MistralClient> {
  return openCommandClient(keyFile, context, context.verbose ? 1 : 0);
}
