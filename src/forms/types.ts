import type { ColumnDomain } from "../model/column-domain";

/**
 * A resource's own check of a field's parsed value: any zod schema (`z.string().regex(...)`,
 * `z.number().min(1)`). Only its verdict counts; the stored value stays the parsed one.
 */
export interface FieldCheck {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
}

/** What a dependent field's hook is given: the parsed values of the fields it depends on. */
export interface ChoicesContext<User = any> {
  /**
   * The `on` fields' parsed values by form field name (`authorId`), as `form.validate` sees them: a
   * number for an Int key, null for "none". A field the form does not set (a bulk edit that leaves it,
   * a create form without it) is absent.
   */
  values: FormValues;
  user: User | undefined;
  /** The request; every call comes from one. */
  req: unknown;
}

/** A dependent field's filter: the Prisma `where` of the related model its choices must match. */
export type ChoicesWhere = (ctx: ChoicesContext) => Record<string, unknown> | undefined | null | Promise<Record<string, unknown> | undefined | null>;

/** A relation field's choices narrowed by other fields' values (options `form.dependentChoices`). */
export interface DependentChoices {
  /** The fields it depends on, as single-value form fields (so their submitted values can be parsed). */
  on: FormField[];
  where: ChoicesWhere;
  message?: string;
}

/** One input of a generated create/edit form. */
export interface FormField {
  /** Model field name: a scalar or enum field, a foreign-key column (authorId) or an M2M relation (genres). */
  name: string;
  label: string;
  widget: "text" | "textarea" | "integer" | "decimal" | "float" | "checkbox" | "date" | "datetime" | "select" | "relation" | "relations";
  /** The user must give a value (non-nullable without a default). */
  required: boolean;
  /** The column accepts NULL: an empty input means "none". */
  nullable: boolean;
  /** Shown but not editable, and ignored when posted. */
  disabled: boolean;
  /**
   * The values the form accepts: the column's domain (for relations, the referenced key's), narrowed
   * to what the widget can carry. Every submitted value is checked against it before any query.
   */
  domain: ColumnDomain;
  /** The resource's extra check (options `form.validate`), run on a filled-in field's parsed value. */
  validate?: FieldCheck;
  help?: string;
  /** Enum choices (value = enum value, label = humanized). */
  choices?: Array<{ value: string; label: string }>;
  /** For widget "relation" (foreign key) and "relations" (many-to-many). */
  relation?: { model: string; idField: string; labelField: string; multiple: boolean; /** The label is text, so the search box can match it. */ labelIsText: boolean };
  /** Decimal step from the column's scale, e.g. "0.01" for Decimal(10, 2). */
  step?: string;
  /** Smallest value the column holds: the Int range, or -max for Decimal(p, s). */
  min?: number;
  /** Largest value the column holds: the Int range, or the largest absolute value of Decimal(p, s), e.g. 99999999.99. */
  max?: number;
  /** Digits of a Decimal(p, s) column; checked on the submitted text, as numbers cannot hold every decimal exactly. */
  precision?: number;
  scale?: number;
  maxLength?: number;
  /** Value a create form starts with (literal @default). */
  initial?: string | number | boolean;
  /** Its choices follow other fields' values (relation fields only). */
  dependent?: DependentChoices;
}

/**
 * Parsed, typed values keyed by FormField.name: string, number, boolean, Date, string (decimal), a key
 * (number for Int ids, bigint for BigInt ids, string for text and UUID ids), a list of keys (M2M), or null.
 */
export type FormValues = Record<string, unknown>;

export type ParseResult =
  | { ok: true; values: FormValues }
  | { ok: false; errors: Record<string, string>; values: Record<string, string | string[]> };
