import type pg from "pg";

export interface Heartbeat {
  stop(): Promise<void>;
}

/**
 * While a worker runs a task's job it records, every `everyMs`, that it is alive: a row per job with
 * the graphile-worker id that holds it (what the sweep checks: the jobs of one process share that id)
 * and the task's heartbeatAt (what pages show). It beats on a timer, not per chunk, so a slow chunk
 * never looks like a dead worker.
 */
export function startHeartbeat(pool: pg.Pool, jobId: string, workerId: string, taskId: number, everyMs: number, log: (message: string) => void): Heartbeat {
  const beat = () =>
    pool.query(
      `WITH run AS (
         INSERT INTO powercrud.task_run ("jobId", "workerId", "taskId", "beatAt") VALUES ($1, $2, $3, now())
         ON CONFLICT ("jobId") DO UPDATE SET "workerId" = EXCLUDED."workerId", "taskId" = EXCLUDED."taskId", "beatAt" = EXCLUDED."beatAt"
       )
       UPDATE powercrud.task SET "heartbeatAt" = now() WHERE id = $3 AND status = 'RUNNING'`,
      [jobId, workerId, taskId],
    );
  let current = beat().catch((error: Error) => log(`heartbeat of task #${taskId} failed: ${error.message}`));
  const timer = setInterval(() => {
    current = beat().catch((error: Error) => log(`heartbeat of task #${taskId} failed: ${error.message}`));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await current;
      await pool.query(`DELETE FROM powercrud.task_run WHERE "jobId" = $1`, [jobId]).catch(() => {});
    },
  };
}
