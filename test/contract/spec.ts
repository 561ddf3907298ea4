import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import { parse } from "yaml";

// Loads Mistral's OpenAPI 3.1 description and compiles its JSON schemas (JSON Schema 2020-12) into
// validators for contract tests. The description is read from outside the repository and never
// shipped.

/** Result of one validation. Each error reads `<JSON pointer of the value> <message>`. */
export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export type Validator = (value: unknown) => ValidationResult;

export interface OpenApiMediaType {
  schema?: unknown;
  [key: string]: unknown;
}

export interface OpenApiOperation {
  operationId?: string;
  requestBody?: { content?: Record<string, OpenApiMediaType>; [key: string]: unknown };
  responses?: Record<
    string,
    { content?: Record<string, OpenApiMediaType>; [key: string]: unknown }
  >;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Environment variable that replaces the default location of the OpenAPI description. */
export const SPEC_PATH_VARIABLE = "MISTRAL_OPENAPI_SPEC";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Base URI under which the document is registered, so `#/components/...` refs resolve in it. */
const SPEC_ID = "mistral-openapi.json";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Returns the path of the OpenAPI description: `$MISTRAL_OPENAPI_SPEC`, else the shared copy. */
export function specPath(): string {
  const override = process.env[SPEC_PATH_VARIABLE];
  if (override) {
    return path.resolve(override);
  }

  return path.resolve(repoRoot, "../shared/spec/mistral-openapi.yaml");
}

const documents = new Map<string, OpenApiDocument>();

/** Reads and parses the OpenAPI description once per path. Throws when the file is missing. */
export function loadSpec(): OpenApiDocument {
  const file = specPath();
  const cached = documents.get(file);
  if (cached) {
    return cached;
  }

  if (!existsSync(file)) {
    const fix = process.env[SPEC_PATH_VARIABLE]
      ? `Point ${SPEC_PATH_VARIABLE} to an existing file.`
      : `Place Mistral's openapi.yaml there or set ${SPEC_PATH_VARIABLE} to its path.`;
    throw new Error(`OpenAPI description not found at ${file}. ${fix}`);
  }

  const document = parse(readFileSync(file, "utf8")) as OpenApiDocument;
  if (!document?.paths || !document.components?.schemas) {
    throw new Error(`Invalid OpenAPI description at ${file}: "paths" or "components" is missing.`);
  }

  documents.set(file, document);
  return document;
}

/**
 * Copies the document and corrects the spec's known errors in the copy. `ChatCompletionResponse`
 * lists `data` as required, but real chat completions have no `data` field, so it is dropped from
 * every `required` list of that schema.
 */
function correctKnownErrors(document: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(document);
  const chatResponse = copy.components.schemas["ChatCompletionResponse"] as SchemaNode | undefined;
  for (const part of [chatResponse, ...(chatResponse?.allOf ?? [])]) {
    if (Array.isArray(part?.required)) {
      part.required = part.required.filter((name) => name !== "data");
    }
  }

  return copy;
}

interface SchemaNode {
  allOf?: SchemaNode[];
  required?: string[];
  [key: string]: unknown;
}

interface Compiler {
  ajv: Ajv2020;
  validators: Map<string, Validator>;
}

const compilers = new Map<OpenApiDocument, Compiler>();

function compilerFor(document: OpenApiDocument): Compiler {
  let compiler = compilers.get(document);
  if (!compiler) {
    compiler = { ajv: createAjv(correctKnownErrors(document)), validators: new Map() };
    compilers.set(document, compiler);
  }

  return compiler;
}

function createAjv(document: OpenApiDocument): Ajv2020 {
  // strict: false ignores the OpenAPI keywords that are not JSON Schema (`discriminator`,
  // `example`, `x-speakeasy-*`), so validation follows `oneOf`/`anyOf` alone.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const addFormats = formatsModule.default;
  addFormats(ajv);
  // OpenAPI formats for file content, carried in JSON as strings. `base64` accepts the standard
  // and the URL-safe alphabet.
  ajv.addFormat("binary", true);
  ajv.addFormat("base64", /^[A-Za-z0-9+/_-]*={0,2}$/);
  ajv.addSchema(document as object, SPEC_ID);
  return ajv;
}

/** Compiles a schema once per document and cache key. */
function cachedValidator(key: string, buildSchema: () => object): Validator {
  const compiler = compilerFor(loadSpec());
  const cached = compiler.validators.get(key);
  if (cached) {
    return cached;
  }

  let validate: ValidateFunction;
  try {
    validate = compiler.ajv.compile(buildSchema());
  } catch (error) {
    throw new Error(`Failed to compile the schema of ${key}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const validator = (value: unknown): ValidationResult => {
    const valid = validate(value) as boolean;
    return { valid, errors: valid ? [] : (validate.errors ?? []).map(formatError) };
  };
  compiler.validators.set(key, validator);
  return validator;
}

function formatError(error: ErrorObject): string {
  const location = error.instancePath === "" ? "(root)" : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let detail = "";
  if (typeof params["additionalProperty"] === "string") {
    detail = `: "${params["additionalProperty"]}"`;
  } else if (Array.isArray(params["allowedValues"])) {
    detail = `: ${JSON.stringify(params["allowedValues"])}`;
  } else if ("allowedValue" in params) {
    detail = `: ${JSON.stringify(params["allowedValue"])}`;
  }

  return `${location} ${error.message ?? error.keyword}${detail}`;
}

/** Makes the document-relative refs of an inline operation schema point into the document. */
function anchorRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) {
    return schema.map(anchorRefs);
  }

  if (schema === null || typeof schema !== "object") {
    return schema;
  }

  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const isLocalRef = key === "$ref" && typeof value === "string" && value.startsWith("#");
    copy[key] = isLocalRef ? `${SPEC_ID}${value}` : anchorRefs(value);
  }

  return copy;
}

/** Returns a validator for the component schema `#/components/schemas/<componentName>`. */
export function schemaValidator(componentName: string): Validator {
  const schemas = loadSpec().components.schemas;
  if (!(componentName in schemas)) {
    throw new Error(
      `Schema "${componentName}" not found in #/components/schemas of ${specPath()}.`,
    );
  }

  return cachedValidator(`schema ${componentName}`, () => ({
    $ref: `${SPEC_ID}#/components/schemas/${componentName}`,
  }));
}

/** An operation of the description, with the `paths` key it is listed under. */
interface OperationMatch {
  pathKey: string;
  operation: OpenApiOperation;
}

/** Returns the part of a `paths` key after `#`, which the spec uses to list a path twice. */
function fragmentOf(pathKey: string): string | undefined {
  const index = pathKey.indexOf("#");
  return index === -1 ? undefined : pathKey.slice(index + 1);
}

/**
 * Scores how well a `paths` template (such as `/v1/models/{model_id}`) matches a concrete path:
 * -1 for no match, otherwise the number of literal segments, so `/v1/agents/pages` beats
 * `/v1/agents/{agent_id}`.
 */
function matchScore(template: string[], segments: string[]): number {
  if (template.length !== segments.length) {
    return -1;
  }

  let score = 0;
  for (const [index, part] of template.entries()) {
    const segment = segments[index];
    if (part.startsWith("{") && part.endsWith("}")) {
      if (!segment) {
        return -1;
      }
    } else if (part === segment) {
      score += 1;
    } else {
      return -1;
    }
  }

  return score;
}

/**
 * Finds the operations of `method` on `requestPath`. A concrete path (`/v1/models/abc`, with or
 * without a query string) matches the templates of the best score, which may be several when the
 * spec lists the path twice (`/v1/conversations` and `/v1/conversations#stream`). A path with a
 * `#` suffix selects that entry only.
 */
function findOperations(method: string, requestPath: string): OperationMatch[] {
  const document = loadSpec();
  const verb = method.toLowerCase();
  if (!HTTP_METHODS.includes(verb)) {
    throw new Error(`Invalid HTTP method "${method}". Use one of: ${HTTP_METHODS.join(", ")}.`);
  }

  if (requestPath.includes("#")) {
    const operation = document.paths[requestPath]?.[verb];
    if (!operation) {
      throw new Error(`No ${verb.toUpperCase()} operation at "${requestPath}" in ${specPath()}.`);
    }

    return [{ pathKey: requestPath, operation }];
  }

  const segments = new URL(requestPath, "http://localhost").pathname.split("/");
  let bestScore = -1;
  let matches: OperationMatch[] = [];
  for (const [pathKey, item] of Object.entries(document.paths)) {
    const operation = item[verb];
    const template = pathKey.split("#")[0]?.split("/") ?? [];
    const score = operation ? matchScore(template, segments) : -1;
    if (!operation || score < 0 || score < bestScore) {
      continue;
    }

    if (score > bestScore) {
      bestScore = score;
      matches = [];
    }

    matches.push({ pathKey, operation });
  }

  if (matches.length === 0) {
    throw new Error(
      `No ${verb.toUpperCase()} operation matches "${requestPath}" in ${specPath()}.`,
    );
  }

  return matches;
}

/** Prefers the entry of a path listed twice that fits the request: `#stream` or the plain one. */
function pickOperation(matches: OperationMatch[], streaming: boolean): OperationMatch {
  const fitting = matches.find((match) => (fragmentOf(match.pathKey) === "stream") === streaming);
  const plain = matches.find((match) => fragmentOf(match.pathKey) === undefined);
  return fitting ?? plain ?? (matches[0] as OperationMatch);
}

function normalizeMediaType(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

function findMediaType(
  content: Record<string, OpenApiMediaType> | undefined,
  contentType: string,
): OpenApiMediaType | undefined {
  const expected = normalizeMediaType(contentType);
  const key = Object.keys(content ?? {}).find((name) => normalizeMediaType(name) === expected);
  return key === undefined ? undefined : content?.[key];
}

/** Compiles the schema of one media type of an operation, with its refs resolved in the spec. */
function mediaTypeValidator(key: string, mediaType: OpenApiMediaType | undefined): Validator {
  const schema = mediaType?.schema;
  if (schema === undefined) {
    throw new Error(`${key} has no schema in ${specPath()}.`);
  }

  return cachedValidator(key, () => anchorRefs(schema) as object);
}

/**
 * Returns a validator for the JSON request body of `method` on `path`. When the spec lists the
 * path twice, a body with `stream: true` is checked against the `#stream` entry and any other body
 * against the plain one.
 */
export function requestSchemaValidator(method: string, path: string): Validator {
  const matches = findOperations(method, path);
  const validators = new Map<OperationMatch, Validator>();
  for (const match of matches) {
    const mediaType = findMediaType(match.operation.requestBody?.content, "application/json");
    if (mediaType) {
      const key = `${method.toUpperCase()} ${match.pathKey} request body`;
      validators.set(match, mediaTypeValidator(key, mediaType));
    }
  }

  if (validators.size === 0) {
    throw new Error(`${method.toUpperCase()} ${path} has no application/json request body.`);
  }

  const withBody = [...validators.keys()];
  return (body) => {
    const streaming = (body as { stream?: unknown } | null)?.stream === true;
    const validate = validators.get(pickOperation(withBody, streaming)) as Validator;
    return validate(body);
  };
}

type OpenApiResponses = NonNullable<OpenApiOperation["responses"]>;

/** Looks up a response by exact status, then by range (`2XX`), then `default`. */
function findResponse(responses: OpenApiResponses, status: number) {
  const range = `${Math.floor(status / 100)}XX`;
  return responses[String(status)] ?? responses[range] ?? responses["default"];
}

function lowestSuccessStatus(responses: OpenApiResponses): number {
  const statuses = Object.keys(responses)
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  return statuses.length > 0 ? Math.min(...statuses) : 200;
}

/**
 * Returns a validator for the body of a response to `method` on `path`. `status` defaults to the
 * operation's lowest 2xx status, and `contentType` to `application/json` when the response has it,
 * else to its first media type. For `text/event-stream` the schema describes one event as an object
 * (`{ event?, data }`, with `data` already parsed from JSON), not the raw stream.
 */
export function responseSchemaValidator(
  method: string,
  path: string,
  status?: number,
  contentType?: string,
): Validator {
  const matches = findOperations(method, path);
  const streaming =
    contentType !== undefined && normalizeMediaType(contentType) === "text/event-stream";
  const candidates =
    contentType === undefined
      ? matches
      : matches.filter((match) => {
          const responses = match.operation.responses ?? {};
          const code = status ?? lowestSuccessStatus(responses);
          return findMediaType(findResponse(responses, code)?.content, contentType) !== undefined;
        });

  const match = pickOperation(candidates.length > 0 ? candidates : matches, streaming);
  const responses = match.operation.responses ?? {};
  const code = status ?? lowestSuccessStatus(responses);
  const operation = `${method.toUpperCase()} ${match.pathKey}`;
  const response = findResponse(responses, code);
  if (!response) {
    throw new Error(`${operation} has no ${code} response in ${specPath()}.`);
  }

  const content = response.content ?? {};
  const mediaTypeName =
    contentType ?? (content["application/json"] ? "application/json" : Object.keys(content)[0]);
  const mediaType = mediaTypeName === undefined ? undefined : findMediaType(content, mediaTypeName);
  if (!mediaType) {
    const described = Object.keys(content).join(", ") || "none";
    throw new Error(
      `${operation} has no ${contentType ?? "response"} body for status ${code} in ` +
        `${specPath()} (media types: ${described}).`,
    );
  }

  return mediaTypeValidator(`${operation} response ${code} ${mediaTypeName}`, mediaType);
}
