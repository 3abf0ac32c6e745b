/**
 * The sweep that frees the jobs of dead workers, against the real graphile-worker tables: a worker
 * whose jobs still beat is never touched (jobs of one process share its worker id, so one job ending
 * must not make the other look dead), and a silent one is freed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHeartbeat } from "../../src/tasks/heartbeat";
import { BULK_JOB } from "../../src/tasks/interfaces";
import { sweepDeadWorkers } from "../../src/tasks/sweep";
import { connect } from "../support/database";
import { resetTasks } from "../support/task-helpers";

const db = connect();
const log = (message: string) => {
  throw new Error(message);
};

beforeAll(() => resetTasks(db.pool));
afterAll(async () => {
  await resetTasks(db.pool);
  await db.close();
});

async function lockedJob(workerId: string): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM graphile_worker.add_job($1, '{"taskId": 0}'::json)`, [BULK_JOB]);
  await db.pool.query(`UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now() - interval '1 minute' WHERE id = $1`, [rows[0]!.id, workerId]);
  return rows[0]!.id;
}

const lockedBy = async (jobId: string) => (await db.pool.query<{ locked_by: string | null }>(`SELECT locked_by FROM graphile_worker._private_jobs WHERE id = $1`, [jobId])).rows[0]!.locked_by;

it("keeps a worker's jobs while any of them beats, and frees them once all are silent", async () => {
  const first = await lockedJob("worker-a");
  const second = await lockedJob("worker-a");
  const one = startHeartbeat(db.pool, first, "worker-a", 0, 100, log);
  const two = startHeartbeat(db.pool, second, "worker-a", 0, 100, log);
  await new Promise((resolve) => setTimeout(resolve, 150));
  await one.stop();
  // The other job of the same process still beats: the worker is alive.
  expect(await sweepDeadWorkers(db.pool, 1_000)).toEqual([]);
  expect(await lockedBy(second)).toBe("worker-a");
  await two.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect(await sweepDeadWorkers(db.pool, 1_000)).toEqual(["worker-a"]);
  expect(await lockedBy(first)).toBeNull();
  expect(await lockedBy(second)).toBeNull();
});

it("never frees a job just locked, before its first beat could arrive", async () => {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text FROM graphile_worker.add_job($1, '{"taskId": 0}'::json)`, [BULK_JOB]);
  await db.pool.query(`UPDATE graphile_worker._private_jobs SET locked_by = 'worker-b', locked_at = now() WHERE id = $1`, [rows[0]!.id]);
  expect(await sweepDeadWorkers(db.pool, 1_000)).toEqual([]);
  expect(await lockedBy(rows[0]!.id)).toBe("worker-b");
});
