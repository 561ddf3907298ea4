export type { UndiciFetch, UndiciFetchOptions } from "./undici-fetch.js";
export { createUndiciFetch } from "./undici-fetch.js";
