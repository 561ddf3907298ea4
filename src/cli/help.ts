import type { CommandName, DeferredCommandName } from "./arguments.js";
import { exitCodeDescriptions } from "./exit-codes.js";

const keyHelp = `API key:
  Read from MISTRAL_API_KEY, or from the file given with --api-key-file PATH (its
  content is trimmed; the file wins over the variable). There is no --api-key flag:
  a key on the command line shows in the process list and in shell history.`;

const environmentHelp = `Environment:
  MISTRAL_API_KEY       API key
  MISTRAL_BASE_URL      API origin (default https://api.mistral.ai)
  MISTRAL_TIMEOUT       limit per attempt, in seconds (default 600)
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
  mistral embed [options] TEXT...  print embedding vectors as JSON lines
  mistral fim [options]            complete code between a prompt and a suffix
  mistral files SUBCOMMAND         upload, list, info, download or delete files
  mistral batch SUBCOMMAND         create, status, wait, results or cancel batch jobs
  mistral ocr [options] FILE|URL   print the markdown of a document or image
  mistral transcribe FILE|URL      print the transcript of an audio file
  mistral conversation SUBCOMMAND  start, append to or show a conversation
  mistral demo [PROMPT]            try the client offline against a local server
  mistral help [COMMAND]           show help for a command

Options:
  -h, --help       show help
  -V, --version    print the version
  -v, --verbose    print stack traces of errors and a summary after each answer;
                   embed, fim, files, batch, ocr, transcribe and conversation also log
                   each API call on stderr (-vv or --verbose=debug adds debug lines,
                   with credentials masked)

Results go to stdout and diagnostics to stderr.

${keyHelp}

${environmentHelp}

${formatExitCodes()}
`;
}

const commonOptionsHelp = `      --api-key-file PATH  read the API key from PATH
  -v, --verbose            print stack traces and log each API call on stderr
                           (-vv or --verbose=debug adds debug lines)
  -h, --help               show this help`;

