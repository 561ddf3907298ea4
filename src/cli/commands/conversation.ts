import type {
  ConversationEntry,
  ConversationRequest,
  ConversationResponse,
  ConversationStream,
  MistralClient,
} from "../../index.js";
import { defaultModel, type Verbosity } from "../arguments.js";
import { UsageError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openClientFor, printHelp, printJson } from "./command-client.js";
import { deferredCommandOptions, parseCommandOptions, takeSubcommand } from "./command-options.js";
import { readText } from "./text-input.js";

const subcommands = ["start", "append", "history"] as const;

const startOptions = {
  ...deferredCommandOptions,
  model: { type: "string", short: "m" },
  agent: { type: "string" },
  instructions: { type: "string" },
  json: { type: "boolean" },
} as const;
const jsonOptions = { ...deferredCommandOptions, json: { type: "boolean" } } as const;

/**
 * Largest message read from stdin, in bytes. The library rejects requests of more than 4,000,000
 * characters by default, so a larger input is almost certainly the wrong one.
 */
const maxMessageBytes = 4_000_000;

/** Source of the user message: the command line, or stdin for `-`. */
type MessageSource = { kind: "text"; text: string } | { kind: "stdin" };

/**
 * `mistral conversation SUBCOMMAND`: starts a conversation kept by the server, adds messages to
 * it and prints its history. Replies stream to stdout and the conversation id goes to stderr,
 * so `start` and `append` chain from the shell.
 */
export async function runConversation(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const { name, rest } = takeSubcommand("conversation", subcommands, argv);
  if (name === "help") return printHelp("conversation", context);
  if (name === "start") return startConversation(rest, context, verbosity);
  if (name === "append") return appendMessage(rest, context, verbosity);
  return printHistory(rest, context, verbosity);
}

async function startConversation(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("conversation", argv, startOptions, verbosity);
  if (parsed.help) return printHelp("conversation", context);
  const { values } = parsed;
  if (values.model !== undefined && values.agent !== undefined) {
    throw new UsageError("Pass --model or --agent, not both", "conversation");
  }

  const source = messageSource(parsed.positionals);
  const client = await openClientFor("conversation", parsed, context);
  const request: ConversationRequest = { inputs: await readMessage(source, context) };
  if (values.agent !== undefined) request.agent_id = values.agent;
  else request.model = values.model ?? defaultModel;
  if (values.instructions !== undefined) request.instructions = values.instructions;
  const options = { signal: context.signal };
  if (values.json === true) {
    await printJson(await client.conversations.start(request, options), context);
    return ExitCode.success;
  }

  const stream = await client.conversations.startStream(request, options);
  await printReply(stream, context);
  return ExitCode.success;
}

async function appendMessage(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("conversation", argv, jsonOptions, verbosity);
  if (parsed.help) return printHelp("conversation", context);
  const [id, ...words] = parsed.positionals;
  if (id === undefined) {
    throw new UsageError("Missing conversation id: conversation append ID TEXT", "conversation");
  }

  const source = messageSource(words);
  const client = await openClientFor("conversation", parsed, context);
  const request = { inputs: await readMessage(source, context) };
  const options = { signal: context.signal };
  if (parsed.values.json === true) {
    await printJson(await client.conversations.append(id, request, options), context);
    return ExitCode.success;
  }

  await printReply(await client.conversations.appendStream(id, request, options), context);
  return ExitCode.success;
}

async function printHistory(
  argv: string[],
  context: CommandContext,
  verbosity: Verbosity,
): Promise<ExitCode> {
  const parsed = parseCommandOptions("conversation", argv, jsonOptions, verbosity);
  if (parsed.help) return printHelp("conversation", context);
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      `conversation history takes one conversation id, got ${parsed.positionals.length} arguments`,
      "conversation",
    );
  }

  const client: MistralClient = await openClientFor("conversation", parsed, context);
  const history = await client.conversations.history(parsed.positionals[0]!, {
    signal: context.signal,
  });
  if (parsed.values.json === true) {
    await printJson(history, context);
    return ExitCode.success;
  }

  for (const entry of history.entries ?? []) await context.output.line(formatEntry(entry));
  return ExitCode.success;
}

/** Streams the reply text to stdout, then prints the conversation id on stderr. */
async function printReply(stream: ConversationStream, context: CommandContext): Promise<void> {
  for await (const text of stream.textDeltas()) await context.output.text(text);
  await context.output.endLine();
  const response: ConversationResponse = await stream.finalResponse();
  const id = response.conversation_id;
  context.output.diagnostic(
    `Conversation ${id}: continue it with \`mistral conversation append ${id} TEXT\``,
  );
}

/** Formats an entry as `role: text` for messages, and `[type name]` for other entries. */
export function formatEntry(entry: ConversationEntry): string {
  const record = entry as Record<string, unknown>;
  const type = typeof record.type === "string" ? record.type : "message.input";
  if (type === "message.input" || type === "message.output") {
    const role = typeof record.role === "string" ? record.role : defaultRole(type);
    return `${role}: ${contentText(record.content)}`;
  }

  const name = typeof record.name === "string" ? ` ${record.name}` : "";
  return `[${type}${name}]`;
}

function defaultRole(type: string): string {
  return type === "message.output" ? "assistant" : "user";
}

/** Returns the text of message content: a string, or the text chunks of a chunk list. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((chunk: unknown) => {
      const { type, text } = (chunk ?? {}) as { type?: unknown; text?: unknown };
      return type === "text" && typeof text === "string" ? text : "";
    })
    .join("");
}

function messageSource(words: string[]): MessageSource {
  if (words.length === 0) {
    throw new UsageError("Missing message: pass it as text, or `-` to read stdin", "conversation");
  }

  if (words.includes("-")) {
    if (words.length > 1) {
      throw new UsageError(
        "`-` reads the whole message from stdin: pass no other text",
        "conversation",
      );
    }

    return { kind: "stdin" };
  }

  // Unquoted words are joined, as `mistral chat` does.
  return { kind: "text", text: words.join(" ") };
}

async function readMessage(source: MessageSource, context: CommandContext): Promise<string> {
  if (source.kind === "text") return source.text;
  const stdin = { path: "-", name: "the message", command: "conversation" } as const;
  // The line end that `echo` or an editor adds is not part of the message.
  const text = (await readText(stdin, context, maxMessageBytes)).trimEnd();
  if (text.trim() === "") throw new UsageError("The message on stdin is empty", "conversation");
  return text;
}
