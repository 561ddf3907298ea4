// Install footprint. Each client is packed with `npm pack`: mistralai-ts from the copy under test
// (see library.mjs), the others from the registry at the versions in bench/package.json. The
// tarball is then installed into an empty project with a clean `npm install`. The figure is the
// size and file count of the resulting node_modules, without npm's own `.package-lock.json`.

import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientVersion } from "./clients.mjs";
import { libraryRoot } from "./library.mjs";

function npm(args, cwd) {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Sums the apparent size of every file under `directory`, without following links, and the disk
 * space their blocks take (what `du` shows, which depends on the file system's block size).
 */
function directorySize(directory) {
  let bytes = 0;
  let diskBytes = 0;
  let files = 0;
  const pending = [directory];
  while (pending.length > 0) {
    const current = pending.pop();
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (current !== directory || entry.name !== ".package-lock.json") {
        const stats = lstatSync(path);
        bytes += stats.size;
        diskBytes += stats.blocks * 512;
        files += 1;
      }
    }
  }

  return { bytes, diskBytes, files };
}

/** Lists the packages npm installed, as `name@version`. */
function installedPackages(projectDirectory) {
  const tree = JSON.parse(npm(["ls", "--all", "--json"], projectDirectory));
  const names = [];
  const visit = (dependencies) => {
    for (const [name, node] of Object.entries(dependencies ?? {})) {
      // Optional peer dependencies that npm did not install are listed without a version.
      if (node.version === undefined) continue;
      names.push(`${name}@${node.version}`);
      visit(node.dependencies);
    }
  };
  visit(tree.dependencies);
  return [...new Set(names)].sort();
}

function packTarball(spec, workDirectory) {
  const cwd = spec === "." ? libraryRoot() : workDirectory;
  // The copy under test is already built; --ignore-scripts skips the prepack build, which needs
  // the development dependencies the copy does not have.
  const args = [
    "pack",
    spec,
    "--pack-destination",
    workDirectory,
    "--json",
    "--prefer-offline",
    "--ignore-scripts",
  ];
  const [packed] = JSON.parse(npm(args, cwd));
  return { path: join(workDirectory, packed.filename), bytes: packed.size };
}

/** Packs and installs one package; `spec` is "." for this repository or `name@version`. */
function measureInstall(spec, workDirectory) {
  const tarball = packTarball(spec, workDirectory);
  const project = mkdtempSync(join(workDirectory, "project-"));
  writeFileSync(join(project, "package.json"), '{ "private": true }\n');
  npm(
    ["install", tarball.path, "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline"],
    project,
  );
  const nodeModules = join(project, "node_modules");
  return {
    tarballBytes: tarball.bytes,
    ...directorySize(nodeModules),
    packages: installedPackages(project),
  };
}

/** Measures mistralai-ts (needs a built dist/) and the other two SDKs. */
export function measureInstallSizes(names = ["mistralai-ts", "@mistralai/mistralai", "openai"]) {
  const workDirectory = mkdtempSync(join(tmpdir(), "mistralai-ts-install-"));
  mkdirSync(workDirectory, { recursive: true });
  try {
    const sizes = {};
    for (const name of names) {
      const spec = name === "mistralai-ts" ? "." : `${name}@${clientVersion(name)}`;
      sizes[name] = measureInstall(spec, workDirectory);
    }

    return sizes;
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}
