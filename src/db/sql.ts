/** Quotes an identifier (table or column name) for SQL text; names come from metadata, never from users. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
