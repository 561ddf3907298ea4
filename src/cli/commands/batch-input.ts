import { CliError } from "../cli-error.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { readLines } from "./text-input.js";

/**
 * Maximum length of a line of a batch input file, in bytes. A line can carry a base64 image or
 * document, so the bound is generous. It only stops a file that is not JSONL from filling memory.
 */
const maxInputLineBytes = 64 * 1024 * 1024;

/** Maximum count of problems listed in the error, which gives the count of the others. */
const maxListedProblems = 10;

/**
 * Checks a JSONL file of batch requests before it is uploaded, reading one line at a time. Each
 * non-empty line must be a JSON object with a `body` object. A `custom_id`, when present, must be
 * a non-empty string used by no other line, because result lines are matched to requests by it.
 * Returns the count of requests.
 *
 * @throws CliError with the validation exit status, listing the first problems by line number.
 */
export async function checkBatchInput(
  path: string,
  context: Pick<CommandContext, "stdin" | "signal" | "output">,
): Promise<number> {
  const problems: string[] = [];
  const lineById = new Map<string, number>();
  let requests = 0;
  const source = { path, name: "--input", command: "batch" } as const;
  for await (const line of readLines(source, context, maxInputLineBytes)) {
    if (line.text.trim() === "") continue;
    requests++;
    const problem = checkLine(line.text, line.number, lineById);
    if (problem !== undefined) problems.push(`line ${line.number} ${problem}`);
  }

  if (requests === 0) {
    throw new CliError(
      `${path} contains no requests: write one JSON object per line`,
      ExitCode.validation,
    );
  }

  if (problems.length > 0) {
    const listed = problems.slice(0, maxListedProblems);
    const more = problems.length - listed.length;
    throw new CliError(
      `${path} is not a valid batch input: ${listed.join("; ")}` +
        `${more > 0 ? `; and ${more} more problems` : ""}. ` +
        'Each line must be {"custom_id": "...", "body": {...}}',
      ExitCode.validation,
    );
  }

  return requests;
}

/** Returns the problem of one line, or undefined when the line is a valid request. */
function checkLine(
  text: string,
  number: number,
  lineById: Map<string, number>,
): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not valid JSON";
  }

  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return "is not a JSON object";
  }

  const { custom_id: id, body } = value as Record<string, unknown>;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return 'has no "body" object';
  }

  if (id === undefined || id === null) return undefined;
  if (typeof id !== "string" || id === "")
    return 'has a "custom_id" that is not a non-empty string';
  const first = lineById.get(id);
  if (first !== undefined) return `repeats the custom_id ${JSON.stringify(id)} of line ${first}`;
  lineById.set(id, number);
  return undefined;
}
