import { checkBrowserRuntime } from "../guard/browser-runtime.js";
import { createLimiter } from "../guard/create-limiter.js";
import { type ResolvedInputLimits, resolveInputLimits } from "../guard/input-limits.js";
import { checkInsecureTLS } from "../guard/insecure-tls.js";
import type { RateLimiter } from "../guard/rate-limiter.js";
import { RetryBudget } from "../guard/retry-budget.js";
import { resolveSecuritySettings, type SecuritySettings } from "../guard/security-settings.js";
import { ApiKeyProvider, type ApiKeySource } from "./api-key.js";
import { defaultBaseURL, normaliseBaseURL } from "./base-url.js";
import type { CallObserver } from "./call-observer.js";
import type {
  ClientOptions,
  EndpointOptions,
  FetchFunction,
  RequestOptions,
  RetryOptions,
} from "./client-options.js";
import { ConfigurationError } from "./errors/client-errors.js";
import { checkHeaders } from "./headers.js";

/** Client settings after defaults, environment and checks were applied. */
export interface ResolvedConfig {
  apiKey: ApiKeyProvider;
  baseURL: string;
  timeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  retry: Required<RetryOptions>;
  maxResponseBytes: number;
  maxStreamLineBytes: number;
  fetch: FetchFunction;
  defaultHeaders: Record<string, string>;
  /** Observers, limiter and retry budget the pipeline runs for every call. */
  pipeline: PipelineConfig;
  /** Size limits of inputs, checked before sending; `Infinity` where a check is off. */
  limits: ResolvedInputLimits;
  security: SecuritySettings;
}

export interface PipelineConfig {
  observers: CallObserver[];
  limiter: RateLimiter | undefined;
  retryBudget: RetryBudget | undefined;
  defaultCompletionTokens: number;
}

export const defaults = {
  timeoutMs: 600_000,
  headersTimeoutMs: 60_000,
  idleTimeoutMs: 30_000,
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
  maxStreamLineBytes: 1024 * 1024,
} as const;

const knownOptions = new Set<string>([
  "apiKey",
  "baseURL",
  "timeoutMs",
  "headersTimeoutMs",
  "idleTimeoutMs",
  "maxRetries",
  "retry",
  "maxResponseBytes",
  "maxStreamLineBytes",
  "fetch",
  "defaultHeaders",
  "endpoints",
  "apiKeyCacheMs",
  "rateLimits",
  "observers",
  "limits",
  "dangerouslyAllowBrowser",
  "dangerouslyAllowInsecureTLS",
  "dangerouslyAllowAuthorizationHeader",
  "telemetry",
]);

const knownRetryOptions = new Set<string>(["initialDelayMs", "maxDelayMs", "maxRetryAfterMs"]);

type Environment = Record<string, string | undefined>;

/**
 * Returns the configuration of a resource with its own endpoint: the client's settings with that
 * endpoint's base URL and, when given, its key.
 */
export function resolveEndpoint(
  config: ResolvedConfig,
  endpoint: EndpointOptions | undefined,
  name: string,
): ResolvedConfig {
  if (endpoint === undefined) {
    return config;
  }

  rejectUnknownOptions(endpoint, new Set(["baseURL", "apiKey"]), `endpoints.${name} option`);
  if (typeof endpoint.baseURL !== "string") {
    throw new ConfigurationError(`endpoints.${name}.baseURL must be a string URL`);
  }

  const baseURL = normaliseBaseURL(endpoint.baseURL, `The endpoints.${name}.baseURL option`);
  checkInsecureTLS(
    baseURL,
    readEnvironment(),
    config.security.allowInsecureTLS,
    `endpoints.${name}.baseURL`,
  );
  return {
    ...config,
    baseURL,
    apiKey:
      endpoint.apiKey === undefined
        ? config.apiKey
        : new ApiKeyProvider(endpoint.apiKey, `the endpoints.${name}.apiKey option`),
  };
}

/** Reads the process environment where there is one (Node, Bun, Deno with permission). */
export function readEnvironment(): Environment {
  try {
    const process = (globalThis as { process?: { env?: Environment } }).process;
    return process?.env ?? {};
  } catch {
    return {};
  }
}

