/**
 * What the background-task tests share: SQL helpers that read the task tables directly, independent
 * of the code under test; the veto and worker of a test (TaskBench); browsers that select rows and
 * read the bulk form's selection token.
 */
import { expect } from "vitest";
import type pg from "pg";
import { seedCatalogue } from "../../src/demo/seed";
import type { PowerCrud, ResourceOptions, WorkerHandle } from "../../src/index";
import { BAR, Browser, MODAL, tokenOf } from "./bulk-fixture";
import type { TestClient } from "./test-client";

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

/**
 * The bulk.veto of a test's resources, refusing the record ids a test puts in `vetoed` (after
 * `delayMs`, to keep a chunk busy), and the in-process worker a test starts. Call `reset()` after
 * each test: the worker stops and nothing stays vetoed or slowed down.
 */
export class TaskBench {
  readonly vetoed = new Set<string>();
  delayMs = 0;
  private worker: WorkerHandle | undefined;

  constructor(private readonly reason = "Under review.") {}

  readonly veto = async (record: Record<string, unknown>): Promise<string | undefined> => {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return this.vetoed.has(String(record.id)) ? this.reason : undefined;
  };

  async startWorker(crud: PowerCrud, concurrency = 2): Promise<WorkerHandle> {
    this.worker = await crud.runWorker({ concurrency });
    return this.worker;
  }

  async reset(): Promise<void> {
    await this.worker?.stop();
    this.worker = undefined;
    this.delayMs = 0;
    this.vetoed.clear();
  }
}

/** A browser of this role that has loaded the list, so it holds a session and a CSRF token. */
export async function listBrowser(server: TestClient, role = "admin", path = "/books"): Promise<Browser> {
  const browser = new Browser(server.fork(), role);
  expect((await browser.get(`${path}/`)).status).toBe(200);
  return browser;
}

/** The session's selection token, as the bulk edit form posts it. */
export async function formToken(browser: Browser, path = "/books"): Promise<string> {
  return tokenOf((await browser.get(`${path}/_bulk/edit`, MODAL)).text);
}

/** Selects these rows of the list (as the row checkboxes do) and returns the selection token. */
export async function selectForBulk(browser: Browser, ids: number[], path = "/books"): Promise<string> {
  const selected = await browser.post(`${path}/_selection`, { op: "rows", ids: ids.join(","), selected: "1" }, { ...BAR, "HX-Current-URL": `http://127.0.0.1${path}/` });
  expect(selected.status, selected.text).toBe(200);
  return formToken(browser, path);
}

/** The catalogue the task tests work on (300 books, enough for several chunks), with no selection left over. */
export async function seedTaskCatalogue(pool: pg.Pool): Promise<void> {
  await seedCatalogue(pool, { books: 300, authors: 12, genres: 6 });
  await pool.query(`DELETE FROM powercrud.selection`);
}

/**
 * Books at /books as the task tests queue bulk work on them: title and pages listed, a status filter,
 * chunks of 20 through the test's veto, in the background from 50 records. `more` adds to it (its
 * `bulk` and `bulk.background` merged into these).
 */
export function taskBooks(veto: NonNullable<NonNullable<ResourceOptions["bulk"]>["veto"]>, more: Partial<ResourceOptions> = {}): ResourceOptions {
  const { bulk, ...rest } = more;
  return {
    model: "Book",
    list: { fields: ["title", "pages"], filters: ["status"] },
    bulkFields: ["pages", "status", "genres"],
    ...rest,
    bulk: { chunkSize: 20, veto, ...bulk, background: { minRecords: 50, ...bulk?.background } },
  };
}

/** Books at /slow-books: every bulk edit a task of one chunk at a time with a pause after each, so it stays RUNNING long enough to act on. */
export function slowBooks(chunkSize: number, pauseMs: number): ResourceOptions {
  return { model: "Book", key: "slow-books", list: { fields: ["title"] }, bulkFields: ["pages"], bulk: { chunkSize, background: { minRecords: 1, parallelism: 1, pauseMs } } };
}
