import type pg from "pg";
import { ident } from "../db/sql";
import type { ModelMeta } from "../model/types";
import type { Column } from "./columns";
import type { SqlWhere } from "./filters";
import type { ListState } from "./list-state";

export interface PageOfIds {
  ids: Array<number | string>;
  total: number;
  /** "exact"; "estimate" (from the planner's statistics); "at-least" (a capped count reached its cap). */
  totalKind: "exact" | "estimate" | "at-least";
  page: number;
  pageCount: number;
}

/**
 * Finds the ids of one page in SQL (joins only for relation sorts, the id as the last sort key so
 * pages never repeat or skip rows), clamping the page to the last one. Rows are then fetched by id.
 */
export async function pageOfIds(pool: pg.Pool, model: ModelMeta, columns: Column[], state: ListState, where: SqlWhere, countThreshold: number): Promise<PageOfIds> {
  const table = ident(model.dbName);
  const idColumn = ident(idDbName(model));
  const whereText = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";
  const { total, totalKind } = await countRows(pool, table, whereText, where.params, countThreshold);
  const pageCount = Math.max(1, Math.ceil(total / state.pageSize));
  const page = Math.min(state.page, pageCount);

  const joins = new Map<string, string>();
  const orderBy: string[] = [];
  for (const key of state.sort) {
    const column = columns.find((candidate) => candidate.key === key.key);
    if (!column?.sql) continue;
    for (const join of column.sql.joins) {
      // An inner join where the key is required (same rows, and it lets the planner walk indexes).
      const kind = join.required ? "JOIN" : "LEFT JOIN";
      joins.set(join.alias, `${kind} ${ident(join.table)} ${join.alias} ON ${join.alias}.${ident(join.toColumn)} = ${qualified(join.fromColumn)}`);
    }
    // Postgres' default NULL placement matches a btree scan in either direction, so an index on
    // (column, id) can serve the order. For a relation, its id comes next: then the planner can walk
    // the related table's (name, id) index and each one's rows through (foreignKey, id), stopping
    // after one page, instead of sorting the whole joined table.
    const direction = key.descending ? "DESC" : "ASC";
    orderBy.push(`${column.sql.alias}.${ident(column.sql.column)} ${direction}`);
    const lastJoin = column.sql.joins[column.sql.joins.length - 1];
    if (lastJoin) orderBy.push(`${lastJoin.alias}.${ident(lastJoin.toColumn)} ${direction}`);
  }
  const lastDescending = state.sort.length === 0;
  orderBy.push(`t.${idColumn} ${lastDescending ? "DESC" : "ASC"}`);
  const limit = `$${where.params.length + 1}`;
  const offset = `$${where.params.length + 2}`;
  const sql = `SELECT t.${idColumn} AS id FROM ${table} t ${[...joins.values()].join(" ")} ${whereText}
               ORDER BY ${orderBy.join(", ")} LIMIT ${limit} OFFSET ${offset}`;
  const { rows } = await pool.query<{ id: number | string }>(sql, [...where.params, state.pageSize, (page - 1) * state.pageSize]);
  return { ids: rows.map((row) => row.id), total, totalKind, page, pageCount };
}

/**
 * An exact COUNT(*) only when it is cheap: on tables the planner believes smaller than the threshold.
 * Larger tables answer from statistics when unfiltered, and with a count capped at the threshold
 * when filtered, so a million-row table never pays for a full count on every page.
 */
async function countRows(pool: pg.Pool, table: string, whereText: string, params: unknown[], threshold: number) {
  const { rows: stats } = await pool.query<{ estimate: string }>(`SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = $1::regclass`, [table]);
  const estimate = Number(stats[0]?.estimate ?? -1);
  if (estimate < threshold) {
    const { rows } = await pool.query<{ total: string }>(`SELECT count(*) AS total FROM ${table} t ${whereText}`, params);
    return { total: Number(rows[0]?.total ?? 0), totalKind: "exact" as const };
  }
  if (!whereText) return { total: estimate, totalKind: "estimate" as const };
  const { rows } = await pool.query<{ total: string }>(
    `SELECT count(*) AS total FROM (SELECT 1 FROM ${table} t ${whereText} LIMIT ${Math.floor(threshold) + 1}) capped`, params,
  );
  const total = Number(rows[0]?.total ?? 0);
  return total > threshold ? { total: threshold, totalKind: "at-least" as const } : { total, totalKind: "exact" as const };
}

function idDbName(model: ModelMeta): string {
  const field = model.fields.find((candidate) => candidate.name === model.idField);
  return field && field.kind !== "object" ? field.dbName : model.idField;
}

function qualified(reference: string): string {
  const [alias, column] = reference.split(".");
  return `${alias}.${ident(column!)}`;
}
