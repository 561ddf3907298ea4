export type { NodeFetch, NodeFetchOptions } from "./node-fetch.js";
export { createNodeFetch } from "./node-fetch.js";
