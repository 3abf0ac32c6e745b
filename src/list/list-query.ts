import type pg from "pg";
import { ident } from "../db/sql";
import type { ModelMeta } from "../model/types";
import type { Column } from "./columns";
import type { SqlWhere } from "./filters";
import type { ListState } from "./list-state";
import { idColumn } from "../model/relations";

export interface PageOfIds {
  ids: Array<number | string>;
  total: number;
  /** "exact", or "estimate" from the planner's statistics. */
  totalKind: "exact" | "estimate";
  page: number;
  pageCount: number;
  /** The exact count was still running when the page was ready: it shows the estimate, and loads the count after (listTotal). */
  counting?: boolean;
}

/** The statement that finds one page's ids, with its parameters: what the list runs, for plans and tests. */
export function pageIdsQuery(model: ModelMeta, columns: Column[], state: ListState, where: SqlWhere, page = state.page): { text: string; values: unknown[] } {
  const limit = `$${where.params.length + 1}`;
  const offset = `$${where.params.length + 2}`;
  const values = [...where.params, state.pageSize, (page - 1) * state.pageSize];
  const keys = sortKeys(columns, state);
  const [first] = keys;
  const id = `t.${ident(idColumn(model))}`;
  const lastDescending = state.sort.at(-1)?.descending ?? true;
  const byId = idOrder(model, state);
  const select = (joins: Join[], extraWhere: string[], order: string[], tail: string) => {
    const conditions = [...where.clauses, ...extraWhere];
    return `SELECT ${id} AS id${tail} FROM ${ident(model.dbName)} t ${joins.map(joinSql).join(" ")}
            ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""} ORDER BY ${[...order, byId].join(", ")}`;
  };
  const allJoins = uniqueJoins(keys.flatMap((key) => key.joins));
  const nullable = first?.joins.length === 1 && !first.joins[0]!.required ? first.joins[0]! : undefined;
  if (!nullable || keys.slice(1).some((key) => key.joins.some((other) => other.alias === nullable.alias))) {
    return { text: `${select(allJoins, [], keys.flatMap((key) => key.order), "")} LIMIT ${limit} OFFSET ${offset}`, values };
  }
  // A nullable relation first in the order (sort by editor): the rows that have one are read through
  // an inner join, which can walk the related table's (name, id) index and each one's rows by
  // (key, id); the rows without one follow (ascending) or come first (descending), in the order of
  // the other keys. One LEFT JOIN instead would join and sort the whole table for every page.
  const join = nullable;
  const rest = keys.slice(1);
  const others = uniqueJoins(rest.flatMap((key) => key.joins)).filter((other) => other.alias !== join.alias);
  const outputs = keys.flatMap((key) => key.order.map((term) => term.replace(/ (ASC|DESC)$/, "")));
  const named = outputs.map((expression, index) => `, ${expression} AS k${index}`).join("");
  const blank = outputs.map((expression, index) => `, ${index < first!.order.length ? "NULL" : expression} AS k${index}`).join("");
  const directions = keys.flatMap((key) => key.order.map((term) => (term.endsWith(" DESC") ? "DESC" : "ASC")));
  const reach = `(${limit}::bigint + ${offset}::bigint)`;
  const withRelated = select([{ ...join, required: true }, ...others], [], keys.flatMap((key) => key.order), `, 0 AS part${named}`);
  const without = select(others, [`${qualified(join.fromColumn)} IS NULL`], rest.flatMap((key) => key.order), `, 1 AS part${blank}`);
  const order = [`part ${first!.descending ? "DESC" : "ASC"}`, ...directions.map((direction, index) => `k${index} ${direction}`), `id ${lastDescending ? "DESC" : "ASC"}`];
  return {
    text: `SELECT id FROM ((${withRelated} LIMIT ${reach}) UNION ALL (${without} LIMIT ${reach})) u
           ORDER BY ${order.join(", ")} LIMIT ${limit} OFFSET ${offset}`,
    values,
  };
}

/** The id as the last key, in the last sort key's direction (newest first unsorted): the order is total, pages never repeat or skip rows. */
function idOrder(model: ModelMeta, state: ListState): string {
  return `t.${ident(idColumn(model))} ${(state.sort.at(-1)?.descending ?? true) ? "DESC" : "ASC"}`;
}

