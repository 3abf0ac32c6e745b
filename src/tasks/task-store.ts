import type pg from "pg";
import { BULK_JOB, EXPORT_JOB, TASK_COLUMNS, type TaskRow } from "./interfaces";

export interface TaskFailure {
  recordId: string;
  reason: string;
}

/** Reads for task pages: one task, the task a form queued, a task's failures, whether it waits for a worker. */
export class TaskStore {
  constructor(private readonly pool: pg.Pool) {}

  async find(taskId: number): Promise<TaskRow | undefined> {
    const { rows } = await this.pool.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM powercrud.task WHERE id = $1`, [taskId]);
    return rows[0];
  }

  /**
   * The task a bulk form's selection was used up by, if the same user queued it a moment ago: still
   * running, or ended within the last ten minutes (a fast task can end before a resubmit arrives).
   */
  async queuedFromSelection(token: unknown, userKey: string | undefined): Promise<number | undefined> {
    if (typeof token !== "string" || token === "") return undefined;
    const { rows } = await this.pool.query<{ id: number }>(
      `SELECT id FROM powercrud.task WHERE "selectionToken" = $1 AND "userKey" IS NOT DISTINCT FROM $2
         AND (status IN ('PENDING', 'RUNNING') OR "createdAt" > now() - interval '10 minutes')
       ORDER BY id DESC LIMIT 1`,
      [token, userKey ?? null],
    );
    return rows[0]?.id;
  }

  async failures(taskId: number, limit: number, offset: number): Promise<TaskFailure[]> {
    const { rows } = await this.pool.query<TaskFailure>(
      `SELECT "recordId", reason FROM powercrud.task_failure WHERE "taskId" = $1 ORDER BY "recordId" LIMIT $2 OFFSET $3`,
      [taskId, limit, offset],
    );
    return rows;
  }

  /** The graphile-worker job of a task is queued but no worker has locked it (no worker running). */
  async waitingForWorker(taskId: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = ANY($2::text[]) AND key ~ ('^powercrud:[a-z]+:' || $1 || ':') AND locked_by IS NULL AND run_at < now() - interval '10 seconds' LIMIT 1`,
      [String(taskId), [BULK_JOB, EXPORT_JOB]],
    ).catch(() => ({ rows: [] as unknown[] }));
    return rows.length > 0;
  }
}
