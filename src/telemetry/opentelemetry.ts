import type { CallInfo, CallObserver, CallOutcome } from "../core/call-observer.js";
import type { MistralError } from "../core/errors/mistral-error.js";
import { version } from "../version.js";
import { errorStatus } from "./call-counters.js";
import {
  genAiOperationName,
  providerName,
  requestAttributes,
  responseAttributes,
  type ServerAddress,
} from "./gen-ai-attributes.js";
import { inputMessages, outputMessages } from "./gen-ai-messages.js";
import type {
  OpenTelemetryApi,
  OpenTelemetryAttributes,
  OpenTelemetryComponents,
  OpenTelemetryHistogram,
  OpenTelemetrySpan,
  OpenTelemetryTracer,
} from "./opentelemetry-types.js";

/**
 * OpenTelemetry bridge: one CLIENT span per API call, named `{gen_ai.operation.name} {model}`,
 * and the `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` histograms, all
 * following the GenAI semantic conventions. The library never imports `@opentelemetry/api`: the
 * caller passes the module or its own tracer and meter, and sets up any exporter.
 *
 * `error.type` is the library's stable error kind (`authentication`, `rate_limit`, `timeout`, ...;
 * see `MistralErrorCode`). Message content is recorded only with `captureContent`, as the
 * `gen_ai.input.messages` and `gen_ai.output.messages` span attributes, encoded as JSON strings.
 */

/** Instrumentation scope of the tracer and meter. */
const scopeName = "mistralai-ts";

/** `SpanKind.CLIENT` and `SpanStatusCode.ERROR` of `@opentelemetry/api` 1.x. */
const spanKindClient = 2;
const statusCodeError = 2;

/** Bucket bounds the conventions advise for the duration, in seconds. */
const durationBuckets = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Bucket bounds the conventions advise for token counts: powers of 4 from 1 to 4^13. */
const tokenBuckets = Array.from({ length: 14 }, (_, power) => 4 ** power);

export interface OpenTelemetryObserverOptions {
  /** Records message content on spans. Default: false. */
  captureContent: boolean;
  /** Server of a call, by path, for `server.address` and `server.port`. */
  serverFor: (path: string) => ServerAddress | undefined;
}

/** Observer that reports each call to OpenTelemetry. */
export class OpenTelemetryObserver implements CallObserver {
  readonly #tracer: OpenTelemetryTracer | undefined;
  readonly #duration: OpenTelemetryHistogram | undefined;
  readonly #tokens: OpenTelemetryHistogram | undefined;
  readonly #spanKind: number;
  readonly #errorCode: number;
  readonly #options: OpenTelemetryObserverOptions;
  readonly #spans = new WeakMap<CallInfo, OpenTelemetrySpan>();

