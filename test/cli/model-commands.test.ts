import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { MockMistralServer } from "../../src/testing/index.js";
import { buildIfStale, runCli } from "./run-cli.js";

const apiKey = "cli-model-commands-key-0123456789";
let server: MockMistralServer;
let workDirectory: string;

/** Environment pointing the command at the test server with the right key. */
function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { MISTRAL_API_KEY: apiKey, MISTRAL_BASE_URL: server.url, ...extra };
}

/** Writes a file in the test's directory and returns its path. */
async function writeWorkFile(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(workDirectory, name);
  await writeFile(path, content);
  return path;
}

function errorReply(status: number, message: string) {
  const body = { object: "error", message, type: "invalid_request_error", param: null, code: null };
  return { status, body };
}

beforeAll(async () => {
  buildIfStale();
  server = await MockMistralServer.start({ apiKey });
  workDirectory = await mkdtemp(join(tmpdir(), "mistral-cli-models-"));
}, 120_000);

afterEach(() => {
  server.reset();
});

afterAll(async () => {
  await server?.close();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe("mistral embed", () => {
  it("prints one vector per text", async () => {
    const result = await runCli(["embed", "first text", "second text"], { env: serverEnv() });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(ExitCode.success);
    const vectors = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(8);
    expect(vectors[0]).not.toEqual(vectors[1]);
    expect(server.requests[0]?.body).toEqual({
      model: "mistral-embed",
      input: ["first text", "second text"],
    });
  });

  it("embeds stdin lines with dimension and dtype", async () => {
    const args = ["embed", "--dimension", "16", "--dtype", "int8", "-m", "codestral-embed", "-"];
    const result = await runCli(args, { env: serverEnv(), stdin: "alpha\n\nbeta\r\ngamma" });

    expect(result.code).toBe(ExitCode.success);
    const vectors = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(vectors).toHaveLength(3);
    expect(vectors[2]).toHaveLength(16);
    expect(vectors.flat().every((value: number) => Number.isInteger(value))).toBe(true);
    expect(server.requests[0]?.body).toEqual({
      model: "codestral-embed",
      input: ["alpha", "beta", "gamma"],
      output_dimension: 16,
      output_dtype: "int8",
    });
  });

  it("sends stdin in requests of 64 lines", async () => {
    const lines = Array.from({ length: 70 }, (_, index) => `line ${index + 1}`);
    const result = await runCli(["embed", "-"], { env: serverEnv(), stdin: lines.join("\n") });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(70);
    const inputs = server.requests.map((request) => (request.body as { input: string[] }).input);
    expect(inputs.map((input) => input.length)).toEqual([64, 6]);
    expect(inputs[1]?.[5]).toBe("line 70");
  });

  it("rejects a dimension of 0 before any request", async () => {
    const result = await runCli(["embed", "--dimension", "0", "text"], { env: serverEnv() });

    expect(result.stderr).toContain("--dimension");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });

  it("maps a 422 to the validation status", async () => {
    server.enqueue({ match: { path: "/v1/embeddings" }, ...errorReply(422, "Input too long") });
    const result = await runCli(["embed", "text"], { env: serverEnv() });

    expect(result.stderr).toContain("Input too long");
    expect(result.stdout).toBe("");
    expect(result.code).toBe(ExitCode.validation);
  });
});

describe("mistral fim", () => {
  it("streams the middle part", async () => {
    const args = ["fim", "--prompt", "def add(a, b):", "--suffix", "\nprint(add(1, 2))"];
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("# completes: def add(a, b):\n");
    expect(result.code).toBe(ExitCode.success);
    expect(server.requests[0]?.path).toBe("/v1/fim/completions");
    expect(server.requests[0]?.body).toEqual({
      model: "codestral-latest",
      prompt: "def add(a, b):",
      suffix: "\nprint(add(1, 2))",
      stream: true,
    });
  });

  it("reads the prompt file and prints JSON", async () => {
    const path = await writeWorkFile("prefix.py", "import math\ndef area(r):");
    const args = ["fim", "--prompt-file", path, "--max-tokens", "20", "--json"];
    const result = await runCli(args, { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    const completion = JSON.parse(result.stdout);
    expect(completion.choices[0].message.content).toBe("# completes: def area(r):");
    expect(server.requests[0]?.body).toEqual({
      model: "codestral-latest",
      prompt: "import math\ndef area(r):",
      max_tokens: 20,
    });
  });

  it("reads the prompt from stdin", async () => {
    const result = await runCli(["fim", "--prompt-file", "-"], {
      env: serverEnv(),
      stdin: "def main():",
    });

    expect(result.stdout).toBe("# completes: def main():\n");
    expect(result.code).toBe(ExitCode.success);
  });

  it.each([
    [["fim"]],
    [["fim", "--prompt", "a", "--prompt-file", "b"]],
    [["fim", "--prompt", "a", "extra"]],
    [["fim", "--prompt", "a", "--max-tokens", "many"]],
  ])("rejects usage error %j", async (args) => {
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toContain("mistral fim --help");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });

  it("names a missing prompt file", async () => {
    const path = join(workDirectory, "missing.py");
    const result = await runCli(["fim", "--prompt-file", path], { env: serverEnv() });

    expect(result.stderr).toContain(`--prompt-file ${path} (ENOENT)`);
    expect(result.code).toBe(ExitCode.usage);
  });
});

describe("mistral ocr", () => {
  it("sends a small PDF inline and prints each page", async () => {
    const path = await writeWorkFile("scan.pdf", "%PDF-1.4 test document");
    const result = await runCli(["ocr", path], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stdout).toBe(
      "# scan.pdf\n\nPage 1 of scan.pdf.\n\n![img-0.jpeg](img-0.jpeg)\n\n" +
        "# scan.pdf\n\nPage 2 of scan.pdf.\n\n![img-1.jpeg](img-1.jpeg)\n",
    );
    const body = server.requests[0]?.body as { model: string; document: Record<string, string> };
    expect(body.model).toBe("mistral-ocr-latest");
    expect(body.document.type).toBe("document_url");
    expect(body.document.document_name).toBe("scan.pdf");
    const encoded = Buffer.from("%PDF-1.4 test document").toString("base64");
    expect(body.document.document_url).toBe(`data:application/pdf;base64,${encoded}`);
  });

  it("uploads with --upload and deletes the upload", async () => {
    const path = await writeWorkFile("photo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    const result = await runCli(["ocr", "--upload", "--json", path], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    const calls = server.requests.map((request) => `${request.method} ${request.path}`);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toBe("POST /v1/files");
    expect(calls[1]).toBe("POST /v1/ocr");
    expect(calls[2]).toMatch(/^DELETE \/v1\/files\/\S+$/);
    const fileId = calls[2]!.split("/").at(-1);
    expect(server.requests[1]?.body).toMatchObject({ document: { type: "file", file_id: fileId } });
    expect(JSON.parse(result.stdout).pages[0].markdown).toContain(`file ${fileId}`);
  });

  it("sends a URL with the pages", async () => {
    const url = "https://documents.example/report.pdf";
    const result = await runCli(["ocr", "--pages", "0-2", url], { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    expect(result.stdout).toContain("Page 3 of report.pdf.");
    expect(server.requests[0]?.body).toEqual({
      model: "mistral-ocr-latest",
      document: { type: "document_url", document_url: url },
      pages: "0-2",
    });
  });

  it("rejects a missing file before any request", async () => {
    const path = join(workDirectory, "no-such.pdf");
    const result = await runCli(["ocr", path], { env: serverEnv() });

    expect(result.stderr).toContain(`Cannot read ${path} (ENOENT)`);
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });

  it("maps a 400 to the validation status", async () => {
    const result = await runCli(["ocr", "https://documents.example/letter.docx"], {
      env: serverEnv(),
    });

    expect(result.stderr).toContain("image_limit=0");
    expect(result.code).toBe(ExitCode.validation);
  });
});

describe("mistral transcribe", () => {
  const audio = new Uint8Array(100);

  it("prints the transcript", async () => {
    const path = await writeWorkFile("talk.wav", audio);
    const result = await runCli(["transcribe", path], { env: serverEnv() });

    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Transcript of talk.wav. The upload has 100 bytes.\n");
    expect(result.code).toBe(ExitCode.success);
    const form = server.requests[0]?.rawBody.toString("latin1") ?? "";
    expect(form).toContain('name="model"\r\n\r\nvoxtral-mini-latest');
  });

  it("streams the text with --stream", async () => {
    const path = await writeWorkFile("talk.wav", audio);
    const result = await runCli(["transcribe", "--stream", path], { env: serverEnv() });

    expect(result.stdout).toBe("Transcript of talk.wav. The upload has 100 bytes.\n");
    expect(result.code).toBe(ExitCode.success);
    const form = server.requests[0]?.rawBody.toString("latin1") ?? "";
    expect(form).toContain('name="stream"\r\n\r\ntrue');
  });

  it.each([[[]], [["--stream"]]])("prints segments with --timestamps %j", async (extra) => {
    const path = await writeWorkFile("talk.wav", audio);
    const args = ["transcribe", "--timestamps", "--language", "EN", ...extra, path];
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stdout).toBe(
      "[00:00.0 --> 00:02.0] Transcript of talk.wav.\n" +
        "[00:02.0 --> 00:04.0] The upload has 100 bytes.\n",
    );
    expect(result.code).toBe(ExitCode.success);
    const form = server.requests[0]?.rawBody.toString("latin1") ?? "";
    expect(form).toContain('name="language"\r\n\r\nen');
    expect(form).toContain('name="timestamp_granularities"\r\n\r\nsegment');
  });

  it("prints stream events as JSON lines", async () => {
    const result = await runCli(
      ["transcribe", "--stream", "--json", "https://audio.example/a.mp3"],
      {
        env: serverEnv(),
      },
    );

    expect(result.code).toBe(ExitCode.success);
    const events = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events[0].type).toBe("transcription.language");
    expect(events.at(-1).type).toBe("transcription.done");
    expect(events.at(-1).text).toBe("Transcript of a.mp3. Fetched by URL.");
  });

  it("rejects an invalid language code", async () => {
    const path = await writeWorkFile("talk.wav", audio);
    const result = await runCli(["transcribe", "--language", "english", path], {
      env: serverEnv(),
    });

    expect(result.stderr).toContain("--language must be a two-letter code");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });
});

describe("mistral conversation", () => {
  it("runs start, append and history", async () => {
    const started = await runCli(["conversation", "start", "Hello", "there"], { env: serverEnv() });

    expect(started.stdout).toBe("Echo: Hello there\n");
    expect(started.code).toBe(ExitCode.success);
    const id = /^Conversation (\S+):/m.exec(started.stderr)?.[1];
    expect(id).toBeDefined();

    const appended = await runCli(["conversation", "append", id!, "-"], {
      env: serverEnv(),
      stdin: "How are you?\n",
    });
    expect(appended.stdout).toBe("Echo: How are you?\n");
    expect(appended.stderr).toContain(`Conversation ${id}:`);
    expect(appended.code).toBe(ExitCode.success);

    const history = await runCli(["conversation", "history", id!], { env: serverEnv() });
    expect(history.stdout).toBe(
      "user: Hello there\nassistant: Echo: Hello there\n" +
        "user: How are you?\nassistant: Echo: How are you?\n",
    );
    expect(history.code).toBe(ExitCode.success);
    expect(server.requests[0]?.body).toEqual({
      inputs: "Hello there",
      model: "mistral-small-latest",
      stream: true,
    });
  });

  it("prints the response as JSON with --json", async () => {
    const args = ["conversation", "start", "--json", "--instructions", "Be brief.", "Hi"];
    const result = await runCli(args, { env: serverEnv() });

    expect(result.code).toBe(ExitCode.success);
    const response = JSON.parse(result.stdout);
    expect(response.conversation_id).toMatch(/\S/);
    expect(response.outputs[0].content).toBe("Echo: Hi");
    expect(server.requests[0]?.body).toEqual({
      inputs: "Hi",
      model: "mistral-small-latest",
      instructions: "Be brief.",
    });
    const history = await runCli(["conversation", "history", "--json", response.conversation_id], {
      env: serverEnv(),
    });
    expect(JSON.parse(history.stdout).entries).toHaveLength(2);
  });

  it("maps an unknown conversation to the API error status", async () => {
    const result = await runCli(["conversation", "append", "conv-missing", "Hi"], {
      env: serverEnv(),
    });

    expect(result.stderr).toMatch(/^mistral: /);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(ExitCode.apiError);
  });

  it.each([
    [["conversation"]],
    [["conversation", "resume", "x"]],
    [["conversation", "start"]],
    [["conversation", "start", "--model", "m", "--agent", "a", "Hi"]],
    [["conversation", "history"]],
  ])("rejects usage error %j", async (args) => {
    const result = await runCli(args, { env: serverEnv() });

    expect(result.stderr).toContain("mistral conversation --help");
    expect(result.code).toBe(ExitCode.usage);
    expect(server.requests).toHaveLength(0);
  });
});
