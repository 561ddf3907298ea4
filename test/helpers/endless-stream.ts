import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

/** A function that starts an endless stream server and resolves to its base URL. */
export type EndlessStreamStarter = (
  nextWrite: (count: number) => string,
  contentType?: string,
) => Promise<string>;

/**
 * Returns a function that starts a 127.0.0.1 server responding to every request with a body of
 * `nextWrite()` written again and again, with backpressure, until the client disconnects. The
 * content type defaults to `text/event-stream`. Each server closes after the test that started it.
 */
export function useEndlessStreams(): EndlessStreamStarter {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  return async (nextWrite, contentType = "text/event-stream") => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": contentType });
      void writeUntilClosed(response, nextWrite);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
}

async function writeUntilClosed(
  response: ServerResponse,
  nextWrite: (count: number) => string,
): Promise<void> {
  let count = 0;
  while (!response.destroyed && !response.writableEnded) {
    const fits = response.write(nextWrite(count));
    count++;
    if (!fits) {
      await new Promise<void>((resolve) => {
        const resume = () => {
          response.off("drain", resume);
          response.off("close", resume);
          resolve();
        };
        response.on("drain", resume);
        response.on("close", resume);
      });
    }
  }
}
