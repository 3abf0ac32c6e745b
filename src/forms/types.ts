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
}

/** Parsed, typed values keyed by FormField.name: string, number, boolean, Date, string (decimal), number[] (M2M), or null. */
export type FormValues = Record<string, unknown>;

export type ParseResult =
  | { ok: true; values: FormValues }
  | { ok: false; errors: Record<string, string>; values: Record<string, string | string[]> };
