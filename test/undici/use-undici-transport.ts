import { afterAll } from "vitest";
import { createUndiciFetch } from "../../src/undici/index.js";

// Setup file of vitest.undici-transport.config.ts: each test file runs with the undici transport
// as the global fetch, which every client without a `fetch` option uses.
const undiciFetch = createUndiciFetch();
globalThis.fetch = undiciFetch;

afterAll(() => {
  undiciFetch.close();
});
