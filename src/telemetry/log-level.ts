import { ConfigurationError } from "../core/errors/client-errors.js";

/** Verbosity of the client's log lines; each level includes the ones before it. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Numeric rank of each level: a line is written when its rank is at most the configured one. */
export const logLevelRank: Readonly<Record<LogLevel, number>> = {
  off: 0,
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
};

/** Values of `MISTRAL_LOG` that turn logging off. None of them can turn it on. */
const offValues = new Set(["off", "none", "false", "0"]);

const levels = new Set<string>(["error", "warn", "info", "debug"]);

/**
 * Parses `MISTRAL_LOG`, ignoring case and surrounding spaces. Unset or empty means `undefined`;
 * `off`, `none`, `false` and `0` mean off; anything else must be a level name.
 */
export function parseLogVariable(raw: string | undefined): LogLevel | undefined {
  if (raw === undefined || raw.trim() === "") {
    return undefined;
  }

  const text = raw.trim().toLowerCase();
  if (offValues.has(text)) {
    return "off";
  }

  if (levels.has(text)) {
    return text as LogLevel;
  }

  throw new ConfigurationError(
    `MISTRAL_LOG=${JSON.stringify(raw.slice(0, 50))} is invalid: ` +
      "use one of debug, info, warn, error, or off (also none, false, 0)",
  );
}

/** Checks the `logLevel` option. */
export function checkLogLevel(value: unknown): LogLevel {
  if (typeof value === "string" && (value === "off" || levels.has(value))) {
    return value as LogLevel;
  }

  throw new ConfigurationError(
    `telemetry.logLevel must be one of "off", "error", "warn", "info" or "debug"; got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 50)) : typeof value;
}