/** Applies defaults and environment variables to the options, checking every value. */
export function resolveConfig(
  options: ClientOptions = {},
  env: Environment = readEnvironment(),
): ResolvedConfig {
  rejectUnknownOptions(options, knownOptions, "MistralClient option");
  rejectUnknownOptions(options.retry ?? {}, knownRetryOptions, "retry option");
  const security = resolveSecuritySettings(options);
  checkBrowserRuntime(security.allowBrowser);
  const baseURL = resolveBaseURL(options.baseURL, env);
  checkInsecureTLS(baseURL, env, security.allowInsecureTLS);
  const timeoutMs =
    options.timeoutMs !== undefined
      ? checkDuration(options.timeoutMs, "timeoutMs")
      : (readTimeoutVariable(env) ?? defaults.timeoutMs);

  return {
    apiKey: resolveApiKey(
      options.apiKey,
      env,
      optionalDuration(options.apiKeyCacheMs, "apiKeyCacheMs", 0, true),
    ),
    baseURL,
    timeoutMs,
    headersTimeoutMs: optionalDuration(
      options.headersTimeoutMs,
      "headersTimeoutMs",
      defaults.headersTimeoutMs,
    ),
    idleTimeoutMs: optionalDuration(options.idleTimeoutMs, "idleTimeoutMs", defaults.idleTimeoutMs),
    maxRetries:
      options.maxRetries !== undefined
        ? checkCount(options.maxRetries, "maxRetries")
        : (readRetriesVariable(env) ?? defaults.maxRetries),
    retry: resolveRetry(options.retry ?? {}),
    maxResponseBytes: optionalSize(
      options.maxResponseBytes,
      "maxResponseBytes",
      defaults.maxResponseBytes,
    ),
    maxStreamLineBytes: optionalSize(
      options.maxStreamLineBytes,
      "maxStreamLineBytes",
      defaults.maxStreamLineBytes,
    ),
    fetch: resolveFetch(options.fetch),
    defaultHeaders: checkHeaders(
      options.defaultHeaders ?? {},
      "defaultHeaders",
      security.allowAuthorizationHeader,
    ),
    limits: resolveInputLimits(options.limits),
    security,
    pipeline: resolvePipeline(options),
  };
}

function rejectUnknownOptions(options: object, known: Set<string>, label: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigurationError(`The ${label}s must be an object`);
  }

  const unknown = Object.keys(options).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => JSON.stringify(name)).join(", ");
    throw new ConfigurationError(
      `Unknown ${label}${unknown.length > 1 ? "s" : ""} ${list}: valid names are ${[...known].join(", ")}`,
    );
  }
}

function resolveApiKey(
  option: ApiKeySource | undefined,
  env: Environment,
  cacheMs: number,
): ApiKeyProvider {
  if (option !== undefined) {
    return new ApiKeyProvider(option, "the apiKey option", cacheMs);
  }

  const value = env.MISTRAL_API_KEY;
  if (value === undefined || value.trim() === "") {
    throw new ConfigurationError(
      "No API key: pass the apiKey option or set MISTRAL_API_KEY " +
        "(to try the library offline, run `npx mistral demo`)",
    );
  }

  return new ApiKeyProvider(value, "MISTRAL_API_KEY");
}

function resolveBaseURL(option: string | undefined, env: Environment): string {
  if (option !== undefined) {
    if (typeof option !== "string") {
      throw new ConfigurationError("The baseURL option must be a string URL");
    }

    return normaliseBaseURL(option, "The baseURL option");
  }

  const value = env.MISTRAL_BASE_URL;
  if (value === undefined || value === "") {
    return defaultBaseURL;
  }

  return normaliseBaseURL(value, `MISTRAL_BASE_URL (${JSON.stringify(redactURLText(value))})`);
}

/**
 * Shortens a URL for an error message and leaves out what may hold a secret: the query, the
 * fragment, and everything up to the last `@` (user name and password).
 */
