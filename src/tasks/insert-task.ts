import type pg from "pg";
import type { EnqueueRequest } from "./enqueue-task";
import type { StoredExport } from "./interfaces";

/** A task's row as it is first stored: a queued task's request without what only queueing targets needs, or an export. */
export type NewTask = Omit<EnqueueRequest, "targets" | "parallelism"> & { export?: StoredExport };

/**
 * Inserts a task row: PENDING for the workers (nothing when an identical task is already active, as
 * the partial unique index on the key decides), or, for an operation that ran in the request,
 * already SUCCESS, its messages counted as told (the user saw the outcome at once).
 */
export async function insertTask(client: pg.PoolClient, request: NewTask, ranInRequest = false): Promise<number | undefined> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO powercrud.task ("taskKey", "resourceKey", "resourceUrl", model, operation, data, description, "filterQuery",
       "selectionMode", "userKey", "userName", "userSnapshot", notify, atomic, "chunkSize", "retryOfId", "selectionToken", "revertOfId",
       status, "startedAt", "finishedAt", "announcedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
       CASE WHEN $19::boolean THEN 'SUCCESS' ELSE 'PENDING' END::powercrud.task_status,
       CASE WHEN $19::boolean THEN now() END, CASE WHEN $19::boolean THEN now() END, CASE WHEN $19::boolean THEN now() END)
     ON CONFLICT ("taskKey") WHERE status IN ('PENDING', 'RUNNING') DO NOTHING
     RETURNING id`,
    [
      request.taskKey, request.resourceKey, request.resourceUrl, request.model, request.operation,
      JSON.stringify({
        changes: request.changes,
        ...(request.journal ? { journal: request.journal } : {}),
        ...(request.force ? { force: true } : {}),
        ...(request.export ? { export: request.export } : {}),
      }),
      request.description, request.filterQuery, request.selectionMode,
      request.userKey ?? null, request.userName ?? null, snapshot(request.user), request.notify, request.atomic,
      request.chunkSize, request.retryOfId ?? null, request.selectionToken ?? null, request.revertOfId ?? null, ranInRequest,
    ],
  );
  return rows[0]?.id;
}

/** The user as JSON (what permission hooks in the worker see), or null when it cannot be stored. */
function snapshot(user: unknown): string | null {
  if (user === undefined) return null;
  try {
    return JSON.stringify(user) ?? null;
  } catch {
    return null;
  }
}
