import { parseForm } from "../forms";
import type { FormField } from "../forms/types";

export type ManyMode = "add" | "remove" | "replace";

/** One field a bulk edit changes, with its validated value. */
export interface BulkChange {
  field: FormField;
  /** Typed as parseForm gives it: string, number, boolean, Date, null; number[] for many-to-many. */
  value: unknown;
  mode?: ManyMode;
}

export type BulkChangesResult =
  | { ok: true; changes: BulkChange[] }
  | { ok: false; errors: Record<string, string>; formError: string };

const MODES: ManyMode[] = ["add", "remove", "replace"];

/**
 * Reads a bulk edit form: the ticked fields (`_change`), each value validated once with the same zod
 * rules as the edit form, and the mode of many-to-many fields. Fields outside bulkFields are ignored,
 * so a forged field name can never be written.
 */
export function parseBulkChanges(bulkFields: FormField[], body: Record<string, unknown>): BulkChangesResult {
  const ticked = new Set([body._change ?? []].flat().filter((name): name is string => typeof name === "string"));
  const fields = bulkFields.filter((field) => ticked.has(field.name) && !field.disabled);
  if (fields.length === 0) return { ok: false, errors: {}, formError: "Tick at least one field to change." };
  // A ticked field must be given a value unless it may be empty: "required" here means "not nullable".
  const parsed = parseForm(fields.map((field) => ({ ...field, required: !field.nullable && field.widget !== "checkbox" && field.widget !== "relations" })), body);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, formError: "Some values need attention." };
  const errors: Record<string, string> = {};
  const changes: BulkChange[] = [];
  for (const field of fields) {
    if (field.widget === "relations") {
      const mode = body[`${field.name}._mode`] ?? "add";
      if (typeof mode !== "string" || !MODES.includes(mode as ManyMode)) {
        errors[field.name] = "Choose whether to add, remove or replace.";
        continue;
      }
      const ids = (parsed.values[field.name] as number[] | undefined) ?? [];
      if (ids.length === 0 && mode !== "replace") {
        errors[field.name] = `Choose at least one ${field.label.toLowerCase()} to ${mode}.`;
        continue;
      }
      changes.push({ field, value: ids, mode: mode as ManyMode });
    } else if (!(field.name in parsed.values)) {
      errors[field.name] = "This field is required.";
    } else {
      changes.push({ field, value: parsed.values[field.name] });
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors, formError: "Some values need attention." };
  return { ok: true, changes };
}
