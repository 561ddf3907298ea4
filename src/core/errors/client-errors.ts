import { MistralError } from "./mistral-error.js";

/** One problem found by a client-side check, with the path of the offending value. */
export interface InputProblem {
  /** Path such as `messages[2].content`. */
  path: string;
  message: string;
}

/** The request failed a client-side check; nothing was sent. `problems` lists every finding. */
export class ValidationError extends MistralError {
  override readonly kind = "validation";
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[], summary = "Invalid request") {
    super(formatProblems(summary, problems));
    this.problems = problems;
  }
}

/** The client options or environment are invalid. Raised before any request is sent. */
export class ConfigurationError extends MistralError {
  override readonly kind = "configuration";
}

/** Problems shown in the message; `problems` keeps them all, so a log line stays bounded. */
const maxListedProblems = 50;

function formatProblems(summary: string, problems: InputProblem[]): string {
  const shown = problems.slice(0, maxListedProblems);
  const lines = shown.map((problem) => `  - ${problem.path}: ${problem.message}`);
  if (problems.length > shown.length) {
    lines.push(`  - and ${problems.length - shown.length} more, listed in error.problems`);
  }

  return `${summary}: ${problems.length} problem(s)\n${lines.join("\n")}`;
}
