import type {
  ChatCompletionRequest,
  ChatMessage,
  MistralClient,
  ResponseFormat,
} from "../../index.js";
import type { ChatArguments } from "../arguments.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openClient } from "../open-client.js";
import { readSchemaFormat } from "../schema-file.js";
import { readPromptFromStdin } from "../stdin.js";
import { formatSummary, printStream } from "../stream-output.js";

/**
 * `mistral chat`: streams the completion text to stdout, or prints the whole completion as JSON with
 * `--json`, or with `--schema FILE` prints the answer parsed and checked against the schema. With
 * `--verbose` a summary line follows on stderr.
 */
export async function runChat(args: ChatArguments, context: CommandContext): Promise<ExitCode> {
  // The key is checked first, so a missing key fails before the command waits on stdin.
  const client = await openClient(args.apiKeyFile, context);
  // Read before the prompt, so a wrong path fails before the command waits on stdin.
  const responseFormat =
    args.schema === undefined ? undefined : await readSchemaFormat(args.schema);
  const prompt = args.prompt.kind === "stdin" ? await readStdin(context) : args.prompt.text;
  const request = buildChatRequest(args, prompt);
  const options = { signal: context.signal };

  if (responseFormat !== undefined) {
    return printParsed(client, { ...request, response_format: responseFormat }, args, context);
  }

  if (args.json) {
    const completion = await client.chat.create(request, options);
    await context.output.line(JSON.stringify(completion, null, 2));
    return ExitCode.success;
  }

  const started = performance.now();
  const stream = await client.chat.stream(request, options);
  const completion = await printStream(stream, context.output);
  if (context.verbose) {
    const elapsedMs = performance.now() - started;
    context.output.diagnostic(
      formatSummary({ completion, elapsedMs, requestId: stream.requestId }),
    );
  }

  return ExitCode.success;
}

/** Prints the parsed answer as JSON, or the whole completion with `--json`. */
async function printParsed(
  client: MistralClient,
  request: ChatCompletionRequest & { response_format: ResponseFormat },
  args: ChatArguments,
  context: CommandContext,
): Promise<ExitCode> {
  const started = performance.now();
  const completion = await client.chat.parse(request, { signal: context.signal });
  const shown = args.json ? completion : completion.choices[0]?.message.parsed;
  await context.output.line(JSON.stringify(shown, null, 2));
  if (context.verbose) {
    const elapsedMs = performance.now() - started;
    context.output.diagnostic(
      formatSummary({ completion, elapsedMs, requestId: completion.requestId }),
    );
  }

  return ExitCode.success;
}

async function readStdin(context: CommandContext): Promise<string> {
  if (context.stdin.isTTY) {
    context.output.diagnostic("Type the prompt, then press Ctrl-D on an empty line to send it.");
  }

  return readPromptFromStdin(context.stdin, context.signal);
}

/** Builds the request with only the fields the command line set. */
export function buildChatRequest(args: ChatArguments, prompt: string): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (args.system !== undefined) messages.push({ role: "system", content: args.system });
  messages.push({ role: "user", content: prompt });

  const request: ChatCompletionRequest = { model: args.model, messages };
  if (args.temperature !== undefined) request.temperature = args.temperature;
  if (args.maxTokens !== undefined) request.max_tokens = args.maxTokens;
  return request;
}
