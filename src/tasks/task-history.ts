import type pg from "pg";
import { TASK_COLUMNS, type TaskRow, type TaskStatus } from "./interfaces";

/** What the status page's list shows: validated filters and a keyset page position. */
export interface TaskQuery {
  /** Only this user's tasks (undefined: everyone's, for task managers). */
  owner?: string | null;
  statuses?: TaskStatus[];
  resourceKey?: string;
  /** Another user's tasks, chosen by a manager. */
  userKey?: string;
  /** createdAt >= from and < to (UTC). */
  from?: Date;
  to?: Date;
  /** Older than this id (the next page) or newer (the previous page). */
  before?: number;
  after?: number;
  limit: number;
}

export interface TaskPage {
  tasks: TaskRow[];
  /** Ids for the "Older" and "Newer" links, when there is such a page. */
  olderThan?: number;
  newerThan?: number;
}

/**
 * The status page's history, newest first, paged by id (keyset) so the 4,000th page costs what the
 * first does: every filter is a plain predicate, and the primary key (or the (userKey, id) index for
 * one user's tasks) gives the order without sorting 100,000 rows.
 */
export async function listTasks(pool: pg.Pool, query: TaskQuery): Promise<TaskPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.owner !== undefined) where.push(`"userKey" IS NOT DISTINCT FROM ${param(query.owner)}`);
  if (query.userKey !== undefined) where.push(`"userKey" = ${param(query.userKey)}`);
  if (query.statuses?.length) where.push(`status = ANY(${param(query.statuses)}::powercrud.task_status[])`);
  if (query.resourceKey !== undefined) where.push(`"resourceKey" = ${param(query.resourceKey)}`);
  if (query.from) where.push(`"createdAt" >= ${param(query.from)}`);
  if (query.to) where.push(`"createdAt" < ${param(query.to)}`);
  const backwards = query.after !== undefined && query.before === undefined;
  if (query.before !== undefined) where.push(`id < ${param(query.before)}`);
  else if (query.after !== undefined) where.push(`id > ${param(query.after)}`);
  const sql = `SELECT ${TASK_COLUMNS} FROM powercrud.task ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY id ${backwards ? "ASC" : "DESC"} LIMIT ${param(query.limit + 1)}`;
  const { rows } = await pool.query<TaskRow>(sql, params);
  const more = rows.length > query.limit;
  const tasks = rows.slice(0, query.limit);
  if (backwards) tasks.reverse();
  const first = tasks[0]?.id;
  const last = tasks.at(-1)?.id;
  // Going back from a page: there is an older one (the page we came from). Going forward: a newer one exists if we did not start at the top.
  const hasOlder = backwards ? last !== undefined : more;
  const hasNewer = backwards ? more : query.before !== undefined && first !== undefined;
  return {
    tasks,
    ...(hasOlder && last !== undefined ? { olderThan: last } : {}),
    ...(hasNewer && first !== undefined ? { newerThan: first } : {}),
  };
}

/**
 * The users who have tasks, for a manager's user filter: a loose index scan over (userKey, id), one
 * probe per distinct user instead of reading every task.
 */
export async function taskUsers(pool: pg.Pool, limit = 200): Promise<Array<{ userKey: string; userName: string | null }>> {
  const { rows } = await pool.query<{ userKey: string; userName: string | null }>(
    `WITH RECURSIVE users AS (
       (SELECT "userKey" FROM powercrud.task WHERE "userKey" IS NOT NULL ORDER BY "userKey" LIMIT 1)
       UNION ALL
       SELECT (SELECT t."userKey" FROM powercrud.task t WHERE t."userKey" > users."userKey" ORDER BY t."userKey" LIMIT 1)
       FROM users WHERE users."userKey" IS NOT NULL
     )
     SELECT "userKey", (SELECT t."userName" FROM powercrud.task t WHERE t."userKey" = users."userKey" ORDER BY t.id DESC LIMIT 1) AS "userName"
     FROM users WHERE "userKey" IS NOT NULL LIMIT $1`,
    [limit],
  );
  return rows;
}

/** How many PENDING or RUNNING tasks this user has (the navbar indicator); the status index keeps it to the few active rows. */
export async function runningCount(pool: pg.Pool, userKey: string | null): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM powercrud.task WHERE status IN ('PENDING', 'RUNNING') AND "userKey" IS NOT DISTINCT FROM $1`,
    [userKey],
  );
  return rows[0]?.n ?? 0;
}
