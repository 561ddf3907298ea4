import type { InputProblem } from "../core/errors/client-errors.js";

/** Result of checking a value against a schema. */
export type SchemaCheck = { ok: true; value: unknown } | { ok: false; problems: InputProblem[] };

/** One step of a path: a property name or an array index. */
export type PathSegment = string | number;

/**
 * Formats a path in JSONPath notation: `$` for the root, `.name` for identifier-like names,
 * `[0]` for indexes, and `["a b"]` for any other name.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let path = "$";
  for (const segment of segments) {
    if (typeof segment === "number") {
      path += `[${segment}]`;
    } else if (/^[A-Za-z_$][\w$]*$/.test(segment)) {
      path += `.${segment}`;
    } else {
      path += `[${JSON.stringify(segment)}]`;
    }
  }

  return path;
}
