import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { resolveTelemetryOptions } from "../../src/telemetry/telemetry-options.js";

describe("telemetry options", () => {
  it("applies the defaults", () => {
    const resolved = resolveTelemetryOptions();
    expect(resolved).toMatchObject({
      includeModelLabel: false,
      includeUserLabel: false,
      maxLabelValues: 50,
      maxTrackedUsers: 1000,
      eventBufferSize: 1000,
      includeContent: false,
      logLevel: "off",
      logRequestBodies: false,
      captureContent: false,
      warnings: [],
    });
  });

  it.each([
    [{ colour: true }, /Unknown telemetry option "colour": valid names are includeModelLabel/],
    [{ includeUserLabel: "yes" }, /telemetry.includeUserLabel must be true or false; got string/],
    [
      { maxLabelValues: 0 },
      /telemetry.maxLabelValues must be a whole number from 1 to 10000; got 0/,
    ],
    [{ eventBufferSize: 1.5 }, /telemetry.eventBufferSize must be a whole number/],
    [{ onEvent: "log" }, /telemetry.onEvent must be a function; got string/],
    [{ logLevel: "verbose" }, /telemetry.logLevel must be one of "off", "error"/],
    [{ openTelemetry: { tracer: {} } }, /telemetry.openTelemetry must be the @opentelemetry\/api/],
  ])("rejects %j", (options, message) => {
    expect(() => resolveTelemetryOptions(options as never)).toThrow(ConfigurationError);
    expect(() => resolveTelemetryOptions(options as never)).toThrow(message);
  });

  it("warns about settings that record content", () => {
    const resolved = resolveTelemetryOptions({
      includeContent: true,
      captureContent: true,
      logRequestBodies: true,
      logLevel: "info",
    });
    expect(resolved.warnings.map((warning) => warning.setting)).toEqual([
      "telemetry.includeContent",
      "telemetry.captureContent",
      "telemetry.logRequestBodies",
    ]);
    expect(resolved.warnings[2]!.message).toBe("has no effect unless the log level is debug");
  });

  it("warns about a logger while logging is off", () => {
    const resolved = resolveTelemetryOptions({ logger: console });
    expect(resolved.warnings).toEqual([
      {
        setting: "telemetry.logger",
        message: "logging is off: set telemetry.logLevel or MISTRAL_LOG to use the logger",
      },
    ]);
  });
});
