import { randomBytes } from "node:crypto";
import type { DemoArguments } from "../arguments.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { formatSummary, printStream } from "../stream-output.js";

const demoPrompt = "Hello from the mistral demo. Which server answers this?";

/**
 * `mistral demo`: starts the local test server in this process with a generated key, streams one
 * chat completion through a real `MistralClient`, and prints its text and a summary. No request
 * leaves the machine, so it needs no key and no network.
 */
export async function runDemo(args: DemoArguments, context: CommandContext): Promise<ExitCode> {
  const [{ MistralClient }, { MockMistralServer }] = await Promise.all([
    import("../../index.js"),
    import("../../testing/index.js"),
  ]);
  // 24 random bytes: the server rejects any other key, as the real API would.
  const apiKey = randomBytes(24).toString("base64url");
  const server = await MockMistralServer.start({ apiKey, model: args.model, record: false });
  try {
    context.output.diagnostic(
      `Local test server at ${server.url} with a generated key; it echoes the prompt.`,
    );
    const client = new MistralClient({ apiKey, baseURL: server.url });
    const started = performance.now();
    const stream = await client.chat.stream(
      { model: args.model, messages: [{ role: "user", content: args.prompt ?? demoPrompt }] },
      { signal: context.signal },
    );
    const completion = await printStream(stream, context.output);
    const elapsedMs = performance.now() - started;
    context.output.diagnostic(
      formatSummary({ completion, elapsedMs, requestId: stream.requestId }),
    );
  } finally {
    await server.close();
  }

  return ExitCode.success;
}