/**
 * The list's order over all its rows, as pages order them: the joins its sort keys need (by alias)
 * and the ORDER BY terms, the id last. An export walks it from the first row to the last.
 */
export function listOrder(model: ModelMeta, columns: Column[], state: ListState): { joins: Map<string, string>; orderBy: string } {
  const keys = sortKeys(columns, state);
  const joins = new Map(uniqueJoins(keys.flatMap((key) => key.joins)).map((join) => [join.alias, joinSql(join)]));
  return { joins, orderBy: [...keys.flatMap((key) => key.order), idOrder(model, state)].join(", ") };
}

type Join = NonNullable<Column["sql"]>["joins"][number];

interface SortTerms {
  joins: Join[];
  /** ORDER BY terms with their direction: the column, then the related row's id for a relation. */
  order: string[];
  descending: boolean;
}

function sortKeys(columns: Column[], state: ListState): SortTerms[] {
  const keys: SortTerms[] = [];
  for (const key of state.sort) {
    const column = columns.find((candidate) => candidate.key === key.key);
    if (!column?.sql) continue;
    // Postgres' default NULL placement matches a btree scan in either direction, so an index on
    // (column, id) can serve the order. For a relation, its id comes next: then the planner can walk
    // the related table's (name, id) index and each one's rows through (foreignKey, id), stopping
    // after one page, instead of sorting the whole joined table.
    const direction = key.descending ? "DESC" : "ASC";
    const order = [`${column.sql.alias}.${ident(column.sql.column)} ${direction}`];
    const lastJoin = column.sql.joins[column.sql.joins.length - 1];
    if (lastJoin) order.push(`${lastJoin.alias}.${ident(lastJoin.toColumn)} ${direction}`);
    keys.push({ joins: column.sql.joins, order, descending: key.descending });
  }
  return keys;
}

function uniqueJoins(joins: Join[]): Join[] {
  return [...new Map(joins.map((join) => [join.alias, join])).values()];
}

/** An inner join where the key is required (same rows, and it lets the planner walk indexes). */
function joinSql(join: Join): string {
  return `${join.required ? "JOIN" : "LEFT JOIN"} ${ident(join.table)} ${join.alias} ON ${join.alias}.${ident(join.toColumn)} = ${qualified(join.fromColumn)}`;
}

/**
 * Finds the ids of one page in SQL (joins only for relation sorts, the id as the last sort key so
 * pages never repeat or skip rows), clamping the page to the last one. Rows are then fetched by id.
 */
export async function pageOfIds(pool: pg.Pool, model: ModelMeta, columns: Column[], state: ListState, where: SqlWhere, countPolicy: CountPolicy): Promise<PageOfIds> {
  return pageOf(pool, model, columns, state, where, countPolicy, async (statement) => (await pool.query<{ id: number | string }>(statement)).rows, (row) => row.id);
}

/**
 * pageOfIds, with the page's rows loaded by `load` from the statement of their ids (rowsOfPage: the
 * rows in the same round trip as their ids).
 */
