import type pg from "pg";
import { ident } from "../db/sql";
import { checkDate, columnDomain, keyCast, keyDomain, parseKey, type ColumnDomain } from "../model/column-domain";
import { humanize } from "../model/labels";
import { isDatePreset, presetRange, type DatePreset } from "./date-presets";
import { columnName, displayFieldOf, fieldOf, idColumn, manyToMany, relationOfForeignKey } from "../model/relations";
import type { DataModelMeta, ModelMeta } from "../model/types";

/** A filter control generated from a field's type. */
export interface FilterSpec {
  /** Field name, also the query parameter's name. */
  name: string;
  label: string;
  kind: "text" | "enum" | "boolean" | "number" | "date" | "relation" | "many";
  nullable: boolean;
  choices?: Array<{ value: string; label: string }>;
  relation?: {
    model: string;
    idField: string;
    table: string;
    idColumn: string;
    labelField: string;
    labelColumn: string;
    /** The label is a String column: choices are searched by it (otherwise by id). */
    labelIsText: boolean;
    /** What the id column holds. */
    key: ColumnDomain;
  };
  /** Column in the model's table (not for "many"). */
  column?: string;
  /** Prisma scalar type of the column (numbers and dates), or the enum's name: the SQL casts follow it. */
  sqlType?: string;
  /** What a number column holds: bounds beyond it are decided here, never sent. */
  domain?: ColumnDomain;
  /** Join table details for "many". */
  many?: { table: string; ownColumn: string; targetColumn: string };
}

export interface SqlWhere {
  clauses: string[];
  params: unknown[];
}

export function filterSpecs(dataModel: DataModelMeta, model: ModelMeta, names: string[], displayFields: Record<string, string>, labels: Record<string, string> = {}): FilterSpec[] {
  const specs = names.map((name) => {
    const spec = filterSpec(dataModel, model, name, displayFields);
    return { ...spec, label: labels[name] ?? labels[spec.name] ?? spec.label };
  });
  const repeated = specs.find((spec, index) => specs.findIndex((other) => other.name === spec.name) !== index);
  if (repeated) throw new Error(`"${repeated.name}" is listed twice (a relation and its key column are the same filter)`);
  return specs;
}

function filterSpec(dataModel: DataModelMeta, model: ModelMeta, name: string, displayFields: Record<string, string>): FilterSpec {
  let field = fieldOf(model, name);
  if (field?.kind === "object" && !field.isList && field.fromFields.length === 1) field = fieldOf(model, field.fromFields[0]!);
  const valid = () => model.fields.filter((f) => f.kind !== "object" || manyToMany(dataModel, model, f)).map((f) => f.name).join(", ");
  if (!field) throw new Error(`"${name}" is not a field of ${model.name} (choices: ${valid()})`);
  const label = humanize(name);
  if (field.kind === "object") {
    const m2m = manyToMany(dataModel, model, field);
    if (!m2m) throw new Error(`"${name}" cannot be filtered: only to-one and many-to-many relations can (choices: ${valid()})`);
    return {
      name, label, kind: "many", nullable: false,
      relation: relationInfo(dataModel, m2m.target, displayFields),
      many: { table: m2m.joinTable, ownColumn: m2m.ownColumn, targetColumn: m2m.targetColumn },
    };
  }
  const nullable = !field.isRequired;
  if (field.isList) throw new Error(`"${name}" is a list of values and cannot be filtered (choices: ${valid()})`);
  if (field.kind === "enum") {
    const values = dataModel.enums[field.type]?.values ?? [];
    return { name, label, kind: "enum", nullable, column: field.dbName, sqlType: field.type, choices: values.map((value) => ({ value, label: humanize(value.toLowerCase()) })) };
  }
  const relation = relationOfForeignKey(model, field);
  if (relation) {
    const target = dataModel.models[relation.type]!;
    return {
      name: relation.name, label: humanize(relation.name), kind: "relation", nullable, column: field.dbName,
      // The key column holds what the referenced column holds.
      relation: { ...relationInfo(dataModel, target, displayFields), key: columnDomain(dataModel, field) },
    };
  }
  switch (field.type) {
    case "String":
      return { name, label, kind: "text", nullable, column: field.dbName };
    case "Boolean":
      return { name, label, kind: "boolean", nullable, column: field.dbName };
    case "Int": case "BigInt": case "Float": case "Decimal":
      return { name, label, kind: "number", nullable, column: field.dbName, sqlType: field.type, domain: columnDomain(dataModel, field) };
    case "DateTime":
      return { name, label, kind: "date", nullable, column: field.dbName, sqlType: field.type };
    default:
      throw new Error(`"${name}" (${field.type}) cannot be filtered`);
  }
}

