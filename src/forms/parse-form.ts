import { z } from "zod";
import type { FormField, FormValues, ParseResult } from "./types";

const REQUIRED = "This field is required.";
const CHOOSE_VALID = "Choose a valid option.";
const TRUE_WORDS = new Set(["on", "true", "1", "yes"]);
const FALSE_WORDS = new Set(["", "off", "false", "0", "no"]);

type Widget = FormField["widget"];
type TextSchema = z.ZodType<unknown, string>;

/** Each single-value widget turns the trimmed, non-empty submitted text into its value. */
const WIDGETS: Record<Exclude<Widget, "checkbox" | "relations">, (field: FormField) => TextSchema> = {
  text: textSchema,
  textarea: textSchema,
  integer: (field) => {
    const min = field.min ?? Number.MIN_SAFE_INTEGER;
    const max = field.max ?? Number.MAX_SAFE_INTEGER;
    return z
      .string()
      .regex(/^-?\d+$/, "Enter a whole number.")
      // "-0" is 0; `|| 0` keeps a negative zero out of the values.
      .transform((text) => Number(text) || 0)
      .refine((value) => value >= min && value <= max, `Enter a number between ${min} and ${max}.`);
  },
  decimal: decimalSchema,
  float: () =>
    z
      .string()
      .regex(/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i, "Enter a number.")
      .transform(Number)
      .refine(Number.isFinite, "Enter a number."),
  date: () =>
    z.string().transform((text, ctx) => {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? utcDate(`${text}T00:00:00.000Z`) : undefined;
      if (date) return date;
      ctx.addIssue("Enter a real date as YYYY-MM-DD.");
      return z.NEVER;
    }),
  // What a datetime-local input sends, with or without seconds; PowerCRUD keeps times in UTC.
  datetime: () =>
    z.string().transform((text, ctx) => {
      const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
      const date = match
        ? utcDate(`${match[1]}T${match[2]}:${match[3] ?? "00"}.${(match[4] ?? "").padEnd(3, "0")}Z`)
        : undefined;
      if (date) return date;
      ctx.addIssue("Enter a real date and time as YYYY-MM-DDTHH:MM.");
      return z.NEVER;
    }),
  select: (field) => {
    const choices = field.choices ?? [];
    const values = new Set(choices.map((choice) => choice.value));
    return z.string().refine((value) => values.has(value), `Choose one of: ${choices.map((choice) => choice.label).join(", ")}.`);
  },
  relation: () => idSchema,
};

function textSchema(field: FormField): TextSchema {
  const maxLength = field.maxLength ?? Infinity;
  return z
    .string()
    // PostgreSQL text cannot store NUL, so it is refused here rather than failing the query.
    .refine((text) => !text.includes("\u0000"), "Remove the invalid character (NUL).")
    // Columns count characters, not UTF-16 units.
    .refine((text) => [...text].length <= maxLength, `At most ${maxLength} characters.`);
}

function decimalSchema(field: FormField): TextSchema {
  const { precision, scale = 0, max } = field;
  return z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, "Enter a number.")
    .transform(normalizeDecimal)
    .refine(
      (text) => precision === undefined || (text.split(".")[1] ?? "").length <= scale,
      `Enter a number with at most ${scale} decimal places.`,
    )
    .refine((text) => precision === undefined || wholeDigits(text) <= precision - scale, `Enter a number no larger than ${max}.`);
}

/** "-007.500" → "-7.5", "-0.0" → "0": no leading zeros, no trailing fraction zeros, no negative zero. */
function normalizeDecimal(text: string): string {
  const [, sign, whole, fraction = ""] = /^(-?)0*(\d+?)(?:\.(\d*?)0*)?$/.exec(text)!;
  const digits = fraction ? `${whole}.${fraction}` : whole!;
  return /^[0.]+$/.test(digits) ? "0" : `${sign}${digits}`;
}

/** Digits before the point of a normalized decimal; "0.5" has none. */
function wholeDigits(text: string): number {
  const whole = text.replace(/^-/, "").split(".")[0];
  return whole === "0" ? 0 : (whole?.length ?? 0);
}

/** The Date a full ISO text names, or undefined when it does not exist (2023-02-30 would roll into March). */
function utcDate(iso: string): Date | undefined {
  const date = new Date(iso);
  return !Number.isNaN(date.getTime()) && date.toISOString() === iso ? date : undefined;
}

const idSchema = z
  .string()
  .regex(/^\d+$/, CHOOSE_VALID)
  .transform(Number)
  .refine((id) => id > 0 && Number.isSafeInteger(id), CHOOSE_VALID);

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

const relationsSchema = z
  .array(z.string())
  // An empty string is the hidden "none selected" input that lets a form clear every choice.
  .transform((values) => values.map((value) => value.trim()).filter((value) => value !== ""))
  .pipe(z.array(idSchema))
  .transform((ids) => [...new Set(ids)]);

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
  if (field.widget === "checkbox") return checkboxSchema;
  if (field.widget === "relations") return relationsSchema;
  return singleSchema(field, WIDGETS[field.widget](field));
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
