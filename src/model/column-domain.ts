/**
 * The values each column really holds in PostgreSQL, and the checks that keep everything else out.
 * Forms, bulk edit, relation choices, list filters and route ids all read user input through these
 * checks, so no value reaches a query that PostgreSQL would refuse (or that an index could not hold).
 */
import { fieldOf, manyToMany, modelOf } from "./relations";
import type { DataModelMeta, EnumFieldMeta, FieldMeta, ModelMeta, ScalarFieldMeta } from "./types";

export interface TextLimits {
  /** Characters of a String column without a declared length (@db.VarChar(n)) that no B-tree index holds. */
  maxTextLength: number;
  /** Characters of a String column without a declared length that a B-tree index holds (id, @unique, @@index). */
  maxIndexedTextLength: number;
}

export const DEFAULT_TEXT_LIMITS: TextLimits = { maxTextLength: 100_000, maxIndexedTextLength: 500 };

/**
 * A B-tree entry must stay under 2,704 bytes. One indexed text value may take this much UTF-8, leaving
 * room for the other columns of a composite index; 500 characters of up to 4 bytes each always fit.
 */
export const INDEXED_TEXT_BYTES = 2_000;

export type ColumnDomain =
  | { kind: "integer"; sqlType: "int2" | "int4" | "int8"; min: bigint; max: bigint }
  | { kind: "float"; max: number }
  | { kind: "decimal"; precision: number; scale: number }
  | { kind: "boolean" }
  | { kind: "date" }
  | { kind: "timestamp" }
  | { kind: "text"; maxLength: number; maxBytes?: number }
  | { kind: "uuid" }
  | { kind: "enum"; values: string[] }
  /** Json, Bytes and native types PowerCRUD does not read from user input. */
  | { kind: "other" };

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const INTEGER_RANGES = {
  int2: { min: -32_768n, max: 32_767n },
  int4: { min: -2_147_483_648n, max: 2_147_483_647n },
  int8: { min: -9_223_372_036_854_775_808n, max: 9_223_372_036_854_775_807n },
} as const;

// PostgreSQL's own limits for an unconstrained numeric.
const NUMERIC_WHOLE_DIGITS = 131_072;
const NUMERIC_SCALE = 16_383;
const FLOAT4_MAX = 3.4028234663852886e38;

export function columnDomain(dataModel: DataModelMeta, field: ScalarFieldMeta | EnumFieldMeta, limits: TextLimits = DEFAULT_TEXT_LIMITS): ColumnDomain {
  if (field.kind === "enum") return { kind: "enum", values: [...(dataModel.enums[field.type]?.values ?? [])] };
  const args = (field.nativeTypeArgs ?? []).map(Number);
  switch (field.type) {
    case "Int":
      return integerDomain(field.nativeType === "SmallInt" ? "int2" : "int4");
    case "BigInt":
      return integerDomain("int8");
    case "Float":
      return { kind: "float", max: field.nativeType === "Real" ? FLOAT4_MAX : Number.MAX_VALUE };
    case "Decimal":
      // Prisma's Decimal without @db.Decimal(p, s) is DECIMAL(65, 30); @db.Decimal alone is an unconstrained numeric.
      if (field.nativeType === undefined) return { kind: "decimal", precision: 65, scale: 30 };
      if (Number.isInteger(args[0])) return { kind: "decimal", precision: args[0]!, scale: Number.isInteger(args[1]) ? args[1]! : 0 };
      return { kind: "decimal", precision: NUMERIC_WHOLE_DIGITS + NUMERIC_SCALE, scale: NUMERIC_SCALE };
    case "Boolean":
      return { kind: "boolean" };
    case "DateTime":
      if (field.nativeType === "Time" || field.nativeType === "Timetz") return { kind: "other" };
      return { kind: field.nativeType === "Date" ? "date" : "timestamp" };
    case "String":
      return textDomain(field, args, limits);
    default:
      return { kind: "other" };
  }
}