function relationInfo(dataModel: DataModelMeta, target: ModelMeta, displayFields: Record<string, string>): NonNullable<FilterSpec["relation"]> {
  const labelField = displayFieldOf(target, displayFields[target.name]);
  const label = fieldOf(target, labelField);
  return {
    model: target.name,
    idField: target.idField,
    table: target.dbName,
    idColumn: idColumn(target),
    labelField,
    labelColumn: columnName(target, labelField),
    labelIsText: label?.kind === "scalar" && label.type === "String",
    key: keyDomain(dataModel, target),
  };
}

/** Which filters are in force, read from the query string; malformed values are dropped, never passed on. */
export interface ActiveFilter {
  spec: FilterSpec;
  text?: string;
  values?: string[];
  min?: string;
  max?: string;
  empty?: boolean;
  all?: boolean;
  /** A date filter's relative range ("last-7-days"); it replaces min and max. */
  preset?: DatePreset;
}

const NUMBER = /^-?\d{1,15}(\.\d{1,10})?$/;

export function activeFilters(specs: FilterSpec[], query: Record<string, unknown>): ActiveFilter[] {
  const active: ActiveFilter[] = [];
  const get = (key: string) => {
    const value = query[key];
    // Postgres text cannot hold NUL: such a value could never match, so it is dropped like other junk.
    return (Array.isArray(value) ? value : [value])
      .filter((item): item is string => typeof item === "string" && item !== "" && !item.includes("\0"))
      .map((item) => item.slice(0, 200));
  };
  for (const spec of specs) {
    const filter: ActiveFilter = { spec };
    const empty = get(`${spec.name}.empty`)[0];
    if (spec.nullable && (empty === "1" || empty === "0")) filter.empty = empty === "1";
    const raw = get(spec.name).flatMap((value) => value.split(","));
    switch (spec.kind) {
      case "text":
        if (raw.length) filter.text = get(spec.name)[0]!.trim();
        break;
      case "enum":
        filter.values = [...new Set(raw.filter((value) => spec.choices!.some((choice) => choice.value === value)))];
        break;
      case "boolean":
        if (raw[0] === "yes" || raw[0] === "no") filter.values = [raw[0]];
        break;
      case "relation":
      case "many":
        // Only keys the id column can hold; each in its canonical text ("007" is "7").
        filter.values = [...new Set(raw.flatMap((value) => {
          const key = parseKey(spec.relation!.key, value);
          return key === undefined ? [] : [String(key)];
        }))];
        if (spec.kind === "many" && get(`${spec.name}.all`)[0] === "1") filter.all = true;
        break;
      case "number":
      case "date": {
        const preset = get(`${spec.name}.preset`)[0];
        if (spec.kind === "date" && isDatePreset(preset)) {
          filter.preset = preset;
          break;
        }
        const valid = (value: string | undefined) => value !== undefined && (spec.kind === "number" ? NUMBER.test(value) : checkDate(value).ok);
        const min = get(`${spec.name}.min`)[0];
        const max = get(`${spec.name}.max`)[0];
        if (valid(min)) filter.min = min;
        if (valid(max)) filter.max = max;
        break;
      }
    }
    if (filter.text || filter.values?.length || filter.min || filter.max || filter.preset || filter.empty !== undefined) active.push(filter);
  }
  return active;
}

