import type pg from "pg";
import { inTransaction } from "../db/transaction";
import { announce } from "./task-state";

/**
 * Asks a task to stop. A PENDING task is CANCELLED at once; a RUNNING one stops between chunks (its
 * workers see the request before claiming the next chunk, and a chunk in flight rolls back), keeping
 * the counts of the chunks done. Answers false when the task had already ended.
 */
export async function cancelTask(pool: pg.Pool, taskId: number): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ status: string }>(
      `UPDATE powercrud.task SET "cancelRequested" = true,
         status = CASE WHEN status = 'PENDING' THEN 'CANCELLED'::powercrud.task_status ELSE status END,
         "finishedAt" = CASE WHEN status = 'PENDING' THEN now() ELSE "finishedAt" END
       WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING status::text AS status`,
      [taskId],
    );
    if (!rows[0]) return false;
    await announce(client, taskId);
    return true;
  });
}
