/** The UTF-8 byte order mark: Excel reads a CSV file as UTF-8 only when it starts with it. */
export const UTF8_BOM = "\uFEFF";

/** Characters a spreadsheet takes as the start of a formula (OWASP's list for CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled.
 * `guard` defends against CSV injection as OWASP recommends: a text that a spreadsheet would run as
 * a formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe, which Excel,
 * LibreOffice and Google Sheets show as text. Numbers are not guarded: "-5" is a number, not a formula.
 */
export function csvField(text: string, guard: boolean): string {
  const safe = guard && FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvLine(fields: string[], guards: boolean[]): string {
  let line = "";
  for (let index = 0; index < fields.length; index++) line += (index ? "," : "") + csvField(fields[index]!, guards[index]!);
  return line + "\r\n";
}