export async function pageOf<Row>(
  pool: pg.Pool, model: ModelMeta, columns: Column[], state: ListState, where: SqlWhere, countPolicy: CountPolicy,
  load: (statement: { text: string; values: unknown[] }) => Promise<Row[]>, idOf: (row: Row) => number | string,
): Promise<PageOfIds & { rows: Row[] }> {
  const table = ident(model.dbName);
  const whereText = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";
  const idsOf = (page: number) => load(pageIdsQuery(model, columns, state, where, page));
  // The count, the table's size and the requested page run side by side on their own connections;
  // only a page past the end of an exact total costs a second trip, for the last page.
  const size = tableEstimate(pool, table);
  const counting = countRows(pool, table, whereText, where.params, countPolicy, size);
  // Awaited below, or by a later request; a failure while the page's own query fails first is not news.
  counting.catch(() => undefined);
  // A filtered list of a large table asks the planner beside its rows how many match: when many do,
  // the page goes out with that estimate as soon as its rows are there, not a grace period later.
  const early = whereText ? size.then((rows) => (isLarge(rows, countPolicy) ? plannerEstimate(pool, table, whereText, where.params) : undefined)) : undefined;
  early?.catch(() => undefined);
  const [requested, tableSize] = await Promise.all([idsOf(state.page), size]);
  const { total, totalKind, counting: later } = await totalInTime(counting, tableSize, countPolicy, early, () => plannerEstimate(pool, table, whereText, where.params));
  if (later) keepCount(countKey(table, whereText, where.params), counting);
  // "All" is one page of at most allLimit rows.
  let pageCount = state.all ? 1 : Math.max(1, Math.ceil(total / state.pageSize));
  // An estimate may be short of the truth: pages past it stay reachable rather than clamped.
  const page = totalKind === "exact" ? Math.min(state.page, pageCount) : state.page;
  const rows = page === state.page ? requested : await idsOf(page);
  if (totalKind === "estimate" && !state.all && rows.length === state.pageSize && page >= pageCount) pageCount = page + 1;
  return { rows, ids: rows.map(idOf), total, totalKind, page, pageCount: Math.max(pageCount, page), ...(later ? { counting: true } : {}) };
}

/** Tables this small are always counted before their page is shown: a count of them takes a few ms. */
const SMALL_TABLE = 10_000;
/** How long past its rows a page of a large table waits for its count. */
const COUNT_GRACE_MS = 5;
/** A planner's estimate of at least this many matches: their count takes longer than the grace. */
const MANY_MATCHES = 10_000;

function isLarge(tableSize: number, policy: CountPolicy): boolean {
  return tableSize >= Math.max(policy.threshold, SMALL_TABLE);
}

/**
 * The total a page is shown with. On a large table (at least countThreshold and SMALL_TABLE rows)
 * the page waits for its exact count only until its rows are there, and a few ms more, and not at
 * all when the planner (asked beside the rows: `early`) expects many matches: a count of 300,000
 * matching rows takes 30 ms, ten times the page itself. Then the planner's estimate is shown and the
 * count goes on (within countTimeoutMs), for the page to load right after (listTotal).
 */
async function totalInTime(
  counting: Promise<Total>, tableSize: number, policy: CountPolicy, early: Promise<number | undefined> | undefined, estimate: () => Promise<number>,
): Promise<Total & { counting?: boolean }> {
  if (!isLarge(tableSize, policy)) return counting;
  const expected = await early?.catch(() => undefined);
  const grace = expected !== undefined && expected >= MANY_MATCHES ? 0 : COUNT_GRACE_MS;
  const settled = await Promise.race([counting, new Promise<undefined>((resolve) => setTimeout(resolve, grace))]);
  if (settled) return settled;
  return { total: expected ?? (await estimate()), totalKind: "estimate", counting: true };
}

/** Counts still running after their page was shown, by statement, for that page's follow-up request. */
const runningCounts = new Map<string, Promise<Total>>();
/** How long a finished count waits for the request that shows it. */
const KEEP_COUNT_MS = 10_000;

function countKey(table: string, whereText: string, params: unknown[]): string {
  return `${table} ${whereText} ${JSON.stringify(params)}`;
}

function keepCount(key: string, counting: Promise<Total>): void {
  runningCounts.set(key, counting);
  const forget = () => setTimeout(() => runningCounts.get(key) === counting && runningCounts.delete(key), KEEP_COUNT_MS).unref();
  counting.then(forget, forget);
}

/**
 * The total of a list, for the request a page sends when its count was still running: the count that
 * page started when it is still there (once), else a count of its own.
 */
export async function listTotal(pool: pg.Pool, model: ModelMeta, where: SqlWhere, policy: CountPolicy): Promise<Total> {
  const table = ident(model.dbName);
  const whereText = where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : "";
  const key = countKey(table, whereText, where.params);
  const started = runningCounts.get(key);
  if (started) {
    runningCounts.delete(key);
    return started;
  }
  return countRows(pool, table, whereText, where.params, policy, tableEstimate(pool, table));
}

