import { stripControlCharacters } from "../output.js";

/**
 * Aligns the columns of a table, leaving the last column unpadded. Control characters are
 * removed from the cells.
 */
export function formatTable(rows: readonly string[][]): string[] {
  const cells = rows.map((row) => row.map((cell) => stripControlCharacters(String(cell ?? ""))));
  const widths = cells[0]!.map((_, column) =>
    Math.max(...cells.map((row) => row[column]?.length ?? 0)),
  );
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd(),
  );
}
