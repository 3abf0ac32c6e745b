import type pg from "pg";
import { ident } from "../db/sql";
import type { ModelMeta } from "../model/types";
import type { Column } from "./columns";
import type { ListState } from "./list-state";

export interface PageOfIds {
  ids: Array<number | string>;
  total: number;
  page: number;
  pageCount: number;
}

/**
 * Finds the ids of one page in SQL (joins only for relation sorts, the id as the last sort key so
 * pages never repeat or skip rows), clamping the page to the last one. Rows are then fetched by id.
 */
export async function pageOfIds(pool: pg.Pool, model: ModelMeta, columns: Column[], state: ListState): Promise<PageOfIds> {
  const table = ident(model.dbName);
  const idColumn = ident(idDbName(model));
  const { rows: countRows } = await pool.query<{ total: string }>(`SELECT count(*) AS total FROM ${table}`);
  const total = Number(countRows[0]?.total ?? 0);
  const pageCount = Math.max(1, Math.ceil(total / state.pageSize));
  const page = Math.min(state.page, pageCount);

  const joins = new Map<string, string>();
  const orderBy: string[] = [];
  for (const key of state.sort) {
    const column = columns.find((candidate) => candidate.key === key.key);
    if (!column?.sql) continue;
    for (const join of column.sql.joins) {
      joins.set(join.alias, `LEFT JOIN ${ident(join.table)} ${join.alias} ON ${join.alias}.${ident(join.toColumn)} = ${qualified(join.fromColumn)}`);
    }
    orderBy.push(`${column.sql.alias}.${ident(column.sql.column)} ${key.descending ? "DESC NULLS LAST" : "ASC NULLS FIRST"}`);
  }
  const lastDescending = state.sort.length === 0;
  orderBy.push(`t.${idColumn} ${lastDescending ? "DESC" : "ASC"}`);
  const sql = `SELECT t.${idColumn} AS id FROM ${table} t ${[...joins.values()].join(" ")}
               ORDER BY ${orderBy.join(", ")} LIMIT $1 OFFSET $2`;
  const { rows } = await pool.query<{ id: number | string }>(sql, [state.pageSize, (page - 1) * state.pageSize]);
  return { ids: rows.map((row) => row.id), total, page, pageCount };
}

function idDbName(model: ModelMeta): string {
  const field = model.fields.find((candidate) => candidate.name === model.idField);
  return field && field.kind !== "object" ? field.dbName : model.idField;
}

function qualified(reference: string): string {
  const [alias, column] = reference.split(".");
  return `${alias}.${ident(column!)}`;
}