function redactURLText(value: string): string {
  const withoutQuery = value.slice(0, 200).replace(/[?#][\s\S]*$/, "");
  const at = withoutQuery.lastIndexOf("@");
  return at === -1 ? withoutQuery : `***@${withoutQuery.slice(at + 1)}`;
}

function resolveFetch(option: FetchFunction | undefined): FetchFunction {
  if (option !== undefined) {
    if (typeof option !== "function") {
      throw new ConfigurationError("The fetch option must be a function compatible with fetch");
    }

    return option;
  }

  if (typeof globalThis.fetch !== "function") {
    throw new ConfigurationError(
      "This runtime has no global fetch: pass a fetch function as the fetch option",
    );
  }

  return (input, init) => globalThis.fetch(input, init);
}

function resolveRetry(retry: RetryOptions): Required<RetryOptions> {
  return {
    initialDelayMs: optionalDuration(
      retry.initialDelayMs,
      "retry.initialDelayMs",
      defaults.initialDelayMs,
    ),
    maxDelayMs: optionalDuration(retry.maxDelayMs, "retry.maxDelayMs", defaults.maxDelayMs),
    maxRetryAfterMs: optionalDuration(
      retry.maxRetryAfterMs,
      "retry.maxRetryAfterMs",
      defaults.maxRetryAfterMs,
    ),
  };
}

/** MISTRAL_TIMEOUT is in seconds, as in the other Mistral clients; fractions are allowed. */
function readTimeoutVariable(env: Environment): number | undefined {
  const raw = env.MISTRAL_TIMEOUT;
  if (raw === undefined || raw === "") return undefined;
  const text = raw.trim();
  const seconds = Number(text);
  const ms = Math.round(seconds * 1000);
  // The same range as the timeoutMs option: at least 1 ms, and within what a Node timer holds.
  if (!/^\d+(\.\d+)?$/.test(text) || !(ms >= 1 && ms <= maxTimerMs)) {
    throw new ConfigurationError(
      `MISTRAL_TIMEOUT=${JSON.stringify(raw.slice(0, 50))} is invalid: ` +
        `use a number of seconds from 0.001 to ${maxTimerMs / 1000}, such as 30`,
    );
  }

  return ms;
}

function readRetriesVariable(env: Environment): number | undefined {
  const raw = env.MISTRAL_MAX_RETRIES;
  if (raw === undefined || raw === "") return undefined;
  const text = raw.trim();
  if (!/^\d{1,3}$/.test(text)) {
    throw new ConfigurationError(
      `MISTRAL_MAX_RETRIES=${JSON.stringify(raw.slice(0, 50))} is invalid: ` +
        "use a whole number from 0 to 100, such as 2",
    );
  }

  return checkCount(Number(text), "MISTRAL_MAX_RETRIES");
}

/** Checks a duration in milliseconds: finite, positive, and within what timers support. */
/** Maximum delay of a Node timer, in milliseconds. A longer delay fires at once. */
const maxTimerMs = 2 ** 31 - 1;

export function checkDuration(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > maxTimerMs) {
    throw new ConfigurationError(
      `${name} must be a positive number of milliseconds below 2147483648; got ${String(value)}`,
    );
  }

  return value;
}

function optionalDuration(
  value: unknown,
  name: string,
  fallback: number,
  allowZero = false,
): number {
  if (value === undefined) return fallback;
  if (allowZero && value === 0) return 0;
  return checkDuration(value, name);
}

function resolvePipeline(options: ClientOptions): PipelineConfig {
  const observers = options.observers ?? [];
  if (!Array.isArray(observers)) {
    throw new ConfigurationError("The observers option must be an array of CallObserver objects");
  }

  const limits = options.rateLimits;
  const budget = limits?.retryBudget;
  return {
    observers: [...observers],
    limiter: limits === undefined ? undefined : createLimiter(limits),
    retryBudget: budget === false ? undefined : new RetryBudget(budget?.ratio, budget?.max),
    defaultCompletionTokens: limits?.defaultCompletionTokens ?? 0,
  };
}

/**
 * Checks the time and retry limits of one call by the rules of the client options, so a value
 * such as `Infinity`, `NaN` or `-1` raises a ConfigurationError before anything is sent.
 */
export function checkRequestLimits(options: RequestOptions): void {
  for (const name of ["timeoutMs", "headersTimeoutMs", "idleTimeoutMs"] as const) {
    if (options[name] !== undefined) checkDuration(options[name], `The ${name} request option`);
  }

  if (options.maxRetries !== undefined) {
    checkCount(options.maxRetries, "The maxRetries request option");
  }
}

export function checkCount(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new ConfigurationError(
      `${name} must be a whole number from 0 to 100; got ${String(value)}`,
    );
  }

  return value;
}

function optionalSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1024) {
    throw new ConfigurationError(`${name} must be a whole number of bytes, at least 1024`);
  }

  return value;
}
