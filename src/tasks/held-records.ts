import type pg from "pg";
import type { ScalarRead } from "../db/read-together";

/**
 * Which of these records an active (PENDING or RUNNING) task holds, and by which task: one indexed
 * lookup of the ids in the task targets (keyed by record id first), joined to the active tasks of the
 * model. Finished tasks keep their targets for retries but hold nothing.
 */
export async function heldRecords(pool: pg.Pool, model: string, ids: Array<string | number | bigint>): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query<{ recordId: string; taskId: number }>(
    `SELECT DISTINCT ON (x."recordId") x."recordId", x."taskId"
     FROM powercrud.task_target x JOIN powercrud.task t ON t.id = x."taskId"
     WHERE x."recordId" = ANY($1::text[]) AND t.model = $2 AND t.status IN ('PENDING', 'RUNNING')
     ORDER BY x."recordId", x."taskId"`,
    [ids.map(String), model],
  );
  return new Map(rows.map((row) => [row.recordId, row.taskId]));
}

/**
 * Whether any task is active on the model, as a read for readTogether: when none is (the usual
 * case), lists skip the lookup of held records.
 */
export function activeTaskRead(model: string): ScalarRead<boolean> {
  return {
    sql: `SELECT EXISTS (SELECT 1 FROM powercrud.task WHERE model = $1 AND status IN ('PENDING', 'RUNNING'))`,
    params: [model],
    parse: Boolean,
  };
}
