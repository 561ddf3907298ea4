import { execFileSync } from "node:child_process";

/**
 * Builds dist/ once before the tests that run the CLI as a subprocess, so parallel test files
 * never rebuild it at the same time.
 */
export default function buildOnce(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
