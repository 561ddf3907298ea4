import { ConfigurationError } from "../core/errors/client-errors.js";

/** A burst of 401 and 403 responses. */
export interface AuthFailureBurstOptions {
  /** Failures within the window that raise the event. Default: 3. */
  count?: number;
  /** Window in milliseconds. Default: 60000. */
  windowMs?: number;
}

/**
 * A high share of failed calls. Calls aborted by the caller, and calls rejected before sending
 * (invalid input or a client-side limit), are left out.
 */
export interface ErrorRateOptions {
  /** Share of failed calls, from 0 to 1, above which the event is raised. Default: 0.5. */
  threshold?: number;
  /** Calls the window must hold before the share is judged. Default: 20. */
  minCalls?: number;
  /** Window in milliseconds. Default: 60000. */
  windowMs?: number;
}

/**
 * A successful call much slower than the recent calls of its operation and model. Streams are
 * judged on their time to first byte, other calls on their whole duration.
 */
export interface LatencyAnomalyOptions {
  /** Ratio to the moving median above which a call is slow. Default: 3. */
  factor?: number;
  /** Calls measured before any is judged. Default: 20. */
  minSamples?: number;
  /** Number of recent calls the median is taken over. Default: 100. */
  sampleSize?: number;
  /** Minimum excess over the median, in milliseconds, so jitter on fast calls is ignored. Default: 100. */
  minExcessMs?: number;
}

/** A sudden rise in the calls made for one end user, compared to that user's recent windows. */
export interface UserSpikeOptions {
  /** Ratio to the user's average calls per window above which the event is raised. Default: 5. */
  factor?: number;
  /** Calls in the current window needed before the event is raised. Default: 60. */
  minCalls?: number;
  /** Window in milliseconds. Default: 60000. */
  windowMs?: number;
  /** Windows of history the client needs before judging any user. Default: 5. */
  warmupWindows?: number;
}

/** Anomaly detectors; set one to `false` to turn it off. */
export interface AnomalyOptions {
  authFailures?: false | AuthFailureBurstOptions;
  errorRate?: false | ErrorRateOptions;
  latency?: false | LatencyAnomalyOptions;
  userSpike?: false | UserSpikeOptions;
}

export interface ResolvedAnomalyOptions {
  authFailures: Required<AuthFailureBurstOptions> | undefined;
  errorRate: Required<ErrorRateOptions> | undefined;
  latency: Required<LatencyAnomalyOptions> | undefined;
  userSpike: Required<UserSpikeOptions> | undefined;
}

const defaults = {
  authFailures: { count: 3, windowMs: 60_000 },
  errorRate: { threshold: 0.5, minCalls: 20, windowMs: 60_000 },
  latency: { factor: 3, minSamples: 20, sampleSize: 100, minExcessMs: 100 },
  userSpike: { factor: 5, minCalls: 60, windowMs: 60_000, warmupWindows: 5 },
} as const;

type DetectorName = keyof typeof defaults;

/** Applies the defaults and checks every value; `false` turns every detector off. */
export function resolveAnomalyOptions(
  options: false | AnomalyOptions | undefined,
): ResolvedAnomalyOptions | undefined {
  if (options === false) {
    return undefined;
  }

  const given = checkObject(options ?? {}, "telemetry.anomalies", Object.keys(defaults));
  const resolve = <N extends DetectorName>(name: N) => {
    const value = given[name];
    if (value === false) return undefined;
    const label = `telemetry.anomalies.${name}`;
    const fields = checkObject(value ?? {}, label, Object.keys(defaults[name]));
    const result: Record<string, number> = { ...defaults[name] };
    for (const [field, number] of Object.entries(fields)) {
      if (number !== undefined) result[field] = checkNumber(number, `${label}.${field}`, field);
    }

    return result as unknown as Required<AnomalyOptions[N] & object>;
  };

  return {
    authFailures: resolve("authFailures"),
    errorRate: resolve("errorRate"),
    latency: resolve("latency"),
    userSpike: resolve("userSpike"),
  };
}

function checkObject(value: unknown, label: string, known: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigurationError(`${label} must be an object or false`);
  }

  const unknown = Object.keys(value).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `Unknown ${label} option ${JSON.stringify(unknown[0])}: valid names are ${known.join(", ")}`,
    );
  }

  return value as Record<string, unknown>;
}

/**
 * Shares lie in (0, 1], factors are positive, `minExcessMs` is a whole number of at least 0, and
 * the other fields are whole numbers of at least 1.
 */
function checkNumber(value: unknown, label: string, field: string): number {
  const isNumber = typeof value === "number" && Number.isFinite(value);
  if (field === "threshold") {
    if (isNumber && value > 0 && value <= 1) return value;
    throw new ConfigurationError(
      `${label} must be a number above 0 and at most 1; got ${String(value)}`,
    );
  }

  if (field === "minExcessMs") {
    if (isNumber && value >= 0 && Number.isInteger(value)) return value;
    throw new ConfigurationError(
      `${label} must be a whole number of at least 0; got ${String(value)}`,
    );
  }

  const whole = field !== "factor";
  if (isNumber && value > 0 && (!whole || Number.isInteger(value))) return value;
  const expected = whole ? "a whole number of at least 1" : "a positive number";
  throw new ConfigurationError(`${label} must be ${expected}; got ${String(value)}`);
}
