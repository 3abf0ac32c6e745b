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
    text: `SELECT ${selects} FROM ${ident(model.dbName)} t ${joins} WHERE t.${ident(idColumn(model))} = ANY($1)`,
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
    text: `SELECT ${selects} FROM unnest(ARRAY(${page.text})) WITH ORDINALITY AS page(id, n)
           JOIN ${ident(model.dbName)} t ON t.${ident(idColumn(model))} = page.id ${joins} ORDER BY page.n`,
    values: page.values,
    types: prismaCompatibleTypes,
  });
  return rows.map(nest);
}

/** The select list and joins of a page's rows (table alias t). */
function rowSql(resource: Resource, columns: Column[]): { selects: string; joins: string } {
  const { model, global } = resource;
  const selects: string[] = [];
  const joins = new Map<string, string>();
  for (const field of model.fields) {
    if (field.kind !== "object" && !field.isList && field.type !== "Bytes") selects.push(`t.${ident(field.dbName)} AS ${ident(field.name)}`);
  }
  for (const column of columns) {
    if (column.kind === "many") {
      const field = fieldOf(model, column.path[0]!);
      const m2m = field && manyToMany(global.dataModel, model, field);
      if (!m2m) continue;
      const item = fieldOf(m2m.target, column.itemField!);
      const targetId = fieldOf(m2m.target, m2m.target.idField);
      if (!item || item.kind === "object" || !targetId || targetId.kind === "object") continue;
      selects.push(`(SELECT coalesce(json_agg(json_build_object('${m2m.target.idField}', r.${ident(targetId.dbName)}, '${column.itemField}', r.${ident(item.dbName)}) ORDER BY r.${ident(item.dbName)}), '[]')
                     FROM ${ident(m2m.joinTable)} m JOIN ${ident(m2m.target.dbName)} r ON r.${ident(targetId.dbName)} = m.${ident(m2m.targetColumn)}
                     WHERE m.${ident(m2m.ownColumn)} = t.${ident(idColumn(model))}) AS ${ident(column.path[0]!)}`);
    } else if (column.sql && column.sql.joins.length > 0) {
      for (const join of column.sql.joins) {
        const [fromAlias, fromColumn] = join.fromColumn.split(".");
        joins.set(join.alias, `LEFT JOIN ${ident(join.table)} ${join.alias} ON ${join.alias}.${ident(join.toColumn)} = ${fromAlias}.${ident(fromColumn!)}`);
      }
      selects.push(`${column.sql.alias}.${ident(column.sql.column)} AS ${ident(column.path.join("."))}`);
    }
  }
  return { selects: selects.join(", "), joins: [...joins.values()].join(" ") };
}

/** { "author.name": "Ada" } → { author: { name: "Ada" } }; a missing relation stays null. */
function nest(row: Record<string, unknown>): RecordRow {
  const result: RecordRow = {};
  for (const [key, value] of Object.entries(row)) {
    const path = key.split(".");
    let target = result;
    for (const part of path.slice(0, -1)) target = target[part] ??= {};
    target[path[path.length - 1]!] = value;
  }
  return result;
}
