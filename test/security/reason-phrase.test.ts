import { describe, expect, it } from "vitest";
import { MistralClient } from "../../src/client.js";
import { isMistralError } from "../../src/core/errors/mistral-error.js";
import { captureRejection } from "../helpers/error-capture.js";
import { startRawServer } from "../helpers/raw-http.js";
import { expectNoSecrets } from "../helpers/secret-scan.js";

const key = "sk-test-CANARY-reason-5d1f";

describe("HTTP reason phrase", () => {
  it("keeps an echoed key out of the error", async (context) => {
    // The reply quotes the key as its reason phrase and has no JSON message of its own.
    const reply = `HTTP/1.1 400 ${key}\r\ncontent-type: text/plain\r\ncontent-length: 0\r\n\r\n`;
    const baseURL = await startRawServer(context, (socket) => socket.end(reply));
    const client = new MistralClient({ apiKey: key, baseURL, maxRetries: 0 });

    const error = await captureRejection(client.models.list());

    expect(isMistralError(error, "bad_request")).toBe(true);
    expectNoSecrets(error, [key, "CANARY-reason-5d1f"]);
  });
});
