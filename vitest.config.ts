import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-build.ts"],
    exclude: ["test/contract/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
