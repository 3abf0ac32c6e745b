import type pg from "pg";
import type { Task } from "graphile-worker";
import type { Resource } from "../config/resolve-resource";
import type { TasksConfig } from "../config/background-schema";
import { claimChunk } from "./claim-chunk";
import { inTransaction } from "../db/transaction";
import { finishChunk } from "./finish-chunk";
import { startHeartbeat } from "./heartbeat";
import type { TaskRow } from "./interfaces";
import type { TaskNotifier } from "./notifications";
import { announce, failTask, finishTask, startTask } from "./task-state";
import { chunkWork, type ChunkWork } from "./task-work";

export interface TaskRunnerContext {
  pool: pg.Pool;
  resources: Map<string, Resource>;
  config: TasksConfig;
  notifier: TaskNotifier;
  log: (message: string) => void;
}

/**
 * The graphile-worker task that runs a bulk task. Its steps: mark the task RUNNING; beat while
 * working; claim, apply and record one chunk per transaction until none is left (other jobs of the
 * same task claim other chunks at the same time); end the task when all chunks are done; notify.
 * Killed at any moment, it loses at most the chunk in flight, which rolls back and runs again.
 */
export function bulkTaskHandler(context: TaskRunnerContext): Task {
  return async (payload, helpers) => {
    const taskId = Number((payload as { taskId?: unknown })?.taskId);
    if (!Number.isSafeInteger(taskId)) return;
    const heartbeat = startHeartbeat(context.pool, String(helpers.job.id), helpers.job.locked_by ?? `job-${helpers.job.id}`, taskId, context.config.heartbeatMs, context.log);
    try {
      const task = await startTask(context.pool, taskId);
      if (!task || task.status !== "RUNNING") return;
      const resource = context.resources.get(task.resourceKey);
      if (!resource) {
        await failTask(context.pool, taskId, `This worker has no resource "${task.resourceKey}": mount the same resources in the worker process as in the web app.`);
        return;
      }
      let work: ChunkWork;
      try {
        work = chunkWork(resource, task);
      } catch (error) {
        await ended(context, await failTask(context.pool, taskId, (error as Error).message));
        return;
      }
      const user = task.userSnapshot ?? undefined;
      if (task.atomic) await runAtomic(context, task, work, user);
      else {
        const { pauseMs } = resource.background;
        while (await runNextChunk(context.pool, taskId, work, user)) {
          if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }
      await ended(context, await finishTask(context.pool, taskId));
    } catch (error) {
      // graphile-worker retries the job (the task resumes at its next undone chunk); after the last attempt the task fails.
      if (helpers.job.attempts >= helpers.job.max_attempts) await ended(context, await failTask(context.pool, taskId, (error as Error).message));
      throw error;
    } finally {
      await heartbeat.stop();
    }
  };
}

/** One chunk in one transaction: claim, apply, record; false when nothing is left for this job. */
async function runNextChunk(pool: pg.Pool, taskId: number, work: ChunkWork, user: unknown): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const claimed = await claimChunk(client, taskId);
    if (!claimed) {
      await client.query("ROLLBACK");
      return false;
    }
    const outcome = await work(client, claimed.ids, user);
    if (!(await finishChunk(client, taskId, claimed.chunk, claimed.ids.length, outcome))) {
      await client.query("ROLLBACK");
      return false;
    }
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * `bulk.background.atomic`: the whole task in one transaction, all or nothing. Progress is reported
 * from a second connection as it goes; only the final commit makes the rows and the counts true.
 */
async function runAtomic(context: TaskRunnerContext, task: TaskRow, work: ChunkWork, user: unknown): Promise<void> {
  const { pool } = context;
  await pool.query(`UPDATE powercrud.task SET processed = 0, succeeded = 0, failed = 0 WHERE id = $1`, [task.id]);
  try {
    await inTransaction(pool, async (client) => {
      let processed = 0;
      let succeeded = 0;
      for (;;) {
        const claimed = await claimChunk(client, task.id);
        if (!claimed) break;
        const outcome = await work(client, claimed.ids, user);
        if (outcome.failures.length) {
          const first = outcome.failures[0]!;
          throw new AtomicRefusal(`Nothing was changed: record ${first.id} could not be (${first.reason})${outcome.failures.length > 1 ? `, nor ${outcome.failures.length - 1} more in its chunk` : ""}.`);
        }
        await client.query(`UPDATE powercrud.task_chunk SET done = true WHERE "taskId" = $1 AND chunk = $2`, [task.id, claimed.chunk]);
        processed += claimed.ids.length;
        succeeded += outcome.succeeded;
        await pool.query(`UPDATE powercrud.task SET processed = $2, "heartbeatAt" = now() WHERE id = $1`, [task.id, processed]);
        await announce(pool, task.id);
      }
      const cancelled = await client.query<{ cancelled: boolean }>(`SELECT "cancelRequested" AS cancelled FROM powercrud.task WHERE id = $1`, [task.id]);
      if (cancelled.rows[0]?.cancelled) throw new AtomicRefusal("Cancelled: nothing was changed.");
      await client.query(`UPDATE powercrud.task SET processed = $2, succeeded = $3 WHERE id = $1`, [task.id, processed, succeeded]);
    });
  } catch (error) {
    if (!(error instanceof AtomicRefusal)) throw error;
    await pool.query(`UPDATE powercrud.task SET processed = 0, succeeded = 0, failed = 0 WHERE id = $1`, [task.id]);
    const cancelled = error.message.startsWith("Cancelled");
    await ended(context, cancelled ? await finishTask(pool, task.id) : await failTask(pool, task.id, error.message));
  }
}

class AtomicRefusal extends Error {}

async function ended(context: TaskRunnerContext, task: TaskRow | undefined): Promise<void> {
  if (task) await context.notifier.finished(task);
}
