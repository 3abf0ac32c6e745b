import type pg from "pg";
import type { Resource } from "../config/resolve-resource";
import type { RecordRow } from "../config/resource-schema";
import { prismaCompatibleTypes } from "../db/pg-types";
import { ident } from "../db/sql";
import { fieldOf, idColumn, manyToMany } from "../model/relations";
import type { Column } from "./columns";

/**
 * Loads the rows of one list page in a single SQL statement: the model's own columns, each to-one
 * relation value through a join, and each many-to-many relation as a JSON array from a correlated
 * subquery. Rows come back shaped like Prisma's (author.name → { author: { name } }), in `ids` order.
 */
export async function pageRows(pool: pg.Pool, resource: Resource, ids: Array<number | string>, columns: Column[]): Promise<RecordRow[]> {
  if (ids.length === 0) return [];
  const { model } = resource;
  const { selects, joins } = rowSql(resource, columns);
  const { rows } = await pool.query({
    text: `SELECT ${selects.join(", ")} FROM ${ident(model.dbName)} t ${[...joins.values()].join(" ")} WHERE t.${ident(idColumn(model))} = ANY($1)`,
    values: [ids],
    types: prismaCompatibleTypes,
  });
  const byId = new Map(rows.map((row) => [String(row[model.idField]), nest(row)]));
  return ids.map((id) => byId.get(String(id))).filter((row): row is RecordRow => row !== undefined);
}

/**
 * The rows of the page a statement of ids finds (pageIdsQuery), in its order, in one statement with
 * it: the page costs one round trip, not one for its ids and one for its rows.
 */
export async function rowsOfPage(pool: pg.Pool, resource: Resource, page: { text: string; values: unknown[] }, columns: Column[]): Promise<RecordRow[]> {
  const { model } = resource;
  const { selects, joins } = rowSql(resource, columns);
  const { rows } = await pool.query({
    text: `SELECT ${selects.join(", ")} FROM unnest(ARRAY(${page.text})) WITH ORDINALITY AS page(id, n)
           JOIN ${ident(model.dbName)} t ON t.${ident(idColumn(model))} = page.id ${[...joins.values()].join(" ")} ORDER BY page.n`,
    values: page.values,
    types: prismaCompatibleTypes,
  });
  return rows.map(nest);
}

/**
 * What a row of the list reads, as SQL over the model's table aliased `t`: every own column (named
 * by field), each to-one relation value through a LEFT JOIN keyed by alias (named by its path,
 * "author.name"), each many-to-many relation as a JSON array of { id, displayField } (named by the
 * relation). `ownFields: "columns"` reads only the id and the own fields the columns name (an export
 * writes nothing else); list pages read them all, for record hooks and row actions.
 */
export function rowSql(resource: Resource, columns: Column[], ownFields: "all" | "columns" = "all"): { selects: string[]; joins: Map<string, string> } {
  const { model } = resource;
  const selects: string[] = [];
  const joins = new Map<string, string>();
  const named = new Set([model.idField, ...columns.filter((column) => column.kind === "field" && column.path.length === 1).map((column) => column.key)]);
  for (const field of model.fields) {
    if (ownFields === "columns" && !named.has(field.name)) continue;
    if (field.kind !== "object" && !field.isList && field.type !== "Bytes") selects.push(`t.${ident(field.dbName)} AS ${ident(field.name)}`);
  }
  for (const column of columns) {
    if (column.kind === "many") {
      const many = manyToManySql(resource, column, "json");
      if (many) selects.push(`${many} AS ${ident(column.path[0]!)}`);
    } else if (column.sql && column.sql.joins.length > 0) {
      for (const join of column.sql.joins) {
        const [fromAlias, fromColumn] = join.fromColumn.split(".");
        joins.set(join.alias, `LEFT JOIN ${ident(join.table)} ${join.alias} ON ${join.alias}.${ident(join.toColumn)} = ${fromAlias}.${ident(fromColumn!)}`);
      }
      selects.push(`${column.sql.alias}.${ident(column.sql.column)} AS ${ident(column.path.join("."))}`);
    }
  }
  return { selects, joins };
}

/**
 * A many-to-many column of a row (the model's table aliased `t`) as a correlated subquery, sorted by
 * the related records' display field: a JSON array of { id, <display field> } (list pages, which
 * link each one), or their display names joined with ", " (a CSV export). Undefined when the column
 * names no many-to-many relation with a plain display field.
 */
export function manyToManySql(resource: Resource, column: Column, shape: "json" | "names"): string | undefined {
  const { model, global } = resource;
  const field = fieldOf(model, column.path[0]!);
  const m2m = field && manyToMany(global.dataModel, model, field);
  if (!m2m) return undefined;
  const item = fieldOf(m2m.target, column.itemField!);
  const targetId = fieldOf(m2m.target, m2m.target.idField);
  if (!item || item.kind === "object" || !targetId || targetId.kind === "object") return undefined;
  const name = `r.${ident(item.dbName)}`;
  const value = shape === "json"
    ? `coalesce(json_agg(json_build_object('${m2m.target.idField}', r.${ident(targetId.dbName)}, '${column.itemField}', ${name}) ORDER BY ${name}), '[]')`
    : `string_agg(${name}::text, ', ' ORDER BY ${name})`;
  return `(SELECT ${value}
           FROM ${ident(m2m.joinTable)} m JOIN ${ident(m2m.target.dbName)} r ON r.${ident(targetId.dbName)} = m.${ident(m2m.targetColumn)}
           WHERE m.${ident(m2m.ownColumn)} = t.${ident(idColumn(model))})`;
}

/** { "author.name": "Ada" } → { author: { name: "Ada" } }; a missing relation stays null. */
export function nest(row: Record<string, unknown>): RecordRow {
  const result: RecordRow = {};
  for (const [key, value] of Object.entries(row)) {
    const path = key.split(".");
    let target = result;
    for (const part of path.slice(0, -1)) target = target[part] ??= {};
    target[path[path.length - 1]!] = value;
  }
  return result;
}
