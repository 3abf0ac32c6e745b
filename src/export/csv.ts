/** The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only when it starts with it. */
export const UTF8_BOM = "\uFEFF";

/** Characters a spreadsheet takes as the start of a formula (OWASP's list for CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field (RFC 4180), written exactly as PostgreSQL's COPY writes one, so that both ways of
 * writing an export give the same bytes: quoted when it holds a quote, comma or line break (quotes
 * doubled), when it is empty (an empty field unquoted is a null), or when it is the line `\.`.
 * `guard` defends against CSV injection as OWASP recommends: a text that a spreadsheet would run as
 * a formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe, which Excel,
 * LibreOffice and Google Sheets show as text. Numbers are not guarded: "-5" is a number, not a formula.
 */
export function csvField(text: string, guard: boolean): string {
  const safe = guard && FORMULA_START.test(text) ? `'${text}` : text;
  return safe === "" || safe === "\\." || NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record, ending with a line feed as PostgreSQL's COPY writes them (every CSV reader, Excel included, takes it). */
export function csvLine(fields: string[], guards: boolean[]): string {
  let line = "";
  for (let index = 0; index < fields.length; index++) line += (index ? "," : "") + csvField(fields[index]!, guards[index]!);
  return line + "\n";
}

/** The start of a CSV export: the byte order mark when wanted, and the header line of column labels. */
export function csvHeader(labels: string[], bom: boolean): string {
  return (bom ? UTF8_BOM : "") + csvLine(labels, labels.map(() => true));
}
