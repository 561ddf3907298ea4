import { afterAll } from "vitest";
import { createNodeFetch } from "../../src/node/index.js";

// Setup file of vitest.node-transport.config.ts: each test file runs with the node transport as
// the global fetch, which every client without a `fetch` option uses.
const nodeFetch = createNodeFetch();
globalThis.fetch = nodeFetch;

afterAll(() => {
  nodeFetch.close();
});
