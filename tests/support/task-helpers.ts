/** SQL helpers for background-task tests: they read the task tables directly, independent of the code under test. */
import { expect } from "vitest";
import type pg from "pg";

export interface TaskState {
  id: number;
  status: string;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  retryOfId: number | null;
  cancelRequested: boolean;
  error: string | null;
}

export async function taskState(pool: pg.Pool, id: number): Promise<TaskState> {
  const { rows } = await pool.query<TaskState>(
    `SELECT id, status::text AS status, total, processed, succeeded, failed, "retryOfId", "cancelRequested", error FROM powercrud.task WHERE id = $1`,
    [id],
  );
  expect(rows[0], `task #${id}`).toBeDefined();
  return rows[0]!;
}

export async function taskIds(pool: pg.Pool): Promise<number[]> {
  return (await pool.query<{ id: number }>(`SELECT id FROM powercrud.task ORDER BY id`)).rows.map((row) => row.id);
}

/** Polls until the task has ended (or the time is up) and returns every distinct state seen on the way. */
export async function waitForEnd(pool: pg.Pool, id: number, timeoutMs = 30_000): Promise<{ final: TaskState; seen: TaskState[] }> {
  const seen: TaskState[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await taskState(pool, id);
    if (seen.at(-1)?.processed !== state.processed || seen.at(-1)?.status !== state.status) seen.push(state);
    if (!["PENDING", "RUNNING"].includes(state.status)) return { final: state, seen };
    if (Date.now() > until) throw new Error(`task #${id} still ${state.status} after ${timeoutMs} ms: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function failures(pool: pg.Pool, id: number): Promise<Array<{ recordId: string; reason: string }>> {
  return (await pool.query(`SELECT "recordId", reason FROM powercrud.task_failure WHERE "taskId" = $1 ORDER BY "recordId"::bigint`, [id])).rows;
}

export async function resetTasks(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE powercrud.task, powercrud.task_target, powercrud.task_chunk, powercrud.task_failure, powercrud.task_run, powercrud.journal, powercrud.record_change RESTART IDENTITY CASCADE`);
  await pool.query(`DELETE FROM graphile_worker._private_jobs`);
}