export function integerDomain(sqlType: "int2" | "int4" | "int8"): Extract<ColumnDomain, { kind: "integer" }> {
  return { kind: "integer", sqlType, ...INTEGER_RANGES[sqlType] };
}

function textDomain(field: ScalarFieldMeta, args: number[], limits: TextLimits): ColumnDomain {
  if (field.nativeType === "Uuid") return { kind: "uuid" };
  const declared = (field.nativeType === "VarChar" || field.nativeType === "Char") && Number.isInteger(args[0]) ? args[0] : undefined;
  const maxLength = declared ?? (field.inBtreeIndex ? limits.maxIndexedTextLength : limits.maxTextLength);
  return { kind: "text", maxLength, ...(field.inBtreeIndex ? { maxBytes: INDEXED_TEXT_BYTES } : {}) };
}

/** The domain of a field by name: its column, or for a many-to-many relation the related model's id. */
export function fieldDomain(dataModel: DataModelMeta, model: ModelMeta, name: string, limits: TextLimits = DEFAULT_TEXT_LIMITS): ColumnDomain {
  const field: FieldMeta | undefined = fieldOf(model, name);
  if (!field) throw new Error(`${model.name} has no field "${name}".`);
  if (field.kind !== "object") return columnDomain(dataModel, field, limits);
  const link = manyToMany(dataModel, model, field);
  if (link) return keyDomain(dataModel, link.target, limits);
  if (field.fromFields.length === 1) return fieldDomain(dataModel, model, field.fromFields[0]!, limits);
  return { kind: "other" };
}

/** The domain of a model's id column. */
export function keyDomain(dataModel: DataModelMeta, model: ModelMeta | string, limits: TextLimits = DEFAULT_TEXT_LIMITS): ColumnDomain {
  const target = typeof model === "string" ? modelOf(dataModel, model) : model;
  return fieldDomain(dataModel, target, target.idField, limits);
}

/** The SQL type to cast a key parameter to, so comparisons use the column's own type (and its index). */
export function keyCast(domain: ColumnDomain): string {
  switch (domain.kind) {
    case "integer":
      return domain.sqlType;
    case "uuid":
      return "uuid";
    default:
      return "text";
  }
}

// ------------------------------------------------------------------ checks of submitted text

/** A whole number inside the column's range, compared exactly (Number() would round 2147483647.5 or 2^53 + 1). */
export function checkInteger(text: string, domain: Extract<ColumnDomain, { kind: "integer" }>): Checked<bigint> {
  if (!/^-?\d+$/.test(text)) return { ok: false, message: "Enter a whole number." };
  const outside = { ok: false as const, message: `Enter a number between ${domain.min} and ${domain.max}.` };
  // More than 20 significant digits is beyond every integer type; BigInt() need not read 100 KB of them.
  if (text.replace(/^-?0*/, "").length > 20) return outside;
  const value = BigInt(text);
  return value < domain.min || value > domain.max ? outside : { ok: true, value };
}

/** A decimal number as normalized text, within the column's precision and scale. */
export function checkDecimal(text: string, domain: Extract<ColumnDomain, { kind: "decimal" }>): Checked<string> {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return { ok: false, message: "Enter a number." };
  const value = normalizeDecimal(text);
  const fraction = value.split(".")[1] ?? "";
  if (fraction.length > domain.scale) return { ok: false, message: `Enter a number with at most ${domain.scale} decimal places.` };
  if (wholeDigits(value) > domain.precision - domain.scale) {
    return { ok: false, message: domain.precision <= 65 ? `Enter a number no larger than ${decimalMax(domain)}.` : "Enter a smaller number." };
  }
  return { ok: true, value };
}