const deferredCommandHelp: Record<DeferredCommandName, string> = {
  embed: `Usage: mistral embed [options] TEXT...
       mistral embed [options] -        (embed each non-empty line of stdin)

Embeds each TEXT argument, or each non-empty line of stdin, and prints one vector per
line as a JSON array, in the order of the inputs. Stdin lines are sent in requests of
up to 64 lines, and each line may have up to 1 MiB.

Options:
  -m, --model ID           embedding model (default mistral-embed)
      --dimension N        length of each vector, for models that support it
      --dtype TYPE         number type of the vectors: float, int8, uint8, binary or
                           ubinary (binary types pack 8 dimensions into each number)
${commonOptionsHelp}

${keyHelp}
`,
  fim: `Usage: mistral fim [options] --prompt TEXT [--suffix TEXT]
       mistral fim [options] --prompt-file FILE [--suffix-file FILE]

Asks a code model for the code that goes between the prompt (the code before the
cursor) and the suffix (the code after it), and streams that code to stdout.

Options:
  -p, --prompt TEXT        code before the cursor
      --prompt-file FILE   read the code before the cursor from FILE ("-" reads stdin)
  -s, --suffix TEXT        code after the cursor (default: none)
      --suffix-file FILE   read the code after the cursor from FILE
  -m, --model ID           model id (default codestral-latest)
      --max-tokens N       maximum number of tokens in the answer
      --json               print the whole completion as JSON instead of streaming it
${commonOptionsHelp}

${keyHelp}
`,
  files: `Usage: mistral files upload [options] PATH
       mistral files list [options]
       mistral files info [options] ID
       mistral files download [options] ID [-o FILE]
       mistral files delete [options] ID

  upload     uploads PATH and prints the new file id, with progress on stderr
  list       lists the stored files: id, purpose, size in bytes, creation time (UTC), name
  info       prints the metadata of a file as JSON
  download   streams the content to stdout, or to FILE with -o
  delete     deletes a file and prints its id

Options:
      --purpose PURPOSE    upload: fine-tune (default), batch, ocr, or another purpose
                           the API accepts. list: list only files of this purpose
      --visibility V       upload: workspace or user (server default: workspace)
  -o, --output FILE        download: write to FILE, which is replaced only once the whole
                           content arrived ("-" writes to stdout)
      --json               upload: print the file's metadata as JSON. list: print each
                           file as one JSON line. delete: print the API's response
${commonOptionsHelp}

MISTRAL_TIMEOUT also limits the time to download a file: raise it for large files.

${keyHelp}
`,
  batch: `Usage: mistral batch create [options] --input FILE.jsonl
       mistral batch create [options] --file-id ID
       mistral batch status [options] ID
       mistral batch wait [options] ID
       mistral batch results [options] ID
       mistral batch cancel [options] ID

  create    checks FILE.jsonl (one {"custom_id": ..., "body": {...}} object per line),
            uploads it with purpose batch, creates a job that reads it, and prints the
            job id
  status    prints the job's status and request counts
  wait      polls the job until it ends, with progress on stderr, then prints its
            status. It exits with status 9 when the job ends other than SUCCESS
  results   prints each result line of a finished job as JSON: the output file's
            lines, then the error file's
  cancel    asks the server to stop the job, and prints its status

Options of create:
  -i, --input FILE         JSONL file of requests to check and upload
      --file-id ID         read an uploaded JSONL file instead (repeatable)
  -e, --endpoint PATH      API path every request goes to (default /v1/chat/completions)
  -m, --model ID           model of the requests
      --metadata KEY=VALUE label of the job (repeatable)
      --timeout-hours N    hours before the job stops with TIMEOUT_EXCEEDED (server
                           default 24)
Options of wait:
      --poll-interval S    seconds before the second poll (default 2). Each later delay
                           is 1.5 times longer, up to 30 seconds
      --timeout S          stop waiting after S seconds, with the timeout status (the job
                           keeps running)
Options of results:
      --errors             print only the lines of failed requests
Other options:
      --json               create, status, wait, cancel: print the job as JSON
${commonOptionsHelp}

Ctrl-C stops waiting with status 130, and the job keeps running on the server.

${keyHelp}
`,
  ocr: `Usage: mistral ocr [options] FILE|URL
       mistral ocr [options] --file-id ID

Reads a document (PDF, DOCX, PPTX) or an image and prints the markdown of each page,
pages separated by a blank line. A local file of up to 4 MiB travels inside the request
as a base64 data: URL. A larger file, or any file with --upload, is uploaded with
purpose ocr first and deleted once read.

Options:
  -m, --model ID           OCR model (default mistral-ocr-latest)
      --pages LIST         zero-based pages to read, such as 0-2,5 (default: all)
      --upload             upload the file even when it is small
      --file-id ID         read a file uploaded earlier with purpose ocr
      --json               print the whole response as JSON
${commonOptionsHelp}

${keyHelp}
`,
  transcribe: `Usage: mistral transcribe [options] FILE|URL

Transcribes an audio file (uploaded with the request) or the audio at an http(s) URL
(fetched by the server) and prints the text.

Options:
  -m, --model ID           transcription model (default voxtral-mini-latest)
  -l, --language CODE      two-letter language code of the audio, such as en
                           (default: detected)
      --timestamps         print one line per segment: [start --> end] text, in
                           minutes and seconds
      --stream             print the text as it is transcribed
      --json               print the whole transcription as JSON, or with --stream
                           each event as one JSON line
${commonOptionsHelp}

${keyHelp}
`,
  conversation: `Usage: mistral conversation start [options] TEXT...
       mistral conversation append [options] ID TEXT...
       mistral conversation history [options] ID

  start     starts a conversation kept by the server and streams the answer to stdout
  append    adds a user message to conversation ID and streams the answer
  history   prints each entry of conversation ID: "role: text" for messages, the entry
            type in brackets for tool calls and other entries

TEXT "-" reads the message from stdin. After start and append, the conversation id is
printed on stderr.

Options:
  -m, --model ID           start: model id (default mistral-small-latest)
      --agent ID           start: talk to this agent instead of a model
      --instructions TEXT  start: system instructions for the model
      --json               print the API response as JSON (it contains
                           conversation_id) instead of streaming the answer
${commonOptionsHelp}

${keyHelp}
`,
};

const commandHelp: Record<CommandName, string> = {
  ...deferredCommandHelp,
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
