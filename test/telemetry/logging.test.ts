import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/core/errors/client-errors.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { createTelemetry } from "../../src/telemetry/create-telemetry.js";
import { parseLogVariable } from "../../src/telemetry/log-level.js";
import { LogObserver, type LogObserverOptions } from "../../src/telemetry/log-observer.js";
import {
  abortError,
  apiError,
  callInfo,
  failedOutcome,
  MemoryLogger,
  okOutcome,
  playCall,
  timeoutError,
} from "./call-fixtures.js";

const canary = "sk-test-CANARY-7f3a9c1e";

function observer(options: Partial<LogObserverOptions> = {}) {
  const logger = new MemoryLogger();
  const log = new LogObserver({
    logger,
    level: "debug",
    logRequestBodies: false,
    keyFingerprint: () => "1a2b3c4d",
    ...options,
  });
  return { logger, log };
}

describe("MISTRAL_LOG", () => {
  it.each([
    ["debug", "debug"],
    ["INFO", "info"],
    [" warn ", "warn"],
    ["error", "error"],
    ["off", "off"],
    ["none", "off"],
    ["false", "off"],
    ["FALSE", "off"],
    ["0", "off"],
  ])("parses %j as %s", (raw, level) => {
    expect(parseLogVariable(raw)).toBe(level);
  });

  it("treats unset and empty as unset", () => {
    expect(parseLogVariable(undefined)).toBeUndefined();
    expect(parseLogVariable("  ")).toBeUndefined();
  });

  it.each(["true", "1", "verbose", "yes", "debug,info"])(
    "rejects %j naming the variable",
    (raw) => {
      let thrown: unknown;
      try {
        parseLogVariable(raw);
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect(isMistralError(thrown, "configuration")).toBe(true);
      expect((thrown as Error).message).toMatch(/^MISTRAL_LOG=".*" is invalid: use one of debug/);
    },
  );

  it("keeps logging off for every off value", () => {
    for (const raw of ["false", "0", "off", "none"]) {
      const logger = new MemoryLogger();
      const telemetry = createTelemetry({ logger }, { env: { MISTRAL_LOG: raw } });
      playCall(telemetry.observers, callInfo(), failedOutcome(apiError(500)), {
        retries: [apiError(500)],
      });
      expect(logger.lines.filter((line) => !line.text.includes("telemetry.logger"))).toEqual([]);
    }
  });

  it("is off by default", () => {
    const logger = new MemoryLogger();
    const telemetry = createTelemetry({ logger }, { env: {} });
    playCall(telemetry.observers, callInfo(), failedOutcome(apiError(500)));
    expect(logger.lines).toEqual([]);
    expect(telemetry.observers.some((entry) => entry instanceof LogObserver)).toBe(false);
  });

  it("yields to the logLevel option", () => {
    const logger = new MemoryLogger();
    const telemetry = createTelemetry(
      { logger, logLevel: "info" },
      { env: { MISTRAL_LOG: "nonsense" } },
    );
    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(logger.at("info")).toHaveLength(1);
  });

  it("turns logging on from the environment", () => {
    const logger = new MemoryLogger();
    const telemetry = createTelemetry({ logger }, { env: { MISTRAL_LOG: "info" } });
    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(logger.at("info")).toHaveLength(1);
  });
});

describe("log lines", () => {
  it("write one info line per call", () => {
    const { logger, log } = observer({ level: "info" });
    const call = callInfo({ id: "0000abcd" });
    playCall([log], call, okOutcome({ attempts: 2, durationMs: 312.4 }));
    expect(logger.lines).toEqual([
      {
        level: "info",
        text:
          "mistral: POST /v1/chat/completions 200 in 312 ms " +
          "(call 0000abcd, request_id req-0001, 2 attempts)",
      },
    ]);
  });

  it("write failed calls at error", () => {
    const { logger, log } = observer({ level: "info" });
    playCall([log], callInfo({ id: "0000abce" }), failedOutcome(apiError(401, "Unauthorized")));
    playCall([log], callInfo({ id: "0000abcf" }), failedOutcome(timeoutError()));
    expect(logger.at("error")).toEqual([
      "mistral: POST /v1/chat/completions failed with 401 after 80 ms " +
        "(authentication, call 0000abce, request_id req-401, 1 attempt): Unauthorized",
      "mistral: POST /v1/chat/completions failed after 80 ms " +
        "(timeout, call 0000abcf, 1 attempt): Timed out waiting for response headers",
    ]);
  });

  it("write aborts at info", () => {
    const { logger, log } = observer({ level: "info" });
    playCall([log], callInfo(), failedOutcome(abortError()));
    expect(logger.at("error")).toEqual([]);
    expect(logger.at("info")[0]).toMatch(/failed after 80 ms \(abort,/);
  });

  it("warn about retries and waits", () => {
    const { logger, log } = observer({ level: "warn" });
    const call = callInfo({ id: "0000abd0" });
    playCall([log], call, okOutcome(), { retries: [apiError(503)], throttles: [120] });
    expect(logger.at("warn")).toEqual([
      "mistral: POST /v1/chat/completions waited 120 ms for the client-side limit " +
        "requests_per_second (call 0000abd0)",
      "mistral: retrying POST /v1/chat/completions after 503 on attempt 1 " +
        "(waiting 25 ms, call 0000abd0)",
    ]);
    expect(logger.at("info")).toEqual([]);
  });

  it("limit repeated warnings to one per 10 s", () => {
    let now = 0;
    const { logger, log } = observer({ level: "warn", now: () => now });
    const retry = () =>
      playCall([log], callInfo({ id: "0000abd1" }), okOutcome(), { retries: [apiError(503)] });
    for (let index = 0; index < 5; index++) {
      retry();
      now += 1_000;
    }

    expect(logger.at("warn")).toHaveLength(1);
    now = 10_500;
    retry();
    expect(logger.at("warn")).toHaveLength(2);
    expect(logger.at("warn")[1]).toMatch(/\(4 similar warnings suppressed\)$/);

    playCall([log], callInfo(), okOutcome(), { retries: [apiError(429)] });
    expect(logger.at("warn")).toHaveLength(3);
  });

  it("mask credentials in debug headers", () => {
    const { logger, log } = observer();
    playCall([log], callInfo({ id: "0000abd2" }), okOutcome(), {
      headers: {
        Authorization: `Bearer ${canary}`,
        "x-api-key": canary,
        cookie: `session=${canary}`,
        "user-agent": "mistralai-ts/0.1.0",
      },
    });
    const text = logger.lines.map((line) => line.text).join("\n");
    expect(text).not.toContain(canary);
    expect(text).not.toContain("CANARY");
    expect(logger.at("debug")).toContain(
      "mistral: POST /v1/chat/completions request headers (call 0000abd2, attempt 1): " +
        '{"authorization":"Bearer ***","x-api-key":"***","cookie":"***",' +
        '"user-agent":"mistralai-ts/0.1.0"}',
    );
  });

  it("mask set-cookie in response headers", () => {
    const { logger, log } = observer();
    log.onResponseHeaders(callInfo(), {
      attempt: 1,
      status: 200,
      headers: new Headers({ "set-cookie": `token=${canary}`, "x-request-id": "req-9" }),
      requestId: "req-9",
      elapsedMs: 12,
      redact: (text) => text,
    });
    expect(logger.at("debug")[0]).toContain('"set-cookie":"***"');
    expect(logger.at("debug")[0]).not.toContain(canary);
  });

  it("remove the sent key from response header values", () => {
    const { logger, log } = observer();
    log.onResponseHeaders(callInfo(), {
      attempt: 1,
      status: 301,
      headers: new Headers({ location: `https://elsewhere.test/?key=${canary}` }),
      requestId: undefined,
      elapsedMs: 12,
      redact: (text) => text.replaceAll(canary, "[API key removed]"),
    });
    expect(logger.at("debug")[0]).toContain("?key=[API key removed]");
    expect(logger.at("debug")[0]).not.toContain(canary);
  });

  it("write request bodies only with logRequestBodies", () => {
    const body = {
      model: "m",
      messages: [{ role: "user", content: "secret plan" }],
      api_key: canary,
    };
    const quiet = observer();
    playCall([quiet.log], callInfo({ requestBody: body }), okOutcome());
    expect(quiet.logger.lines.map((line) => line.text).join("\n")).not.toContain("secret plan");

    const verbose = observer({ logRequestBodies: true });
    playCall([verbose.log], callInfo({ requestBody: body }), okOutcome());
    const text = verbose.logger.lines.map((line) => line.text).join("\n");
    expect(text).toContain("secret plan");
    expect(text).toContain('"api_key":"***"');
    expect(text).not.toContain(canary);
  });

  it("keep the logger as the receiver of its methods", () => {
    class ReceiverLogger {
      readonly written: string[] = [];
      info(message: string) {
        this.written.push(message);
      }
      error(message: string) {
        this.written.push(message);
      }
      warn(message: string) {
        this.written.push(message);
      }
      debug(message: string) {
        this.written.push(message);
      }
    }

    const logger = new ReceiverLogger();
    const telemetry = createTelemetry({ logger, logLevel: "info" }, { env: {} });
    playCall(telemetry.observers, callInfo(), okOutcome());
    expect(logger.written).toHaveLength(1);
  });

  it("ignore a throwing logger", () => {
    const broken = {
      error() {
        throw new Error("disk full");
      },
      warn() {
        throw new Error("disk full");
      },
      info() {
        throw new Error("disk full");
      },
      debug() {
        throw new Error("disk full");
      },
    };
    const telemetry = createTelemetry({ logger: broken, logLevel: "debug" }, { env: {} });
    expect(() =>
      playCall(telemetry.observers, callInfo(), failedOutcome(apiError(500)), {
        retries: [apiError(500)],
      }),
    ).not.toThrow();
  });

  it("reject a logger without the four methods", () => {
    expect(() => createTelemetry({ logger: { info() {} } as never }, { env: {} })).toThrow(
      /telemetry.logger must have error, warn, info and debug methods; missing error, warn, debug/,
    );
  });
});
