import { ValidationError } from "./errors/client-errors.js";

/**
 * Encodes one path parameter. Rejects values that could change which route is called: empty,
 * `.` or `..`, and any `/`, `\`, `?`, `#` or control character, even when percent-encoded.
 */
export function encodePathParameter(value: unknown, name: string): string {
  if (typeof value !== "string" && typeof value !== "number") {
    throw invalid(name, "must be a string");
  }

  const text = String(value);
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // A stray `%` is encoded below and cannot change the route.
  }

  for (const candidate of [text, decoded]) {
    if (candidate === "" || candidate === "." || candidate === "..") {
      throw invalid(name, "must not be empty, '.' or '..'");
    }

    if (/[/\\?#\x00-\x1f\x7f]/.test(candidate)) {
      throw invalid(name, "must not contain '/', '\\', '?', '#' or control characters");
    }
  }

  return encodeURIComponent(text);
}

function invalid(name: string, problem: string): ValidationError {
  return new ValidationError([{ path: name, message: problem }], "Invalid path parameter");
}

/** Builds a path from a template literal, encoding every interpolated value. */
export function apiPath(strings: TemplateStringsArray, ...values: unknown[]): string {
  let path = strings[0] ?? "";
  for (let index = 0; index < values.length; index++) {
    path +=
      encodePathParameter(values[index], `path parameter ${index + 1}`) +
      (strings[index + 1] ?? "");
  }

  return path;
}
