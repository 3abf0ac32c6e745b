import type pg from "pg";
import { announce } from "./task-state";

export interface ChunkOutcome {
  succeeded: number;
  failures: Array<{ id: string; reason: string }>;
}

/**
 * Records a chunk in the transaction that applied it: its failures, the chunk done, the task's counts
 * and a NOTIFY that is delivered with the commit. Answers false, leaving the caller to roll the chunk
 * back, when the task was cancelled or ended meanwhile: a cancel stops between chunks, never inside one.
 */
export async function finishChunk(client: pg.PoolClient, taskId: number, chunk: number, processed: number, outcome: ChunkOutcome): Promise<boolean> {
  if (outcome.failures.length) {
    await client.query(
      `INSERT INTO powercrud.task_failure ("taskId", "recordId", reason) SELECT $1, * FROM unnest($2::text[], $3::text[])
       ON CONFLICT ("taskId", "recordId") DO UPDATE SET reason = EXCLUDED.reason`,
      [taskId, outcome.failures.map((failure) => failure.id), outcome.failures.map((failure) => failure.reason)],
    );
  }
  await client.query(`UPDATE powercrud.task_chunk SET done = true WHERE "taskId" = $1 AND chunk = $2`, [taskId, chunk]);
  const counted = await client.query(
    `UPDATE powercrud.task SET processed = processed + $2, succeeded = succeeded + $3, failed = failed + $4, "heartbeatAt" = now()
     WHERE id = $1 AND status = 'RUNNING' AND NOT "cancelRequested"`,
    [taskId, processed, outcome.succeeded, outcome.failures.length],
  );
  if (!counted.rowCount) return false;
  await announce(client, taskId);
  return true;
}