/** The largest absolute value of Decimal(p, s) as text, e.g. "99999999.99" for (10, 2). */
export function decimalMax(domain: Extract<ColumnDomain, { kind: "decimal" }>): string {
  const whole = "9".repeat(domain.precision - domain.scale) || "0";
  return domain.scale > 0 ? `${whole}.${"9".repeat(domain.scale)}` : whole;
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

export function checkFloat(text: string, domain: Extract<ColumnDomain, { kind: "float" }>): Checked<number> {
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return { ok: false, message: "Enter a number." };
  const value = Number(text);
  if (!Number.isFinite(value) || Math.abs(value) > domain.max) return { ok: false, message: "Enter a smaller number." };
  return { ok: true, value: value || 0 };
}

/** PostgreSQL has no year 0 (JavaScript has), and forms and filters write four-digit years. */
export function inDateRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

const YEAR_RANGE = "Enter a year between 0001 and 9999.";

/** A YYYY-MM-DD that names a real day (2023-02-30 would roll into March) between years 1 and 9999. */
export function checkDate(text: string): Checked<Date> {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? utcDate(`${text}T00:00:00.000Z`) : undefined;
  if (!date) return { ok: false, message: "Enter a real date as YYYY-MM-DD." };
  return inDateRange(date) ? { ok: true, value: date } : { ok: false, message: YEAR_RANGE };
}

/** What a datetime-local input sends, with or without seconds; PowerCRUD keeps times in UTC. */
export function checkTimestamp(text: string): Checked<Date> {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(text);
  const date = match ? utcDate(`${match[1]}T${match[2]}:${match[3] ?? "00"}.${(match[4] ?? "").padEnd(3, "0")}Z`) : undefined;
  if (!date) return { ok: false, message: "Enter a real date and time as YYYY-MM-DDTHH:MM." };
  return inDateRange(date) ? { ok: true, value: date } : { ok: false, message: YEAR_RANGE };
}

function utcDate(iso: string): Date | undefined {
  const date = new Date(iso);
  return !Number.isNaN(date.getTime()) && date.toISOString() === iso ? date : undefined;
}

/** Text the column can store: no NUL (PostgreSQL text cannot hold it), not longer than the column or its index allows. */
export function checkText(text: string, domain: Extract<ColumnDomain, { kind: "text" }>): Checked<string> {
  if (text.includes("\u0000")) return { ok: false, message: "Remove the invalid character (NUL)." };
  if (isLonger(text, domain.maxLength)) return { ok: false, message: `At most ${domain.maxLength.toLocaleString("en")} characters.` };
  if (domain.maxBytes !== undefined && Buffer.byteLength(text, "utf8") > domain.maxBytes) {
    return { ok: false, message: "This text is too long to be stored; shorten it." };
  }
  return { ok: true, value: text };
}

/** Columns count characters (code points), not UTF-16 units; counting stops as soon as the limit is passed. */
function isLonger(text: string, maxLength: number): boolean {
  if (text.length <= maxLength) return false;
  let count = 0;
  for (const _ of text) if (++count > maxLength) return true;
  return false;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical form, lower-cased as PostgreSQL returns it. */
export function checkUuid(text: string): Checked<string> {
  return UUID.test(text) ? { ok: true, value: text.toLowerCase() } : { ok: false, message: "Enter a valid UUID." };
}

/**
 * The typed value of a key (an id or a foreign key) given as text, or undefined when the column
 * could not hold it: such a key names no record. Whole-number keys are positive, as sequences give them.
 */
export function parseKey(domain: ColumnDomain, text: string): number | bigint | string | undefined {
  switch (domain.kind) {
    case "integer": {
      const checked = checkInteger(text, domain);
      if (!checked.ok || checked.value < 1n) return undefined;
      return domain.sqlType === "int8" ? checked.value : Number(checked.value);
    }
    case "uuid": {
      const checked = checkUuid(text);
      return checked.ok ? checked.value : undefined;
    }
    case "text": {
      const checked = checkText(text, domain);
      return checked.ok && text !== "" ? checked.value : undefined;
    }
    default:
      return undefined;
  }
}
