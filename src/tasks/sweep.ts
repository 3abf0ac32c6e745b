import type pg from "pg";
import { BULK_JOB, EXPORT_JOB } from "./interfaces";

/**
 * Frees the task jobs (bulk and export) of workers that died (kill -9, a lost machine). graphile-worker alone leaves a
 * dead worker's job locked for four hours; a worker that runs a task beats every few seconds, so a
 * job locked for longer than `staleAfterMs` by a worker without a recent beat is unlocked, and any
 * worker picks it up and resumes at the task's next undone chunk. A live but slow worker keeps
 * beating, so its job is never taken. Returns the worker ids that were unlocked.
 */
export async function sweepDeadWorkers(pool: pg.Pool, staleAfterMs: number): Promise<string[]> {
  const { rows } = await pool.query<{ ids: string[] }>(
    `WITH dead AS (
       SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
       WHERE j.task_identifier = ANY($1::text[]) AND j.locked_by IS NOT NULL AND j.locked_at < now() - make_interval(secs => $2::float8 / 1000)
         AND NOT EXISTS (
           SELECT 1 FROM powercrud.task_run r WHERE r."workerId" = j.locked_by AND r."beatAt" > now() - make_interval(secs => $2::float8 / 1000)
         )
     ), unlocked AS (
       SELECT graphile_worker.force_unlock_workers(ARRAY(SELECT locked_by FROM dead))
     )
     SELECT ARRAY(SELECT locked_by FROM dead) AS ids FROM unlocked`,
    [[BULK_JOB, EXPORT_JOB], staleAfterMs],
  );
  const ids = rows[0]?.ids ?? [];
  if (ids.length) await pool.query(`DELETE FROM powercrud.task_run WHERE "workerId" = ANY($1::text[])`, [ids]);
  return ids;
}
