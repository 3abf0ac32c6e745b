import type pg from "pg";
import { cleanupExportFiles } from "../export/export-files";

/** The graphile-worker task (and cron identifier) that removes finished tasks past their retention. */
export const CLEANUP_JOB = "powercrud:cleanup";

export interface CleanupOptions {
  /** Finished tasks older than this many days (by finishedAt) are removed, and record changes older than it. */
  retentionDays: number;
  /** Resources kept for another number of days (`history.retentionDays`), by resource key. */
  byResource?: Record<string, number>;
  /** Rows per DELETE statement: each statement is its own short transaction. */
  batchSize: number;
  /** Tasks handled per round. */
  tasksPerRound?: number;
}

export interface CleanupResult {
  tasks: number;
  rows: number;
}

const CHILD_TABLES = ["powercrud.task_target", "powercrud.task_failure", "powercrud.task_chunk", "powercrud.journal"] as const;

/**
 * Removes the files of exports whose download time is over, then finished tasks (with their targets,
 * chunks, failures, journal and export files) older than their resource's retention period, and the
 * record changes older than it. A million-target task would make one cascading DELETE hold its locks
 * for seconds, so the child rows go first, `batchSize` at a time, each batch its own autocommitted
 * statement; the task rows last, re-checked as finished and old. Only those rows are ever locked:
 * pages and workers carry on.
 */
export async function cleanupTasks(pool: pg.Pool, options: CleanupOptions): Promise<CleanupResult> {
  // Export files usually expire long before their task: they go first, whatever the task's age.
  const result: CleanupResult = { tasks: 0, rows: await cleanupExportFiles(pool) };
  const perRound = options.tasksPerRound ?? 100;
  const keys = Object.keys(options.byResource ?? {});
  const days = keys.map((key) => options.byResource![key]!);
  // A task is old by its own resource's retention: $1 is the default, $2/$3 the resources kept otherwise.
  const old = `"finishedAt" < now() - make_interval(days => COALESCE((SELECT r.days FROM unnest($2::text[], $3::int[]) r(key, days) WHERE r.key = "resourceKey"), $1))`;
  for (;;) {
    const { rows } = await pool.query<{ id: number }>(
      `SELECT id FROM powercrud.task WHERE status NOT IN ('PENDING', 'RUNNING') AND ${old} ORDER BY id LIMIT $4`,
      [options.retentionDays, keys, days, perRound],
    );
    if (rows.length === 0) break;
    const ids = rows.map((row) => row.id);
    for (const table of CHILD_TABLES) {
      result.rows += await inBatches(pool, options.batchSize, (limit) => [
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE "taskId" = ANY($1::int[]) LIMIT $2))`,
        [ids, limit],
      ]);
    }
    const deleted = await pool.query(
      `DELETE FROM powercrud.task WHERE id = ANY($4::int[]) AND status NOT IN ('PENDING', 'RUNNING') AND ${old}`,
      [options.retentionDays, keys, days, ids],
    );
    result.tasks += deleted.rowCount ?? 0;
    result.rows += deleted.rowCount ?? 0;
  }
  // Record changes: each resource kept otherwise by its (resourceKey, at) index, the rest by the default.
  for (const [index, key] of keys.entries()) {
    result.rows += await inBatches(pool, options.batchSize, (limit) => [
      `DELETE FROM powercrud.record_change WHERE id = ANY(ARRAY(SELECT id FROM powercrud.record_change
         WHERE "resourceKey" = $1 AND at < now() - make_interval(days => $2) LIMIT $3))`,
      [key, days[index], limit],
    ]);
  }
  result.rows += await inBatches(pool, options.batchSize, (limit) => [
    `DELETE FROM powercrud.record_change WHERE id = ANY(ARRAY(SELECT id FROM powercrud.record_change
       WHERE "resourceKey" <> ALL($1::text[]) AND at < now() - make_interval(days => $2) LIMIT $3))`,
    [keys, options.retentionDays, limit],
  ]);
  return result;
}

/** Runs a DELETE of at most `batchSize` rows until one deletes fewer; each is its own transaction. */
async function inBatches(pool: pg.Pool, batchSize: number, statement: (limit: number) => [string, unknown[]]): Promise<number> {
  let total = 0;
  for (;;) {
    const [sql, params] = statement(batchSize);
    const deleted = (await pool.query(sql, params)).rowCount ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
