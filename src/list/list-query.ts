import type pg from "pg";
import { ident } from "../db/sql";
import type { ModelMeta } from "../model/types";
import type { Column } from "./columns";
import type { SqlWhere } from "./filters";
import type { ListState, SortKey } from "./list-state";
import { idColumn } from "../model/relations";

export interface PageOfIds {
  ids: Array<number | string>;
  total: number;
  /** "exact", or "estimate" from the planner's statistics. */
  totalKind: "exact" | "estimate";
  page: number;
  pageCount: number;
}

/**
 * Finds the ids of one page in SQL (joins only for relation sorts, the id as the last sort key so
 * pages never repeat or skip rows), clamping the page to the last one. Rows are then fetched by id.
 */
export async function pageOfIds(pool: pg.Pool, model: ModelMeta, columns: Column[], state: ListState, where: SqlWhere, countPolicy: CountPolicy): Promise<PageOfIds> {
  const table = ident(model.dbName);
  const id = ident(idColumn(model));
  const whereText = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";

  const { joins, orderBy } = orderSql(model, columns, state.sort);
  const limit = `$${where.params.length + 1}`;
  const offset = `$${where.params.length + 2}`;
  const sql = `SELECT t.${id} AS id FROM ${table} t ${[...joins.values()].join(" ")} ${whereText}
               ORDER BY ${orderBy} LIMIT ${limit} OFFSET ${offset}`;
  const idsOf = async (page: number) =>
    (await pool.query<{ id: number | string }>(sql, [...where.params, state.pageSize, (page - 1) * state.pageSize])).rows;
  // The count and the requested page run side by side on two connections; only a page past the end
  // of an exact total costs a second trip, for the last page.
  const [{ total, totalKind }, requested] = await Promise.all([countRows(pool, table, whereText, where.params, countPolicy), idsOf(state.page)]);
  // "All" is one page of at most allLimit rows.
  let pageCount = state.all ? 1 : Math.max(1, Math.ceil(total / state.pageSize));
  // An estimate may be short of the truth: pages past it stay reachable rather than clamped.
  const page = totalKind === "exact" ? Math.min(state.page, pageCount) : state.page;
  const rows = page === state.page ? requested : await idsOf(page);
  if (totalKind === "estimate" && !state.all && rows.length === state.pageSize && page >= pageCount) pageCount = page + 1;
  return { ids: rows.map((row) => row.id), total, totalKind, page, pageCount: Math.max(pageCount, page) };
}

/**
 * The list's order as SQL: the sort keys (with the joins a relation sort needs, keyed by alias), then
 * the id as the last key, so the order is total and pages never repeat or skip rows. Exports walk
 * the same order.
 */
export function orderSql(model: ModelMeta, columns: Column[], sort: SortKey[]): { joins: Map<string, string>; orderBy: string } {
  const joins = new Map<string, string>();
  const orderBy: string[] = [];
  for (const key of sort) {
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
  const lastDescending = sort.length === 0;
  orderBy.push(`t.${ident(idColumn(model))} ${lastDescending ? "DESC" : "ASC"}`);
  return { joins, orderBy: orderBy.join(", ") };
}

export interface CountPolicy {
  /** An unfiltered list of at least this many rows (by the table's statistics) shows the estimate without counting. */
  threshold: number;
  /** An exact count that takes longer than this gives way to the estimate. */
  timeoutMs: number;
}

type Total = { total: number; totalKind: "exact" | "estimate" };

/**
 * The total of a list: exact whenever PostgreSQL can count it within the time limit, else an
 * estimate (labelled "≈" on the page). COUNT(*) over a large or scattered match set reads every
 * matching row, which on a million rows takes seconds, hence the limit.
 *
 * A filter's row estimate (the planner's) is never trusted to skip the count: it is often off by an
 * order of magnitude either way (a search and a status together: 152K guessed, 10K real). Only an
 * unfiltered table's size, from its statistics, is good enough to skip counting when it is large.
 */
async function countRows(pool: pg.Pool, table: string, whereText: string, params: unknown[], policy: CountPolicy): Promise<Total> {
  if (!whereText) {
    const size = await tableEstimate(pool, table);
    if (size >= policy.threshold) return { total: size, totalKind: "estimate" };
  }
  const exact = await countWithin(pool, `SELECT count(*) AS total FROM ${table} t ${whereText}`, params, policy.timeoutMs);
  if (exact !== undefined) return { total: exact, totalKind: "exact" };
  const estimate = whereText ? await plannerEstimate(pool, table, whereText, params) : await tableEstimate(pool, table);
  return { total: estimate, totalKind: "estimate" };
}

/** pg_class.reltuples, kept current by autovacuum and ANALYZE; -1 (never analysed) reads as 0. */
async function tableEstimate(pool: pg.Pool, table: string): Promise<number> {
  const { rows } = await pool.query<{ estimate: string }>(`SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = $1::regclass`, [table]);
  return Math.max(0, Number(rows[0]?.estimate ?? 0));
}

async function plannerEstimate(pool: pg.Pool, table: string, whereText: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table} t ${whereText}`, params);
  return Math.max(0, Math.round(rows[0]?.["QUERY PLAN"][0]?.Plan["Plan Rows"] ?? 0));
}

/**
 * The count under a statement_timeout local to its own transaction, so the limit can never stay on
 * the pooled connection. undefined when the limit cancelled it.
 */
async function countWithin(pool: pg.Pool, sql: string, params: unknown[], timeoutMs: number): Promise<number | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const { rows } = await client.query<{ total: string }>(sql, params);
    await client.query("COMMIT");
    return Number(rows[0]?.total ?? 0);
  } catch (error) {
    await client.query("ROLLBACK").catch((rollback: Error) => { broken = rollback; });
    if ((error as { code?: string }).code === "57014") return undefined; // query_canceled: over the time limit
    throw error;
  } finally {
    // A connection that cannot even roll back is dropped rather than handed to the next request.
    client.release(broken);
  }
}

function qualified(reference: string): string {
  const [alias, column] = reference.split(".");
  return `${alias}.${ident(column!)}`;
}
