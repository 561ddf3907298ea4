import { type AddressInfo, createServer, type Socket } from "node:net";
import type { CleanupContext } from "./loopback-fixture.js";

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

/**
 * Starts a TCP server on 127.0.0.1 that calls `onRequest` with each socket once the first request
 * bytes arrive, so a test can write any reply, valid HTTP or not. Returns its base URL. The server
 * closes when the test finishes.
 */
export async function startRawServer(
  context: CleanupContext,
  onRequest: (socket: Socket) => void,
): Promise<string> {
  const server = createServer((socket) => {
    socket.once("data", () => onRequest(socket));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  context.onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
