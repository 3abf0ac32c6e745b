import type pg from "pg";
import { TASK_CHANNEL, TASK_COLUMNS, type TaskRow } from "./interfaces";

/** Tells listeners (status pages) that a task changed; runs inside the caller's transaction, so it arrives with the commit. */
export async function announce(client: pg.PoolClient | pg.Pool, taskId: number): Promise<void> {
  await client.query(`SELECT pg_notify($1, $2)`, [TASK_CHANNEL, JSON.stringify({ id: taskId })]);
}

export async function loadTask(db: pg.Pool | pg.PoolClient, taskId: number): Promise<TaskRow | undefined> {
  const { rows } = await db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM powercrud.task WHERE id = $1`, [taskId]);
  return rows[0];
}

/** Marks a PENDING task RUNNING (the first worker to start it); returns the task as it now is. */
export async function startTask(pool: pg.Pool, taskId: number): Promise<TaskRow | undefined> {
  const client = await pool.connect();
  try {
    const started = await client.query(
      `UPDATE powercrud.task SET status = 'RUNNING', "startedAt" = now(), "heartbeatAt" = now() WHERE id = $1 AND status = 'PENDING'`,
      [taskId],
    );
    if (started.rowCount) await announce(client, taskId);
    return await loadTask(client, taskId);
  } finally {
    client.release();
  }
}

/**
 * Ends a RUNNING task once nothing is left to do: every chunk done, or a cancel requested. Whoever
 * commits the last chunk sees all chunks done, so exactly one worker ends the task; it gets the row
 * back (for notifications), the others get nothing.
 */
export async function finishTask(pool: pg.Pool, taskId: number): Promise<TaskRow | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<TaskRow>(
      `UPDATE powercrud.task SET
         status = (CASE WHEN "cancelRequested" THEN 'CANCELLED' WHEN failed = 0 THEN 'SUCCESS' WHEN succeeded = 0 THEN 'FAILED' ELSE 'PARTIAL' END)::powercrud.task_status,
         "finishedAt" = now()
       WHERE id = $1 AND status = 'RUNNING'
         AND ("cancelRequested" OR NOT EXISTS (SELECT 1 FROM powercrud.task_chunk WHERE "taskId" = $1 AND NOT done))
       RETURNING ${TASK_COLUMNS}`,
      [taskId],
    );
    if (rows[0]) await announce(client, taskId);
    return rows[0];
  } finally {
    client.release();
  }
}

/** Ends a task that cannot run at all (its resource is unknown, its job gave up), keeping its counts. */
export async function failTask(pool: pg.Pool, taskId: number, message: string): Promise<TaskRow | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<TaskRow>(
      `UPDATE powercrud.task SET status = 'FAILED', error = $2, "finishedAt" = now()
       WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING ${TASK_COLUMNS}`,
      [taskId, message.slice(0, 2_000)],
    );
    if (rows[0]) await announce(client, taskId);
    return rows[0];
  } finally {
    client.release();
  }
}
