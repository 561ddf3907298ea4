import { describe, expect, it } from "vitest";
import { neverEndingStream } from "../helpers/never-ending-upload.js";
import { nodeFetchFor, startTestServer, waitUntil } from "../node/http-server.js";
import { undiciFetchFor } from "../undici/undici-fetch-for.js";

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

  // A server that replies (such as 413 or 401) before reading the upload must not leave the
  // caller's stream locked and unread, or the socket held by a request that never ends.
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