/** The search of a list: its text, the resource's search fields and, when looked up, the related ids that match. */
export interface Search {
  text: string;
  conditions: SearchField[];
  /** From relatedSearchIds: per field, the ids of the related rows that match (undefined: not looked up). */
  relatedIds?: Array<unknown[] | undefined>;
}

/** Set-based SQL conditions on the model's table (alias t) for the active filters and the search text. */
export function whereSql(active: ActiveFilter[], search: Search | undefined, model: ModelMeta, firstParam = 1): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + firstParam - 1}`;
  };
  const rowId = `t.${ident(idColumn(model))}`;
  for (const filter of active) {
    const { spec } = filter;
    const column = spec.column ? `t.${ident(spec.column)}` : "";
    if (filter.empty !== undefined) clauses.push(`${column} IS ${filter.empty ? "" : "NOT "}NULL`);
    if (filter.text) clauses.push(`${column} ILIKE ${param(`%${escapeLike(filter.text)}%`)}`);
    if (filter.values?.length) {
      switch (spec.kind) {
        case "enum":
          clauses.push(`${column} = ANY(${param(filter.values)}::${ident(spec.sqlType!)}[])`);
          break;
        case "boolean":
          clauses.push(`${column} = ${param(filter.values[0] === "yes")}`);
          break;
        case "relation":
          clauses.push(`${column} = ANY(${param(filter.values)}::${keyCast(spec.relation!.key)}[])`);
          break;
        case "many": {
          const many = spec.many!;
          const ids = `${param(filter.values)}::${keyCast(spec.relation!.key)}[]`;
          const [own, target] = [`m.${ident(many.ownColumn)}`, `m.${ident(many.targetColumn)}`];
          // Any: a semi-join. All: one pass over the links of the chosen ids, grouped by record, keeping
          // the records linked to every one of them (the ids are distinct, so the counts compare).
          clauses.push(filter.all && filter.values.length > 1
            ? `${rowId} IN (SELECT ${own} FROM ${ident(many.table)} m WHERE ${target} = ANY(${ids}) GROUP BY ${own} HAVING count(DISTINCT ${target}) = cardinality(${ids}))`
            : `EXISTS (SELECT 1 FROM ${ident(many.table)} m WHERE ${own} = ${rowId} AND ${target} = ANY(${ids}))`);
          break;
        }
      }
    }
    // Bounds are cast to the column's own type (rounded inwards for whole numbers), so the column is
    // compared as it is and its index can serve the range.
    if (spec.kind === "date") {
      // A preset's days are worked out now, on every request: the URL keeps the preset, not its dates.
      const { min, max } = filter.preset ? presetRange(filter.preset) : filter;
      if (min) clauses.push(`${column} >= ${param(min)}::date`);
      if (max) clauses.push(`${column} < (${param(max)}::date + 1)`);
    } else if ((filter.min || filter.max) && spec.domain?.kind === "integer") {
      const { min, max, sqlType } = spec.domain;
      // Decided exactly on the text (Number() would round 2147483647.0000000001 down into the range);
      // a bound beyond the type matches nothing, or every value.
      if (filter.min) {
        const bound = roundInward(filter.min, "ceil");
        clauses.push(bound > max ? "FALSE" : bound <= min ? `${column} IS NOT NULL` : `${column} >= ${param(String(bound))}::${sqlType}`);
      }
      if (filter.max) {
        const bound = roundInward(filter.max, "floor");
        clauses.push(bound < min ? "FALSE" : bound >= max ? `${column} IS NOT NULL` : `${column} <= ${param(String(bound))}::${sqlType}`);
      }
    } else if (filter.min || filter.max) {
      // An unconstrained numeric or float8 holds every bound NUMBER lets through.
      const type = spec.domain?.kind === "float" ? "float8" : "numeric";
      if (filter.min) clauses.push(`${column} >= ${param(filter.min)}::${type}`);
      if (filter.max) clauses.push(`${column} <= ${param(filter.max)}::${type}`);
    }
  }
  if (search && search.text && search.conditions.length) {
    const pattern = param(`%${escapeLike(search.text)}%`);
    clauses.push(`(${search.conditions.map((field, index) => {
      const ids = search.relatedIds?.[index];
      if (field.related && ids) return `t.${ident(field.related.column)} = ANY(${param(ids)}::${field.related.cast}[])`;
      return field.condition.replaceAll("$PATTERN", pattern);
    }).join(" OR ")})`);
  }
  return { clauses, params };
}

/** The smallest whole number at or above (ceil), or the largest at or below (floor), a decimal text. */
function roundInward(text: string, direction: "ceil" | "floor"): bigint {
  const [, sign, whole, fraction = ""] = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)!;
  const truncated = sign ? -BigInt(whole!) : BigInt(whole!);
  if (/^0*$/.test(fraction)) return truncated;
  if (direction === "ceil") return sign ? truncated : truncated + 1n;
  return sign ? truncated - 1n : truncated;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One search field of a resource. */
export interface SearchField {
  /** Its SQL condition on the model's table (alias t), with `$PATTERN` standing for the pattern parameter. */
  condition: string;
  /** For a relation path: the query for the related rows' ids whose text matches ($1), and the key column that holds them. */
  related?: { lookup: string; column: string; cast: string };
}

/**
 * The search fields of a resource, one per path. A relation path compares the key column with the
 * matching related ids, `= ANY(ARRAY(SELECT ...))`, so each side uses its own index (a trigram index
 * on the related text, the key's btree here) and an OR of fields can combine index scans.
 */
export function searchConditions(dataModel: DataModelMeta, model: ModelMeta, fields: string[]): SearchField[] {
  return fields.map((path) => {
    const [head, tail] = path.split(".");
    const field = fieldOf(model, head!);
    if (tail === undefined) {
      if (field?.kind !== "scalar" || field.type !== "String") throw new Error(`"${path}" is not a text field of ${model.name}`);
      return { condition: `t.${ident(field.dbName)} ILIKE $PATTERN` };
    }
    if (field?.kind !== "object" || field.isList || field.fromFields.length !== 1) throw new Error(`"${path}": "${head}" is not a to-one relation of ${model.name}`);
    const target = dataModel.models[field.type]!;
    const targetField = fieldOf(target, tail);
    if (targetField?.kind !== "scalar" || targetField.type !== "String") throw new Error(`"${path}": "${tail}" is not a text field of ${target.name}`);
    const foreignKey = fieldOf(model, field.fromFields[0]!);
    if (foreignKey?.kind === "object" || !foreignKey) throw new Error(`"${path}": "${head}" has no key column`);
    const ids = `SELECT s.${ident(idColumn(target))} AS id FROM ${ident(target.dbName)} s WHERE s.${ident(targetField.dbName)} ILIKE`;
    return {
      condition: `t.${ident(foreignKey.dbName)} = ANY(ARRAY(${ids} $PATTERN))`,
      related: { lookup: `${ids} $1`, column: foreignKey.dbName, cast: keyCast(columnDomain(dataModel, foreignKey)) },
    };
  });
}

/** Related rows looked up per relation search field, beyond which the list keeps the subquery. */
const RELATED_ID_LIMIT = 1_000;

/**
 * The ids of the related rows a search matches, per relation search field, looked up before the list
 * query (one indexed query each, side by side). In the list query they are a parameter, so PostgreSQL
 * plans with the real number of matches: with `= ANY(ARRAY(SELECT ...))` it guesses ten related rows,
 * thinks a search matching 20 books matches 33,000, and walks the whole sort index to find them.
 */
export async function relatedSearchIds(pool: pg.Pool, fields: SearchField[], text: string): Promise<Array<unknown[] | undefined>> {
  if (!text) return [];
  const pattern = `%${escapeLike(text)}%`;
  return Promise.all(fields.map(async (field) => {
    if (!field.related) return undefined;
    const { rows } = await pool.query<{ id: unknown }>(`${field.related.lookup} LIMIT ${RELATED_ID_LIMIT + 1}`, [pattern]);
    return rows.length > RELATED_ID_LIMIT ? undefined : rows.map((row) => row.id);
  }));
}
