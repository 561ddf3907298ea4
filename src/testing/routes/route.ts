import type { IncomingCall } from "../incoming-request.js";
import type { ResponsePlan } from "../reply-plan.js";

/**
 * In-memory state the default handlers share for one server: uploaded files, batch jobs,
 * conversations, agents, libraries. Each area keeps its own map under its own key, created on
 * first use with `areaState`.
 */
export interface ServerState {
  areas: Map<string, unknown>;
  /** Clock of the server, in milliseconds since the epoch. */
  now: () => number;
  /** Returns a new unique id for this server, such as a UUID. */
  newId: () => string;
}

/** Path parameters of a matched route, decoded. */
export type RouteParameters = Record<string, string>;

/** One default handler: a method, a path template such as `/v1/files/{file_id}`, a reply. */
export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  handle: (
    call: IncomingCall,
    parameters: RouteParameters,
    state: ServerState,
  ) => ResponsePlan | Promise<ResponsePlan>;
}

/** Returns the state of one area, creating it with `create` on first use. */
export function areaState<T>(state: ServerState, area: string, create: () => T): T {
  let value = state.areas.get(area) as T | undefined;
  if (value === undefined) {
    value = create();
    state.areas.set(area, value);
  }

  return value;
}

/** Matches a path against a template; returns the decoded parameters or undefined. */
export function matchPath(template: string, path: string): RouteParameters | undefined {
  const templateParts = template.split("/");
  const pathParts = path.split("/");
  if (templateParts.length !== pathParts.length) return undefined;
  const parameters: RouteParameters = {};
  for (let index = 0; index < templateParts.length; index++) {
    const expected = templateParts[index]!;
    const actual = pathParts[index]!;
    if (expected.startsWith("{") && expected.endsWith("}")) {
      if (actual === "") return undefined;
      parameters[expected.slice(1, -1)] = safeDecode(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }

  return parameters;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