  constructor(
    source: OpenTelemetryApi | OpenTelemetryComponents,
    options: OpenTelemetryObserverOptions,
  ) {
    const api = isApi(source) ? source : undefined;
    const components = api === undefined ? (source as OpenTelemetryComponents) : undefined;
    const tracer = api ? api.trace.getTracer(scopeName, version) : components?.tracer;
    const meter = api ? api.metrics.getMeter(scopeName, version) : components?.meter;
    this.#tracer = tracer;
    this.#spanKind = api?.SpanKind?.CLIENT ?? spanKindClient;
    this.#errorCode = api?.SpanStatusCode?.ERROR ?? statusCodeError;
    this.#options = options;
    this.#duration = meter?.createHistogram("gen_ai.client.operation.duration", {
      description: "Duration of GenAI operations",
      unit: "s",
      advice: { explicitBucketBoundaries: durationBuckets },
    });
    this.#tokens = meter?.createHistogram("gen_ai.client.token.usage", {
      description: "Tokens used by GenAI operations, by token type",
      unit: "{token}",
      advice: { explicitBucketBoundaries: tokenBuckets },
    });
  }

  onCallStart(call: CallInfo): void {
    if (this.#tracer === undefined) return;
    const operation = genAiOperationName(call);
    const attributes = {
      ...this.#commonAttributes(call, operation),
      ...requestAttributes(call.requestBody),
    };
    if (this.#options.captureContent) {
      const messages = inputMessages(call.requestBody);
      if (messages !== undefined) attributes["gen_ai.input.messages"] = JSON.stringify(messages);
    }

    const name = call.model === undefined ? operation : `${operation} ${call.model}`;
    const span = this.#tracer.startSpan(name, {
      kind: this.#spanKind,
      attributes,
      startTime: call.startedAt,
    });
    this.#spans.set(call, span);
  }

  onRetry(call: CallInfo, info: { attempt: number; delayMs: number; error: MistralError }): void {
    this.#spans.get(call)?.addEvent("mistral_ai.retry", {
      "mistral_ai.retry.attempt": info.attempt,
      "mistral_ai.retry.delay_ms": info.delayMs,
      "error.type": info.error.kind,
    });
  }

  onThrottled(call: CallInfo, info: { waitedMs: number; limit: string }): void {
    this.#spans.get(call)?.addEvent("mistral_ai.throttled", {
      "mistral_ai.throttle.wait_ms": info.waitedMs,
      "mistral_ai.throttle.limit": info.limit,
    });
  }

  onCallEnd(call: CallInfo, outcome: CallOutcome): void {
    const operation = genAiOperationName(call);
    const response = responseAttributes(outcome);
    this.#endSpan(call, outcome, response);

    const attributes = this.#commonAttributes(call, operation);
    const responseModel = response["gen_ai.response.model"];
    if (responseModel !== undefined) attributes["gen_ai.response.model"] = responseModel;
    if (outcome.error !== undefined) attributes["error.type"] = outcome.error.kind;
    this.#duration?.record(outcome.durationMs / 1000, attributes);

    const usage = outcome.usage;
    if (this.#tokens === undefined || usage === undefined) return;
    if (typeof usage.prompt_tokens === "number") {
      this.#tokens.record(usage.prompt_tokens, { ...attributes, "gen_ai.token.type": "input" });
    }

    if (typeof usage.completion_tokens === "number") {
      this.#tokens.record(usage.completion_tokens, {
        ...attributes,
        "gen_ai.token.type": "output",
      });
    }
  }

  #endSpan(call: CallInfo, outcome: CallOutcome, response: OpenTelemetryAttributes): void {
    const span = this.#spans.get(call);
    if (span === undefined) return;
    this.#spans.delete(call);
    span.setAttributes(response);
    if (this.#options.captureContent) {
      const messages = outputMessages(outcome);
      if (messages !== undefined)
        span.setAttribute("gen_ai.output.messages", JSON.stringify(messages));
    }

    const error = outcome.error;
    if (error !== undefined) {
      span.setAttribute("error.type", error.kind);
      const status = errorStatus(error);
      const detail = status === undefined ? error.kind : `${error.kind}, status ${status}`;
      span.setStatus({ code: this.#errorCode, message: `${error.name} (${detail})` });
    }

    span.end(call.startedAt + outcome.durationMs);
  }

  #commonAttributes(call: CallInfo, operation: string): OpenTelemetryAttributes {
    const attributes: OpenTelemetryAttributes = {
      "gen_ai.operation.name": operation,
      "gen_ai.provider.name": providerName,
    };
    if (call.model !== undefined) attributes["gen_ai.request.model"] = call.model;
    const server = this.#options.serverFor(call.path);
    if (server !== undefined) {
      attributes["server.address"] = server.address;
      attributes["server.port"] = server.port;
    }

    return attributes;
  }
}

function isApi(source: OpenTelemetryApi | OpenTelemetryComponents): source is OpenTelemetryApi {
  const candidate = source as Partial<OpenTelemetryApi>;
  return (
    typeof candidate.trace?.getTracer === "function" &&
    typeof candidate.metrics?.getMeter === "function"
  );
}
