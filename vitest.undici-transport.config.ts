import { defineConfig, mergeConfig } from "vitest/config";
import baseConfig from "./vitest.config.js";

/**
 * Runs the whole suite (contract tests excluded, as in the default run) with `globalThis.fetch`
 * replaced by the undici transport, so every client test also checks `createUndiciFetch`.
 */
export default mergeConfig(
  baseConfig,
  defineConfig({
    test: {
      setupFiles: ["test/undici/use-undici-transport.ts"],
    },
  }),
);
