const reasonPhrases: Record<number, string> = {
  200: "OK",
  302: "Found",
  400: "Bad Request",
  401: "Unauthorized",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
};

/**
 * Builds the exact bytes of an HTTP/1.1 response, for replies whose headers must match a recorded
 * case byte for byte (the mock server adds a `mistral-correlation-id` to every other reply). A
 * `content-length` is added and the connection is closed after the body.
 */
export function rawHttpResponse(
  status: number,
  headers: Record<string, string>,
  body: string,
): string {
  const lines = [`HTTP/1.1 ${status} ${reasonPhrases[status] ?? "Status"}`];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }

  lines.push(`content-length: ${Buffer.byteLength(body)}`, "connection: close");
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
