import { humanize } from "../model/labels";
import type { Column } from "./columns";

const integer = new Intl.NumberFormat("en");
const dateFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

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
      return value instanceof Date ? dateFormat.format(value) : String(value);
    case "datetime":
      return value instanceof Date ? `${dateTimeFormat.format(value).replace(",", "")} UTC` : String(value);
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
function fixed(text: string, scale: number): string {
  const [whole = "0", fraction = ""] = text.split(".");
  if (fraction.length > scale) return Number(text).toFixed(scale);
  return scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, "0")}`;
}
