import type pg from "pg";

export interface ClaimedChunk {
  chunk: number;
  ids: string[];
}

/**
 * Claims the next undone chunk of a running task, inside the caller's transaction: the row lock
 * (FOR UPDATE SKIP LOCKED) keeps other workers on other chunks until this transaction ends. Nothing
 * is claimed when the task stopped running or a cancel was asked for: cancel takes effect between chunks.
 */
export async function claimChunk(client: pg.PoolClient, taskId: number): Promise<ClaimedChunk | undefined> {
  const task = await client.query<{ go: boolean }>(
    `SELECT status = 'RUNNING' AND NOT "cancelRequested" AS go FROM powercrud.task WHERE id = $1`,
    [taskId],
  );
  if (!task.rows[0]?.go) return undefined;
  const claimed = await client.query<{ chunk: number }>(
    `SELECT chunk FROM powercrud.task_chunk WHERE "taskId" = $1 AND NOT done ORDER BY chunk LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [taskId],
  );
  const chunk = claimed.rows[0]?.chunk;
  if (chunk === undefined) return undefined;
  const targets = await client.query<{ recordId: string }>(
    `SELECT "recordId" FROM powercrud.task_target WHERE "taskId" = $1 AND chunk = $2`,
    [taskId, chunk],
  );
  return { chunk, ids: targets.rows.map((row) => row.recordId) };
}
