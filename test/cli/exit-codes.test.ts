import { describe, expect, it } from "vitest";
import { CliError, UsageError } from "../../src/cli/cli-error.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { exitCodeForError } from "../../src/cli/failure.js";
import { createApiError } from "../../src/core/errors/api-error.js";
import {
  AbortError,
  ConfigurationError,
  ConnectionError,
  isMistralError,
  ResponseTooLargeError,
  StreamError,
  TimeoutError,
  ValidationError,
} from "../../src/index.js";

describe("exitCodeForError", () => {
  it.each([
    [400, ExitCode.validation],
    [401, ExitCode.authentication],
    [403, ExitCode.authentication],
    [404, ExitCode.apiError],
    [409, ExitCode.apiError],
    [418, ExitCode.apiError],
    [422, ExitCode.validation],
    [429, ExitCode.rateLimit],
    [500, ExitCode.apiError],
    [503, ExitCode.apiError],
  ])("maps HTTP %i", (status, code) => {
    const error = createApiError({ status, message: `HTTP ${status}` });

    expect(exitCodeForError(error, isMistralError)).toBe(code);
  });

  it.each([
    ["configuration", new ConfigurationError("bad"), ExitCode.configuration],
    ["validation", new ValidationError([{ path: "model", message: "x" }]), ExitCode.validation],
    ["connection", new ConnectionError("refused"), ExitCode.connection],
    ["timeout", new TimeoutError("slow", { phase: "total", timeoutMs: 1 }), ExitCode.timeout],
    ["stream", new StreamError("cut"), ExitCode.stream],
    ["too large", new ResponseTooLargeError("big", { limitBytes: 1 }), ExitCode.stream],
    ["abort", new AbortError("stop"), ExitCode.interrupted],
  ])("maps a %s error", (_name, error, code) => {
    expect(exitCodeForError(error, isMistralError)).toBe(code);
  });

  it("keeps the status of command errors", () => {
    expect(exitCodeForError(new UsageError("x"), isMistralError)).toBe(ExitCode.usage);
    const error = new CliError("x", ExitCode.configuration);
    expect(exitCodeForError(error, isMistralError)).toBe(ExitCode.configuration);
  });

  it("maps foreign errors to unexpected", () => {
    expect(exitCodeForError(new TypeError("bug"), isMistralError)).toBe(ExitCode.unexpected);
    expect(exitCodeForError("text", isMistralError)).toBe(ExitCode.unexpected);
  });
});
