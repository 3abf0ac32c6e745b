import { formatValue } from "../list/format";
import type { BulkChange } from "./bulk-changes";

/** "Set Bestseller to Yes, and add genres Poetry and Fantasy": the preview's wording of a bulk edit. */
export async function describeChanges(changes: BulkChange[], nameOf: (model: string, ids: unknown[]) => Promise<string[]>): Promise<string> {
  const parts: string[] = [];
  for (const { field, value, mode } of changes) {
    if (field.widget === "relations") {
      const names = await nameOf(field.relation!.model, value as unknown[]);
      const list = names.length ? names.join(", ") : "nothing";
      parts.push(mode === "replace" ? `replace ${field.label} with ${list}` : `${mode} ${field.label} ${list}`);
    } else if (field.widget === "relation") {
      const names = value === null ? [] : await nameOf(field.relation!.model, [value]);
      parts.push(`set ${field.label} to ${names[0] ?? "none"}`);
    } else if (field.widget === "select") {
      parts.push(`set ${field.label} to ${field.choices?.find((choice) => choice.value === value)?.label ?? "none"}`);
    } else {
      const format = field.widget === "checkbox" ? "boolean" : field.widget === "date" ? "date" : field.widget === "datetime" ? "datetime" : "text";
      const text = formatValue(value, { format });
      parts.push(`set ${field.label} to ${text === "" ? "empty" : text}`);
    }
  }
  const sentence = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0] ?? "";
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
