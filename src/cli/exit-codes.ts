/**
 * Exit status of the `mistral` command, one per kind of failure, so scripts can branch on it.
 * The numbers are part of the command's interface: `mistral --help` lists them from this table.
 */
export const ExitCode = {
  success: 0,
  /** An error the command did not expect: a bug, or a failure outside the library. */
  unexpected: 1,
  usage: 2,
  configuration: 3,
  authentication: 4,
  validation: 5,
  rateLimit: 6,
  timeout: 7,
  connection: 8,
  apiError: 9,
  stream: 10,
  /** 128 + SIGINT (2), as shells report a process stopped by Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One line of the exit status table in `mistral --help`. */
export interface ExitCodeDescription {
  code: ExitCode;
  meaning: string;
}

export const exitCodeDescriptions: readonly ExitCodeDescription[] = [
  { code: ExitCode.success, meaning: "success" },
  { code: ExitCode.unexpected, meaning: "unexpected error (run again with --verbose)" },
  { code: ExitCode.usage, meaning: "invalid command line" },
  { code: ExitCode.configuration, meaning: "configuration: missing key, invalid variable" },
  { code: ExitCode.authentication, meaning: "authentication or permission (401, 403)" },
  { code: ExitCode.validation, meaning: "invalid request (client-side check, 400, 422)" },
  { code: ExitCode.rateLimit, meaning: "rate limit or quota (429)" },
  { code: ExitCode.timeout, meaning: "timeout" },
  { code: ExitCode.connection, meaning: "connection failure" },
  { code: ExitCode.apiError, meaning: "other API error (404, 409, 5xx, ...)" },
  { code: ExitCode.stream, meaning: "malformed, cut off or oversized response" },
  { code: ExitCode.interrupted, meaning: "interrupted (Ctrl-C)" },
];