export interface CountPolicy {
  /** An unfiltered list of at least this many rows (by the table's statistics) shows the estimate without counting. */
  threshold: number;
  /** An exact count that takes longer than this gives way to the estimate. */
  timeoutMs: number;
}

export type Total = { total: number; totalKind: "exact" | "estimate" };

/**
 * The total of a list: exact whenever PostgreSQL can count it within the time limit, else an
 * estimate (labelled "≈" on the page). COUNT(*) over a large or scattered match set reads every
 * matching row, which on a million rows takes seconds, hence the limit.
 *
 * A filter's row estimate (the planner's) is never trusted to skip the count: it is often off by an
 * order of magnitude either way (a search and a status together: 152K guessed, 10K real). Only an
 * unfiltered table's size, from its statistics, is good enough to skip counting when it is large.
 */
async function countRows(pool: pg.Pool, table: string, whereText: string, params: unknown[], policy: CountPolicy, tableSize: Promise<number>): Promise<Total> {
  if (!whereText) {
    const size = await tableSize;
    if (size >= policy.threshold) return { total: size, totalKind: "estimate" };
  }
  const key = `${countKey(table, whereText, params)} within ${policy.timeoutMs}`;
  const tooSlow = (slowCounts.get(key) ?? 0) > Date.now();
  const exact = tooSlow ? undefined : await countWithin(pool, countSql(table, whereText), params, policy.timeoutMs);
  if (exact !== undefined) return { total: exact, totalKind: "exact" };
  if (!tooSlow) rememberSlowCount(key);
  const estimate = whereText ? await plannerEstimate(pool, table, whereText, params) : await tableSize;
  return { total: estimate, totalKind: "estimate" };
}

/**
 * Counts that hit their time limit, by statement, until when they are not tried again: paging through
 * a search that matches most of a million rows would otherwise spend the whole limit, of a busy
 * core, on every page, only to show the estimate.
 */
const slowCounts = new Map<string, number>();
const SLOW_COUNT_MS = 60_000;
const SLOW_COUNTS_KEPT = 1_000;

function rememberSlowCount(key: string): void {
  slowCounts.delete(key);
  slowCounts.set(key, Date.now() + SLOW_COUNT_MS);
  for (const oldest of slowCounts.keys()) {
    if (slowCounts.size <= SLOW_COUNTS_KEPT) break;
    slowCounts.delete(oldest);
  }
}

/** The exact count of a list's rows, as the list runs it (for plans and tests). */
export function countQuery(model: ModelMeta, where: SqlWhere): { text: string; values: unknown[] } {
  return { text: countSql(ident(model.dbName), where.clauses.length ? `WHERE ${where.clauses.join(" AND ")}` : ""), values: where.params };
}

function countSql(table: string, whereText: string): string {
  return `SELECT count(*) AS total FROM ${table} t ${whereText}`;
}

/**
 * pg_class.reltuples, kept current by autovacuum and ANALYZE; -1 (never analysed) reads as 0. It only
 * changes when those run, so a figure read in the last second is used again: a busy list would
 * otherwise spend one statement of every page on it.
 */
function tableEstimate(pool: pg.Pool, table: string): Promise<number> {
  const recent = recentEstimates.get(pool) ?? new Map<string, { at: number; estimate: Promise<number> }>();
  recentEstimates.set(pool, recent);
  const known = recent.get(table);
  if (known && Date.now() - known.at < ESTIMATE_REUSE_MS) return known.estimate;
  const estimate = pool
    .query<{ estimate: string }>(`SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = $1::regclass`, [table])
    .then(({ rows }) => Math.max(0, Number(rows[0]?.estimate ?? 0)));
  recent.set(table, { at: Date.now(), estimate });
  estimate.catch(() => recent.get(table)?.estimate === estimate && recent.delete(table));
  return estimate;
}

const ESTIMATE_REUSE_MS = 1_000;
const recentEstimates = new WeakMap<pg.Pool, Map<string, { at: number; estimate: Promise<number> }>>();

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
    // One core at most: parallel workers would take the cores the page itself and other requests need.
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}; SET LOCAL max_parallel_workers_per_gather = 0`);
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
