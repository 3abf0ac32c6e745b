import type pg from "pg";
import type { EnqueueRequest } from "./enqueue-task";
import { insertTask } from "./insert-task";
import { announce } from "./task-state";

/**
 * A bulk operation run in the request, recorded as a finished task inside the transaction that runs
 * it: the task row (who, when, what, on which selection) and its targets (one INSERT from the ids),
 * so it has a page on the status page, shows in records' history and can be reverted like any task.
 */
export async function startRecordedRun(client: pg.PoolClient, request: EnqueueRequest, ids: string[]): Promise<number> {
  const taskId = await insertTask(client, request, true);
  if (taskId === undefined) throw new Error("The task row of a bulk operation run in the request was not inserted.");
  await client.query(
    `INSERT INTO powercrud.task_target ("recordId", "taskId", chunk)
     SELECT u.id, $2::int, (u.n - 1) / $3::int FROM unnest($1::text[]) WITH ORDINALITY u(id, n)`,
    [ids, taskId, request.chunkSize],
  );
  return taskId;
}

/** The run's counts, with the commit that makes its changes true; status pages hear of it then. */
export async function endRecordedRun(client: pg.PoolClient, taskId: number, total: number, succeeded: number): Promise<void> {
  await client.query(`UPDATE powercrud.task SET total = $2, processed = $2, succeeded = $3 WHERE id = $1`, [taskId, total, succeeded]);
  await announce(client, taskId);
}
