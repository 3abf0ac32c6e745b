import type pg from "pg";
import { cleanupExportFiles } from "../export/export-files";

/** The graphile-worker task (and cron identifier) that removes finished tasks past their retention. */
export const CLEANUP_JOB = "powercrud:cleanup";

export interface CleanupOptions {
  /** Finished tasks older than this many days (by finishedAt) are removed. */
  retentionDays: number;
  /** Rows per DELETE statement: each statement is its own short transaction. */
  batchSize: number;
  /** Tasks handled per round. */
  tasksPerRound?: number;
}

export interface CleanupResult {
  tasks: number;
  rows: number;
}

const CHILD_TABLES = ["powercrud.task_target", "powercrud.task_failure", "powercrud.task_chunk"] as const;

/**
 * Removes the files of exports whose download time is over, then finished tasks (with their targets,
 * chunks, failures and export files) older than the retention period.
 * A million-target task would make one cascading DELETE hold its locks for seconds, so the child rows
 * go first, `batchSize` at a time, each batch its own autocommitted statement; the task rows last,
 * re-checked as finished and old. Only those rows are ever locked: pages and workers carry on.
 */
export async function cleanupTasks(pool: pg.Pool, options: CleanupOptions): Promise<CleanupResult> {
  // Export files usually expire long before their task: they go first, whatever the task's age.
  const result: CleanupResult = { tasks: 0, rows: await cleanupExportFiles(pool) };
  const perRound = options.tasksPerRound ?? 100;
  for (;;) {
    const { rows } = await pool.query<{ id: number }>(
      `SELECT id FROM powercrud.task
       WHERE status NOT IN ('PENDING', 'RUNNING') AND "finishedAt" < now() - make_interval(days => $1)
       ORDER BY id LIMIT $2`,
      [options.retentionDays, perRound],
    );
    if (rows.length === 0) return result;
    const ids = rows.map((row) => row.id);
    for (const table of CHILD_TABLES) {
      for (;;) {
        const deleted = await pool.query(
          `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE "taskId" = ANY($1::int[]) LIMIT $2))`,
          [ids, options.batchSize],
        );
        result.rows += deleted.rowCount ?? 0;
        if ((deleted.rowCount ?? 0) < options.batchSize) break;
      }
    }
    const deleted = await pool.query(
      `DELETE FROM powercrud.task WHERE id = ANY($1::int[]) AND status NOT IN ('PENDING', 'RUNNING') AND "finishedAt" < now() - make_interval(days => $2)`,
      [ids, options.retentionDays],
    );
    result.tasks += deleted.rowCount ?? 0;
    result.rows += deleted.rowCount ?? 0;
  }
}
