// Child processes of a benchmark run: the loopback server and the client processes.

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverPath = fileURLToPath(new URL("./server.mjs", import.meta.url));

/** Starts bench/server.mjs in its own process; `stop()` ends it. */
export function startServer() {
  const child = fork(serverPath, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`The benchmark server exited with ${code}`)));
    child.once("message", ({ url }) => {
      child.removeAllListeners("exit");
      resolve({ url, stop: () => child.disconnect() });
    });
  });
}

/**
 * Runs one client script (worker.mjs, many-streams.mjs) with --expose-gc and resolves with the
 * report it sends. Rejects when it exits without one, with the end of its stderr.
 */
export function runClientProcess(script, options, { timeoutMs = 120_000 } = {}) {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [JSON.stringify(options)], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text) => {
    stderr = (stderr + text).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let report;
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("message", (message) => {
      report = message;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (report !== undefined && code === 0) {
        resolve(report);
      } else {
        const reason = signal ? `was stopped by ${signal}` : `exited with ${code}`;
        reject(new Error(`${script} for ${options.client} ${reason}: ${stderr.trim()}`));
      }
    });
  });
}
