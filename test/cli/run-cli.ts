import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

/** The built command, as `npm install` would link it. */
export const cliPath = join(root, "dist", "cli", "main.js");

/** Result of one run of the command. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Variables added to the child environment, which starts without any `MISTRAL_*` variable. */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed. Default: stdin closed at once. */
  stdin?: string;
}

/** Builds `dist/` when `dist/cli/main.js` is missing or older than any file under `src/`. */
export function buildIfStale(): void {
  if (existsSync(cliPath) && statSync(cliPath).mtimeMs >= newestSourceTime(join(root, "src"))) {
    return;
  }

  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "pipe" });
}

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    const time = entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, time);
  }

  return newest;
}

/**
 * Environment of the child: the parent's without `MISTRAL_*` variables, so a real key or base
 * URL of the machine running the tests never reaches the command, plus `extra`.
 */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("MISTRAL_")) env[name] = value;
  }

  return { ...env, ...extra };
}

/** Starts `node dist/cli/main.js ...args`; the caller reads its streams and waits for its end. */
export function startCli(args: string[], options: CliRunOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: root,
    env: childEnvironment(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin?.end(options.stdin ?? "");
  return child;
}

/** Collects the output of a started command until it exits. */
export function waitForExit(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });

  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Runs the command to its end. */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  return waitForExit(startCli(args, options));
}
