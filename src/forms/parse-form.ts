import { z } from "zod";
import {
  checkDate, checkDecimal, checkFloat, checkInteger, checkText, checkTimestamp, checkUuid, parseKey,
  type Checked, type ColumnDomain,
} from "../model/column-domain";
import type { FieldCheck, FormField, FormValues, ParseResult } from "./types";

const REQUIRED = "This field is required.";
const CHOOSE_VALID = "Choose a valid option.";
const TRUE_WORDS = new Set(["on", "true", "1", "yes"]);
const FALSE_WORDS = new Set(["", "off", "false", "0", "no"]);

type Widget = FormField["widget"];
type TextSchema = z.ZodType<unknown, string>;

/** A zod step that reads text through one of the domain's checks, adding its message as the issue. */
function checked<T>(check: (text: string) => Checked<T>): TextSchema {
  return z.string().transform((text, ctx) => {
    const result = check(text);
    if (result.ok) return result.value;
    ctx.addIssue(result.message);
    return z.NEVER;
  });
}

/** Each single-value widget turns the trimmed, non-empty submitted text into a value its column holds. */
const WIDGETS: Record<Exclude<Widget, "checkbox" | "relations">, (domain: ColumnDomain, field: FormField) => TextSchema> = {
  text: textSchema,
  textarea: textSchema,
  integer: (domain) =>
    checked((text) => {
      if (domain.kind !== "integer") return mismatch(domain, "integer");
      const result = checkInteger(text, domain);
      // Forms edit whole numbers as JavaScript numbers (BigInt fields are narrowed to the safe range).
      return result.ok ? { ok: true, value: Number(result.value) } : result;
    }),
  decimal: (domain) => checked((text) => (domain.kind === "decimal" ? checkDecimal(text, domain) : mismatch(domain, "decimal"))),
  float: (domain) => checked((text) => (domain.kind === "float" ? checkFloat(text, domain) : mismatch(domain, "float"))),
  date: () => checked(checkDate),
  datetime: () => checked(checkTimestamp),
  select: (_domain, field) => {
    const choices = field.choices ?? [];
    const values = new Set(choices.map((choice) => choice.value));
    return z.string().refine((value) => values.has(value), `Choose one of: ${choices.map((choice) => choice.label).join(", ")}.`);
  },
  relation: keySchema,
};

function textSchema(domain: ColumnDomain): TextSchema {
  if (domain.kind === "uuid") return checked(checkUuid);
  return checked((text) => (domain.kind === "text" ? checkText(text, domain) : mismatch(domain, "text")));
}

/** A related record's key: text its id column can hold, else it names no record. */
function keySchema(domain: ColumnDomain): TextSchema {
  return checked((text) => {
    const key = parseKey(domain, text);
    return key === undefined ? { ok: false, message: CHOOSE_VALID } : { ok: true, value: key };
  });
}

/** A hand-made field whose widget does not fit its domain is a programming error, not bad input. */
function mismatch(domain: ColumnDomain, widget: string): never {
  throw new Error(`A ${widget} widget cannot edit a column of kind "${domain.kind}".`);
}

/** The submitted strings of a field: urlencoded bodies give a string, or an array for a repeated key. */
function submitted(body: Record<string, unknown>, name: string): string[] {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function isTicked(values: string[]): boolean {
  return values.some((value) => TRUE_WORDS.has(value.trim().toLowerCase()));
}

const checkboxSchema = z
  .array(z.string())
  .refine((values) => isTicked(values) || values.every((value) => FALSE_WORDS.has(value.trim().toLowerCase())), "Choose yes or no.")
  .transform(isTicked);

function relationsSchema(domain: ColumnDomain): z.ZodType<unknown, string[]> {
  return z
    .array(z.string())
    // An empty string is the hidden "none selected" input that lets a form clear every choice.
    .transform((values) => values.map((value) => value.trim()).filter((value) => value !== ""))
    .pipe(z.array(keySchema(domain)))
    .transform((ids) => [...new Set(ids)]);
}

/** A single-value field: the last submitted string, trimmed; empty means null, omitted (the default applies) or missing. */
function singleSchema(field: FormField, widget: TextSchema): z.ZodType<unknown, string[]> {
  return z
    .array(z.string())
    .transform((values, ctx) => {
      const text = (values.at(-1) ?? "").trim();
      if (text !== "") return text;
      if (field.nullable) return null;
      if (!field.required) return undefined;
      ctx.addIssue(REQUIRED);
      return z.NEVER;
    })
    .pipe(widget.nullable().optional());
}

function fieldSchema(field: FormField): z.ZodType<unknown, string[]> {
  const schema =
    field.widget === "checkbox" ? checkboxSchema
    : field.widget === "relations" ? relationsSchema(field.domain)
    : singleSchema(field, WIDGETS[field.widget](field.domain, field));
  return field.validate ? withCheck(schema, field.validate) : schema;
}

/** The resource's own check, on a value the field parsed; an empty field is left to `required`. */
function withCheck(schema: z.ZodType<unknown, string[]>, check: FieldCheck): z.ZodType<unknown, string[]> {
  return schema.superRefine((value, ctx) => {
    if (value === null || value === undefined) return;
    const result = check.safeParse(value);
    if (!result.success) ctx.addIssue(result.error.issues[0]?.message ?? "This value is not allowed.");
  });
}

interface CompiledForm {
  fields: FormField[];
  schema: z.ZodType<Record<string, unknown>, Record<string, string[]>>;
}

// Field lists are built once per resource at mount time, so their schemas are too.
const compiled = new WeakMap<FormField[], CompiledForm>();

function compile(fields: FormField[]): CompiledForm {
  let form = compiled.get(fields);
  if (!form) {
    const enabled = fields.filter((field) => !field.disabled);
    form = { fields: enabled, schema: z.object(Object.fromEntries(enabled.map((field) => [field.name, fieldSchema(field)]))) };
    compiled.set(fields, form);
  }
  return form;
}

export function parseForm(fields: FormField[], body: Record<string, unknown>): ParseResult {
  const form = compile(fields);
  const input = Object.fromEntries(form.fields.map((field) => [field.name, submitted(body, field.name)]));
  const result = form.schema.safeParse(input);
  if (result.success) {
    const values: FormValues = Object.fromEntries(Object.entries(result.data).filter(([, value]) => value !== undefined));
    return { ok: true, values };
  }
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0]);
    errors[name] ??= issue.message;
  }
  return { ok: false, errors, values: redisplayed(form.fields, input) };
}

/** What the user typed, for re-rendering: a checkbox as "on" or "", a multi-select as its list. */
function redisplayed(fields: FormField[], input: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(
    fields.map((field) => {
      const values = input[field.name] ?? [];
      if (field.widget === "relations") return [field.name, values];
      if (field.widget === "checkbox") return [field.name, isTicked(values) ? "on" : ""];
      return [field.name, values.at(-1) ?? ""];
    }),
  );
}
