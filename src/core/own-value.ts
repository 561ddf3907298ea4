/**
 * Returns `table[key]` when the table itself defines `key`. A plain lookup would also find the
 * members of `Object.prototype`, so a caller's field named `constructor` or `toString` would
 * read as an entry of the table.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
