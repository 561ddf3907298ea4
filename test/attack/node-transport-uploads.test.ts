import { describe, expect, it } from "vitest";
import { nodeFetchFor, startTestServer, waitUntil } from "../node/http-server.js";
import { undiciFetchFor } from "../undici/undici-fetch-for.js";

/** A request body stream that sends one chunk and then never ends, reporting its cancel reason. */
function neverEndingStream(onCancel: (reason: unknown) => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("{"));
    },
    cancel: onCancel,
  });
}

describe("stream uploads answered early", () => {
  it("undici: cancels upload after early response", async (context) => {
    const server = await startTestServer(
      context,
      (_request, response) => {
        response.end("no");
      },
      {
        readBody: false,
      },
    );
    const undiciFetch = undiciFetchFor(context);
    let cancelled: unknown;
    const body = neverEndingStream((reason) => {
      cancelled = reason;
    });

    const response = await undiciFetch(server.url, {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);

    expect(await response.text()).toBe("no");
    await waitUntil(() => cancelled !== undefined);
    expect(cancelled).toBeInstanceOf(Error);
  });

  // A server that answers (such as 413 or 401) before reading the upload must not leave the
  // caller's stream locked and unread, and the socket held by a request that never ends.
  it("node: cancels upload after early response", async (context) => {
    const server = await startTestServer(
      context,
      (_request, response) => {
        response.end("no");
      },
      {
        readBody: false,
      },
    );
    const nodeFetch = nodeFetchFor(context);
    let cancelled: unknown;
    const body = neverEndingStream((reason) => {
      cancelled = reason;
    });

    const response = await nodeFetch(server.url, {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);

    expect(await response.text()).toBe("no");
    await waitUntil(() => cancelled !== undefined, 1000);
    expect(cancelled).toBeInstanceOf(Error);
  });
});
