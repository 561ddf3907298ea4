// Location of the mistralai-ts build under test. A run first copies the package (package.json,
// docs and dist/) to a temporary directory and measures that copy, so a rebuild of dist/ in the
// working tree during the run cannot break or change it. Child processes find the copy through
// the environment variable below.

import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const rootVariable = "MISTRALAI_TS_BENCH_ROOT";
const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));
const requiredFiles = ["dist/index.js", "dist/cli/main.js", "dist/testing/index.js"];

/** Root of the package under test: the copy when one was made, else the repository. */
export function libraryRoot() {
  return process.env[rootVariable] ?? repositoryRoot;
}

export function libraryPath(relative) {
  return join(libraryRoot(), relative);
}

export function libraryUrl(relative) {
  return pathToFileURL(libraryPath(relative)).href;
}

function copyPackage(target) {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8"));
  cpSync(join(repositoryRoot, "package.json"), join(target, "package.json"));
  for (const entry of manifest.files ?? ["dist"]) {
    const source = join(repositoryRoot, entry);
    if (existsSync(source)) cpSync(source, join(target, entry), { recursive: true });
  }

  linkOptionalPeers(target, manifest);
}

/**
 * Links each optional peer dependency the bench installed (undici for the undici transport) into
 * the copy's node_modules, as an application would install it next to mistralai-ts.
 */
function linkOptionalPeers(target, manifest) {
  for (const name of Object.keys(manifest.peerDependencies ?? {})) {
    const installed = fileURLToPath(new URL(`./node_modules/${name}`, import.meta.url));
    if (!existsSync(installed)) continue;
    const link = join(target, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(installed, link, "dir");
  }
}

/** True when the copy is whole: every entry file is there and the library imports. */
function isUsable(target) {
  if (!requiredFiles.every((file) => existsSync(join(target, file)))) return false;
  const entry = pathToFileURL(join(target, "dist/index.js")).href;
  const check = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `await import(${JSON.stringify(entry)});`],
    { stdio: "ignore" },
  );
  return check.status === 0;
}

/**
 * Copies the built package to a temporary directory and points this process and its children at
 * it. A build running at the same moment can leave dist/ half written, so a copy that does not
 * import is taken again, up to 5 times, 2 s apart. Returns a function that deletes the copy.
 */
export function snapshotLibrary() {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const target = mkdtempSync(join(tmpdir(), "mistralai-ts-under-test-"));
    copyPackage(target);
    if (isUsable(target)) {
      process.env[rootVariable] = target;
      return () => rmSync(target, { recursive: true, force: true });
    }

    rmSync(target, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
  }

  throw new Error(
    `No complete build in ${join(repositoryRoot, "dist")}: run \`npm run build\` ` +
      `(needs ${requiredFiles.join(", ")})`,
  );
}
