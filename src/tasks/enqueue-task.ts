import type pg from "pg";
import { HttpError } from "../web/http-error";
import { inTransaction, sqlState } from "../db/transaction";
import { insertTask, type NewTask } from "./insert-task";
import { BULK_JOB, type JournalScope, type StoredChange, type TaskOperation } from "./interfaces";
import { announce } from "./task-state";

export interface EnqueueRequest {
  taskKey: string;
  resourceKey: string;
  resourceUrl: string;
  model: string;
  operation: TaskOperation;
  changes: StoredChange[];
  /** The task journals its changes, keeping this of each record (history on): it can be reverted. */
  journal?: JournalScope;
  /** A revert: the task it reverts, and whether it overwrites records changed since. */
  revertOfId?: number;
  force?: boolean;
  description: string;
  /** SQL yielding the target ids (column `id`) and its parameters: the selection, or a retried task's failures. */
  targets: { sql: string; params: unknown[] };
  filterQuery: string;
  selectionMode: string;
  selectionToken?: string;
  userKey: string | undefined;
  userName: string | undefined;
  user: unknown;
  notify: string[];
  atomic: boolean;
  chunkSize: number;
  parallelism: number;
  retryOfId?: number;
}

export type EnqueueResult = { kind: "queued"; taskId: number; total: number } | { kind: "duplicate"; taskId: number };

/** Another active task of the same model already holds some of the targets. */
export class HeldByTask extends HttpError {
  constructor(readonly taskId: number, message: string) {
    super(409, message, "Records are busy");
  }
}

/**
 * Queues a bulk task in ONE transaction: the task row, its frozen targets (one INSERT ... SELECT, so
 * later data changes cannot widen it and Node never holds the ids), its chunks, and the
 * graphile-worker jobs (graphile_worker.add_job on the same connection). Either all of it commits or
 * none of it does: never a task without a job, or a job without a task.
 */
export async function enqueueTask(pool: pg.Pool, request: EnqueueRequest): Promise<EnqueueResult> {
  return queueing(pool, async (client) => {
    const inserted = await insertOrFind(client, request);
    if (inserted.kind === "duplicate") return inserted;
    const { taskId } = inserted;

    const offset = request.targets.params.length;
    const frozen = await client.query(
      `INSERT INTO powercrud.task_target ("recordId", "taskId", chunk)
       SELECT s.id::text, $${offset + 1}::int, ((row_number() OVER (ORDER BY s.id)) - 1) / $${offset + 2}::int
       FROM (${request.targets.sql}) s`,
      [...request.targets.params, taskId, request.chunkSize],
    );
    const total = frozen.rowCount ?? 0;
    if (total === 0) throw new HttpError(422, "None of the selected records exist any more, so there is nothing to do.");

    await refuseHeldTargets(client, taskId, request.model);

    const chunkCount = Math.ceil(total / request.chunkSize);
    await client.query(`INSERT INTO powercrud.task_chunk ("taskId", chunk) SELECT $1, generate_series(0, $2::int - 1)`, [taskId, chunkCount]);
    await client.query(`UPDATE powercrud.task SET total = $2 WHERE id = $1`, [taskId, total]);
    // Several jobs let free workers share one task's chunks; an atomic task is one transaction, so one job.
    const jobs = request.atomic ? 1 : Math.min(request.parallelism, chunkCount);
    await client.query(
      `SELECT graphile_worker.add_job($1, json_build_object('taskId', $2::int), job_key => 'powercrud:bulk:' || $2 || ':' || n, max_attempts => 10)
       FROM generate_series(1, $3::int) n`,
      [BULK_JOB, taskId, jobs],
    );
    // Status pages show the new task at once, waiting, delivered with the commit.
    await announce(client, taskId);
    return { kind: "queued", taskId, total };
  });
}

/** Inserts a task's row; when an identical task (same key) is already waiting or running, answers that task instead. */
export async function insertOrFind(client: pg.PoolClient, task: NewTask): Promise<{ kind: "new"; taskId: number } | { kind: "duplicate"; taskId: number }> {
  const taskId = await insertTask(client, task);
  if (taskId !== undefined) return { kind: "new", taskId };
  // The partial unique index made this statement wait for the identical task's commit; it is visible now.
  const existing = await client.query<{ id: number }>(`SELECT id FROM powercrud.task WHERE "taskKey" = $1 AND status IN ('PENDING', 'RUNNING')`, [task.taskKey]);
  if (existing.rows[0]) return { kind: "duplicate", taskId: existing.rows[0].id };
  throw new Error("A task with this key was neither created nor found.");
}

/**
 * Runs the transaction that queues a task. A database without PowerCRUD's task tables or
 * graphile-worker's schema answers 503, with nothing changed.
 */
export async function queueing<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(pool, work);
  } catch (error) {
    const state = sqlState(error);
    if (state === "3F000" || state === "42883" || state === "42P01") {
      throw new HttpError(
        503,
        "Background tasks are not set up in this database (graphile-worker's schema or PowerCRUD's task tables are missing), so nothing was changed. An administrator must run `npx powercrud migrate` and start a worker once (it creates graphile-worker's schema), or set bulk.background.enabled to false.",
        "Background tasks unavailable",
      );
    }
    throw error;
  }
}

/** Refuses a task whose targets overlap an active task on the same model, naming that task. */
async function refuseHeldTargets(client: pg.PoolClient, taskId: number, model: string): Promise<void> {
  // Usually no other task is active on the model: then the overlap is not looked for at all.
  const others = await client.query<{ id: number }>(
    `SELECT id FROM powercrud.task WHERE model = $1 AND status IN ('PENDING', 'RUNNING') AND id <> $2`,
    [model, taskId],
  );
  if (others.rows.length === 0) return;
  const { rows } = await client.query<{ taskId: number }>(
    `SELECT other."taskId" FROM powercrud.task_target mine
     JOIN powercrud.task_target other ON other."recordId" = mine."recordId" AND other."taskId" = ANY($2::int[])
     WHERE mine."taskId" = $1 LIMIT 1`,
    [taskId, others.rows.map((row) => row.id)],
  );
  if (rows[0]) {
    throw new HeldByTask(rows[0].taskId, `Some of these records are being changed by bulk task #${rows[0].taskId}, so nothing was queued. Wait for it to finish, or cancel it, then try again.`);
  }
}
