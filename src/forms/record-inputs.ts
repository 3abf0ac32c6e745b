import type { RecordRow } from "../config/resource-schema";
import type { FormField } from "./types";

/** The Prisma `select` that loads what an edit form shows. */
export function formSelect(idField: string, fields: FormField[]): Record<string, unknown> {
  const select: Record<string, unknown> = { [idField]: true };
  for (const field of fields) {
    select[field.name] = field.widget === "relations" ? { select: { [field.relation!.idField]: true } } : true;
  }
  return select;
}

/** A record's values as the strings form inputs hold (dates as YYYY-MM-DD, ids as text). */
export function recordInputs(record: RecordRow, fields: FormField[]): Record<string, string | string[]> {
  const inputs: Record<string, string | string[]> = {};
  for (const field of fields) {
    const value = record[field.name];
    if (field.widget === "relations") {
      inputs[field.name] = Array.isArray(value) ? value.map((item) => String(item[field.relation!.idField])) : [];
    } else if (value === null || value === undefined) {
      inputs[field.name] = "";
    } else if (value instanceof Date) {
      inputs[field.name] = field.widget === "date" ? value.toISOString().slice(0, 10) : value.toISOString().slice(0, 16);
    } else if (field.widget === "checkbox") {
      inputs[field.name] = value ? "on" : "";
    } else {
      inputs[field.name] = String(value);
    }
  }
  return inputs;
}

/** Inputs for a new record: literal defaults where the schema has them. */
export function initialInputs(fields: FormField[]): Record<string, string | string[]> {
  return Object.fromEntries(
    fields.map((field) => {
      if (field.widget === "relations") return [field.name, []];
      if (field.widget === "checkbox") return [field.name, field.initial === true ? "on" : ""];
      return [field.name, field.initial === undefined ? "" : String(field.initial)];
    }),
  );
}

/** What a form posted, as inputs to draw it again: its text values and lists of them. */
export function submittedInputs(body: Record<string, unknown>): Record<string, string | string[]> {
  const inputs: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string" || (Array.isArray(value) && value.every((item) => typeof item === "string"))) inputs[key] = value as string | string[];
  }
  return inputs;
}
