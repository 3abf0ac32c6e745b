import type { Column } from "../list/columns";
import { fixed, formatValue, isoDate } from "../list/format";

/** What one exported cell holds: text for CSV; for XLSX typed, so numbers sum and dates sort. */
export type Cell = string | number | boolean | Date | null;

/** Formats whose values are numbers: a leading "-" is a sign there, never the start of a formula. */
export const NUMERIC_FORMATS = new Set<Column["format"]>(["integer", "number", "decimal"]);

/** Excel refuses a cell longer than this (the file opens only after a "repair"). */
export const XLSX_MAX_TEXT = 32_767;

/**
 * A value as an export writes it in text: machine-readable rather than pretty. Dates ISO 8601
 * (date-only columns as 2024-01-04, timestamps in UTC as 2024-01-04T00:07:00.000Z), decimals exact to
 * the column's scale (never through a float), integers without separators, booleans true/false,
 * enums as stored, relations by their display name, many-to-many names joined with ", ".
 */
export function textValue(value: unknown, column: Pick<Column, "format" | "scale">): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : column.format === "date" ? isoDate(value) : value.toISOString();
  switch (column.format) {
    case "boolean":
      return value ? "true" : "false";
    case "integer":
    case "enum":
      return String(value);
    default:
      // Decimals to their scale, lists joined, JSON and text: as the list shows them.
      return formatValue(value, column);
  }
}

/**
 * A value as an XLSX cell: booleans, numbers and dates typed (a decimal only when a double holds it
 * exactly, i.e. at most 15 significant digits; else its exact text), the rest as text, cut to
 * Excel's cell limit.
 */
export function cellValue(value: unknown, column: Pick<Column, "format" | "scale">): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  switch (column.format) {
    case "boolean":
      return Boolean(value);
    case "integer":
    case "number": {
      const number = Number(value);
      return (column.format === "integer" ? Number.isSafeInteger(number) : Number.isFinite(number)) ? number : String(value);
    }
    case "decimal": {
      const text = textValue(value, column);
      return significantDigits(text) <= 15 && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    default:
      return textValue(value, column).slice(0, XLSX_MAX_TEXT);
  }
}

/**
 * A column's value from PostgreSQL's text of it (DateStyle ISO, TimeZone UTC), as textValue would
 * write the parsed value: most of it is written as it came.
 */
export function textFromSql(text: string | null, column: Pick<Column, "format" | "scale">): string {
  if (text === null) return "";
  switch (column.format) {
    case "boolean":
      return text === "t" ? "true" : "false";
    case "decimal":
      return column.scale !== undefined && /^-?\d+(\.\d+)?$/.test(text) ? fixed(text, column.scale) : text;
    case "datetime":
      return isoTimestamp(text);
    default:
      return text;
  }
}

/** A column's XLSX cell from PostgreSQL's text of it, typed as cellValue types a parsed value. */
export function cellFromSql(text: string | null, column: Pick<Column, "format" | "scale">): Cell {
  if (text === null) return null;
  switch (column.format) {
    case "boolean":
      return text === "t";
    case "date":
    case "datetime": {
      const date = new Date(column.format === "date" ? `${text}T00:00:00Z` : isoTimestamp(text));
      return Number.isNaN(date.getTime()) ? text : date;
    }
    case "integer":
    case "number":
    case "decimal":
      return cellValue(text, column);
    default:
      return text.slice(0, XLSX_MAX_TEXT);
  }
}

/**
 * "2024-01-04 00:07:00.5" (a timestamp as PostgreSQL prints it, "+00" added for timestamptz in UTC)
 * as ISO 8601 in UTC to the millisecond, as JavaScript writes dates: "2024-01-04T00:07:00.500Z".
 * Years past 9999 and BC dates, which that form cannot hold, stay as PostgreSQL printed them.
 */
export function isoTimestamp(text: string): string {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?(?:\+00)?$/.exec(text);
  return match ? `${match[1]}T${match[2]}.${(match[3] ?? "").padEnd(3, "0").slice(0, 3)}Z` : text;
}

/** The Excel number format that shows a column's values as the list does. */
export function numberFormat(column: Pick<Column, "format" | "scale">): string | undefined {
  switch (column.format) {
    case "date":
      return "yyyy-mm-dd";
    case "datetime":
      return "yyyy-mm-dd hh:mm:ss";
    case "decimal":
      return column.scale ? `0.${"0".repeat(column.scale)}` : undefined;
    case "integer":
      return "0";
    default:
      return undefined;
  }
}

function significantDigits(text: string): number {
  return text.replace(/^[-+]?0*/, "").replace(".", "").replace(/^0+/, "").length;
}
