import { type FileHandle, open } from "node:fs/promises";
import { basename } from "node:path";
import type { ResponseFormat } from "../index.js";
import { UsageError } from "./cli-error.js";

/** Largest schema file read, in bytes: far above any schema a model can follow. */
const maxSchemaFileBytes = 1024 * 1024;

/**
 * Reads `--schema FILE` and builds the `json_schema` response format. The file contains either a
 * JSON Schema, named after the file and sent with `strict: true`, or an object with `name` and
 * `schema` (and optionally `strict` and `description`), sent as written.
 *
 * @throws UsageError when the file cannot be read, is too large or is not a JSON object.
 */
export async function readSchemaFormat(path: string): Promise<ResponseFormat> {
  const value = parseJson(await readBounded(path), path);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`--schema ${path} must contain a JSON object`, "chat");
  }

  const record = value as Record<string, unknown>;
  const isWrapper = typeof record["name"] === "string" && typeof record["schema"] === "object";
  if (isWrapper) {
    return { type: "json_schema", json_schema: record as never };
  }

  return {
    type: "json_schema",
    json_schema: { name: schemaName(path), schema: record, strict: true },
  };
}

/** Derives a schema name from the file name: `book.schema.json` gives `book_schema`. */
function schemaName(path: string): string {
  const stem = basename(path).replace(/\.json$/i, "");
  const name = stem.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  return name === "" ? "response" : name;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--schema ${path} is not valid JSON`, "chat");
  }
}

/** Reads at most `maxSchemaFileBytes`; pipes work too, so their size is not known up front. */
async function readBounded(path: string): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, "r");
    const buffer = Buffer.alloc(maxSchemaFileBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxSchemaFileBytes) {
        throw new UsageError(`--schema ${path} is larger than ${maxSchemaFileBytes} bytes`, "chat");
      }
    }

    return buffer.subarray(0, length).toString("utf8");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "read error";
    throw new UsageError(`Cannot read --schema ${path} (${code})`, "chat");
  } finally {
    await handle?.close();
  }
}
