import type { CommandName } from "./arguments.js";
import { exitCodeDescriptions } from "./exit-codes.js";

const keyHelp = `API key:
  Read from MISTRAL_API_KEY, or from the file given with --api-key-file PATH (its
  content is trimmed; the file wins over the variable). There is no --api-key flag:
  a key on the command line shows in the process list and in shell history.`;

const environmentHelp = `Environment:
  MISTRAL_API_KEY       API key
  MISTRAL_BASE_URL      API origin (default https://api.mistral.ai)
  MISTRAL_TIMEOUT       limit per attempt, in seconds (default 120)
  MISTRAL_MAX_RETRIES   retries after a failed attempt, 0 to 100 (default 2)
  An invalid value stops the command with the configuration exit status.`;

/** Formats the exit status table from `exitCodeDescriptions`, the table the code uses. */
export function formatExitCodes(): string {
  const lines = exitCodeDescriptions.map(
    ({ code, meaning }) => `  ${String(code).padStart(3)}  ${meaning}`,
  );
  return `Exit status:\n${lines.join("\n")}`;
}

/** Help of `mistral --help`. */
export function toolHelp(): string {
  return `mistral: command line for the Mistral AI API

Usage:
  mistral chat [options] PROMPT    stream an answer (PROMPT "-" reads stdin)
  mistral models [options]         list the models the key can use
  mistral demo [PROMPT]            try the client offline against a local server
  mistral help [COMMAND]           show help for a command

Options:
  -h, --help       show help
  -V, --version    print the version
  -v, --verbose    print stack traces of errors and a summary after each answer

Results go to stdout and diagnostics to stderr.

${keyHelp}

${environmentHelp}

${formatExitCodes()}
`;
}

const commandHelp: Record<CommandName, string> = {
  chat: `Usage: mistral chat [options] PROMPT
       mistral chat [options] -        (read the prompt from stdin)

Sends one user message and streams the answer text to stdout as it arrives.

Options:
  -m, --model ID           model id (default mistral-small-latest)
  -s, --system TEXT        system message sent before the prompt
  -t, --temperature T      sampling temperature, such as 0.7 (the API accepts 0 to 1.5)
      --max-tokens N       maximum number of tokens in the answer
      --json               print the whole completion as JSON instead of streaming text
      --schema FILE        ask for JSON matching the JSON Schema in FILE, and print the
                           answer as JSON once checked (FILE may also hold {"name",
                           "schema", "strict"}); with --json, print the whole completion
      --api-key-file PATH  read the API key from PATH
  -v, --verbose            print a summary (model, tokens, time, request id) on stderr
  -h, --help               show this help

Ctrl-C stops the stream and exits with status 130.

${keyHelp}
`,
  models: `Usage: mistral models [options]

Lists the models the key can use: id, type, context length in tokens, capabilities.

Options:
      --json               print the API's model list as JSON
      --api-key-file PATH  read the API key from PATH
  -v, --verbose            print stack traces of errors
  -h, --help               show this help

${keyHelp}
`,
  demo: `Usage: mistral demo [options] [PROMPT]

Starts a local Mistral-compatible test server with a generated key, streams one chat
completion from it through the client, and prints the answer on stdout and a summary
(model, tokens in and out, time, request id) on stderr. It needs no key and sends
nothing over the network; the test server answers with an echo of the prompt.

Options:
  -m, --model ID   model id sent to the test server (default mistral-small-latest)
  -v, --verbose    print stack traces of errors
  -h, --help       show this help
`,
};

/** Help of one command, or of the tool when `topic` is undefined. */
export function helpText(topic: CommandName | undefined): string {
  return topic === undefined ? toolHelp() : commandHelp[topic];
}
