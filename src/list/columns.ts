import type { PropertyConfig } from "../config/resource-schema";
import { humanize } from "../model/labels";
import { columnName, displayFieldOf, fieldOf, manyToMany, relationOfForeignKey } from "../model/relations";
import type { DataModelMeta, ModelMeta, RelationFieldMeta } from "../model/types";

export type ColumnFormat = "text" | "longtext" | "integer" | "number" | "decimal" | "date" | "datetime" | "boolean" | "enum" | "list" | "json";

/** One displayed value of a record: a list column, a detail row, or an edit form's context row. */
export interface Column {
  /** What the developer named: "title", "author", "author.name", "genres", a property name. */
  key: string;
  label: string;
  kind: "field" | "relation" | "many" | "property";
  /** Where the value sits in a fetched record: ["author", "name"]. */
  path: string[];
  format: ColumnFormat;
  /** Enum type name, for labels. */
  enumName?: string;
  /** Decimal places of a Decimal(p, s) column, so 17.7 shows as 17.70. */
  scale?: number;
  /** Sortable in SQL (fields and to-one relation paths). */
  sortable: boolean;
  link: boolean;
  /** Help text for the list's column header (options `list.help`). */
  help?: string;
  /** For "many": the related model's display field. */
  itemField?: string;
  /** For sorting by a relation path: the joins from the root model and the final column. */
  sql?: { joins: Array<{ alias: string; table: string; fromColumn: string; toColumn: string; required: boolean }>; column: string; alias: string };
}

export interface ColumnContext {
  dataModel: DataModelMeta;
  model: ModelMeta;
  labels: Record<string, string>;
  properties: Record<string, PropertyConfig>;
  displayFields: Record<string, string>;
}

/**
 * Resolves a column name against the model. Throws with the valid choices when the name does not
 * exist, so a typo in options fails at mount time.
 */
export function resolveColumn(ctx: ColumnContext, key: string): Column {
  const { dataModel, model, labels, properties } = ctx;
  const label = labels[key];
  if (properties[key]) {
    return { key, label: label ?? properties[key].label, kind: "property", path: [key], format: "text", sortable: false, link: false };
  }
  const segments = key.split(".");
  let current = model;
  const joins: NonNullable<Column["sql"]>["joins"] = [];
  let alias = "t";
  for (let index = 0; index < segments.length - 1; index++) {
    const relation = toOneRelation(current, segments[index]!);
    if (!relation) throw new Error(`"${key}": "${segments[index]}" is not a to-one relation of ${current.name} (relations: ${toOneNames(current).join(", ") || "none"})`);
    const target = dataModel.models[relation.type]!;
    const nextAlias = `j_${segments.slice(0, index + 1).join("_")}`;
    joins.push({
      alias: nextAlias, table: target.dbName, fromColumn: `${alias}.${columnName(current, relation.fromFields[0]!)}`,
      toColumn: columnName(target, relation.toFields[0]!), required: relation.isRequired && (joins.length === 0 || joins[joins.length - 1]!.required),
    });
    alias = nextAlias;
    current = target;
  }
  const last = segments[segments.length - 1]!;
  const field = fieldOf(current, last);
  const humanLabel = label ?? (segments.length > 1 ? humanize(segments.slice(0, -1).join(" ")) + " " + humanize(last).toLowerCase() : humanize(last));
  if (!field) {
    const choices = current.fields.map((f) => f.name).concat(segments.length === 1 ? Object.keys(properties) : []);
    throw new Error(`"${key}": ${current.name} has no field "${last}" (choices: ${choices.join(", ")})`);
  }
  if (field.kind === "scalar" && field.foreignKeyOf && segments.length === 1) return resolveColumn(ctx, field.foreignKeyOf);
  if (field.kind === "object") {
    const m2m = manyToMany(dataModel, current, field);
    if (field.isList) {
      const target = dataModel.models[field.type]!;
      if (!m2m) throw new Error(`"${key}": ${current.name}.${last} is a one-to-many relation; list columns show fields, to-one relations and many-to-many relations`);
      return {
        key, label: label ?? humanize(last), kind: "many", path: segments, format: "list", sortable: false, link: false,
        itemField: displayFieldOf(target, ctx.displayFields[target.name]),
      };
    }
    const target = dataModel.models[field.type]!;
    const display = displayFieldOf(target, ctx.displayFields[target.name]);
    const column = resolveColumn({ ...ctx, labels: {} }, `${key}.${display}`);
    return { ...column, key, label: label ?? humanize(last), kind: "relation" };
  }
  const format: ColumnFormat =
    field.kind === "enum" ? "enum"
      : field.type === "Boolean" ? "boolean"
      : field.type === "Int" || field.type === "BigInt" ? "integer"
      : field.type === "Float" ? "number"
      : field.type === "Decimal" ? "decimal"
      : field.type === "DateTime" ? (field.kind === "scalar" && field.nativeType === "Date" ? "date" : "datetime")
      : field.type === "Json" || field.type === "Bytes" ? "json"
      : field.kind === "scalar" && field.nativeType === "Text" ? "longtext"
      : "text";
  return {
    key, label: humanLabel, kind: "field", path: segments, format,
    ...(field.kind === "enum" ? { enumName: field.type } : {}),
    ...(field.kind === "scalar" && format === "decimal" && field.nativeTypeArgs?.[1] ? { scale: Number(field.nativeTypeArgs[1]) } : {}),
    sortable: format !== "json" && format !== "longtext",
    link: false,
    sql: { joins, column: field.dbName, alias },
  };
}

/** The columns a list shows when the developer names none: the model's own fields, readable. */
export function defaultColumnKeys(dataModel: DataModelMeta, model: ModelMeta): string[] {
  const keys: string[] = [];
  for (const field of model.fields) {
    if (field.kind === "scalar") {
      if (field.isId || field.type === "Json" || field.type === "Bytes" || field.nativeType === "Text") continue;
      if (field.foreignKeyOf) continue;
      keys.push(field.name);
    } else if (field.kind === "enum") {
      keys.push(field.name);
    } else if (!field.isList && field.fromFields.length > 0) {
      keys.push(field.name);
    } else if (manyToMany(dataModel, model, field)) {
      keys.push(field.name);
    }
  }
  return keys;
}

/** Every field a record of the model has worth showing on its detail page. */
export function detailColumnKeys(dataModel: DataModelMeta, model: ModelMeta): string[] {
  const keys = [model.idField];
  for (const field of model.fields) {
    if (field.name === model.idField) continue;
    if (field.kind === "scalar" && !field.foreignKeyOf && field.type !== "Bytes") keys.push(field.name);
    else if (field.kind === "enum") keys.push(field.name);
    else if (field.kind === "object" && ((!field.isList && field.fromFields.length > 0) || manyToMany(dataModel, model, field))) keys.push(field.name);
  }
  return keys;
}

function toOneRelation(model: ModelMeta, name: string): RelationFieldMeta | undefined {
  const field = fieldOf(model, name);
  if (field?.kind === "object" && !field.isList && field.fromFields.length === 1) return field;
  if (field?.kind === "scalar") {
    const relation = relationOfForeignKey(model, field);
    if (relation) return relation;
  }
  return undefined;
}

function toOneNames(model: ModelMeta): string[] {
  return model.fields.filter((f) => f.kind === "object" && !f.isList && f.fromFields.length === 1).map((f) => f.name);
}
