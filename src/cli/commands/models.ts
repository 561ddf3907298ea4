import type { Model } from "../../index.js";
import type { ModelsArguments } from "../arguments.js";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { openClient } from "../open-client.js";
import { stripControlCharacters } from "../output.js";

/** Short column names of the capability flags, in display order. */
const capabilityLabels: ReadonlyArray<readonly [string, string]> = [
  ["completion_chat", "chat"],
  ["function_calling", "tools"],
  ["completion_fim", "fim"],
  ["vision", "vision"],
  ["ocr", "ocr"],
  ["audio", "audio"],
  ["audio_transcription", "transcription"],
  ["classification", "classification"],
  ["moderation", "moderation"],
  ["fine_tuning", "fine-tuning"],
];

/** `mistral models`: a table of the models the key can use, or the raw list with `--json`. */
export async function runModels(args: ModelsArguments, context: CommandContext): Promise<ExitCode> {
  const client = await openClient(args.apiKeyFile, context);
  const list = await client.models.list({ signal: context.signal });
  if (args.json) {
    await context.output.line(JSON.stringify(list, null, 2));
    return ExitCode.success;
  }

  const models = Array.isArray(list.data) ? list.data : [];
  if (models.length === 0) {
    context.output.diagnostic("The API listed no models for this key.");
    return ExitCode.success;
  }

  for (const line of formatModelTable(models)) {
    await context.output.line(line);
  }

  return ExitCode.success;
}

/** Formats models as aligned columns: id, type, context length in tokens, capabilities. */
export function formatModelTable(models: readonly Model[]): string[] {
  const rows = models.map((model) => [
    model.id,
    model.type ?? "",
    model.max_context_length === undefined ? "" : String(model.max_context_length),
    listCapabilities(model),
  ]);
  const table = [["ID", "TYPE", "CONTEXT", "CAPABILITIES"], ...rows].map((row) =>
    row.map((cell) => stripControlCharacters(String(cell))),
  );
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));

  return table.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd(),
  );
}

function listCapabilities(model: Model): string {
  const capabilities = model.capabilities ?? {};
  return capabilityLabels
    .filter(([name]) => capabilities[name] === true)
    .map(([, label]) => label)
    .join(",");
}
