import { humanize } from "../model/labels";
import type { Column } from "./columns";

const integer = new Intl.NumberFormat("en");

// Dates and times are written field by field rather than through Intl.DateTimeFormat: its output
// depends on the ICU data shipped with Node (en-CA changed its date order between versions), and
// `hour12: false` selects the h24 cycle in some locales, which writes 00:07 as 24:07.
const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** 2024-01-04 (UTC). Years below 1000 keep four digits; years before 1 get a minus sign. */
export function isoDate(date: Date): string {
  const year = date.getUTCFullYear();
  return `${year < 0 ? "-" : ""}${pad(Math.abs(year), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** 2024-01-04 00:07 UTC: hours 00 to 23. */
function isoDateTime(date: Date): string {
  return `${isoDate(date)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** A display string for a value: empty values are "" (templates show a dash), never "null". */
export function formatValue(value: unknown, column: Pick<Column, "format" | "scale">): string {
  if (value === null || value === undefined || value === "") return "";
  switch (column.format) {
    case "boolean":
      return value ? "Yes" : "No";
    case "integer":
      return typeof value === "number" || typeof value === "bigint" ? integer.format(value) : String(value);
    case "decimal":
      return column.scale !== undefined && Number.isFinite(Number(value)) ? fixed(String(value), column.scale) : String(value);
    case "date":
      return value instanceof Date && !Number.isNaN(value.getTime()) ? isoDate(value) : String(value);
    case "datetime":
      return value instanceof Date && !Number.isNaN(value.getTime()) ? isoDateTime(value) : String(value);
    case "enum":
      return humanize(String(value).toLowerCase());
    case "list":
      return Array.isArray(value) ? value.filter((item) => item != null).map(String).join(", ") : String(value);
    case "json":
      return JSON.stringify(value);
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/** Pads or rounds a decimal string to `scale` places without passing through a float. */
export function fixed(text: string, scale: number): string {
  const point = text.indexOf(".");
  // PostgreSQL prints a Decimal(p, s) with its s places: most values are already right.
  if (scale > 0 && point !== -1 && text.length - point - 1 === scale) return text;
  const [whole = "0", fraction = ""] = text.split(".");
  if (fraction.length > scale) return Number(text).toFixed(scale);
  return scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, "0")}`;
}
