import { performance } from "node:perf_hooks";
import type { Request } from "express";
import type pg from "pg";
import { dataModel } from "../src/generated/powercrud";
import { createPool, createPrisma } from "../src/db/clients";
import { parseBulkChanges } from "../src/bulk/bulk-changes";
import { updatePlan } from "../src/bulk/bulk-plan";
import { runBulkNow } from "../src/bulk/run-bulk";
import { bookResource } from "../src/demo/resources";
import { seedCatalogue } from "../src/demo/seed";
import { updateJournal } from "../src/history/journal-chunk";
import { createPowerCrud } from "../src/index";
import { queueRevert } from "../src/tasks/queue-revert";
import { queueTaskFor, taskRequestFor, type UserTask } from "../src/tasks/queue-for-user";
import { TaskStore } from "../src/tasks/task-store";
import type { BulkChange } from "../src/bulk/bulk-changes";
import { storedChanges } from "../src/tasks/task-plan";
import { benchServer, bookCount, fmt, percentiles, table } from "./support";

const BOOKS = 1_000_000;
const TARGET_ROWS = 100_000;
const ROUNDS = 3;
const HISTORY_TASKS = 1_000;
const HISTORY_TASK_ROWS = 100;
const HISTORY_SAMPLES = 200;

/**
 * Issue #12's figures on the 1,000,000-book table: the 100,000-book bulk edit with and without its
 * journal in the same run (alternating, median of 3), a revert's rows per second beside the edit's
 * (both background tasks run by a worker in this process), and a record's detail page, History panel
 * included, when 1,000 bulk tasks have touched that record.
 */
export async function journalBench(url: string): Promise<string> {
  const pool = createPool(url, 6);
  if ((await bookCount(url)) !== BOOKS) {
    console.log(`Seeding ${BOOKS.toLocaleString("en")} books (once; kept for later runs) ...`);
    await seedCatalogue(pool, { books: BOOKS, authors: 300, genres: 20 });
  }
  const prisma = createPrisma(url);
  const crud = createPowerCrud({ prisma, pool, dataModel, getUser: () => ({ id: 1, name: "Bench" }) });
  const resource = crud.resource({ ...bookResource, key: "journal-bench", bulk: { background: { minRecords: 1, parallelism: 1 } } }).resource;
  await crud.ready();
  const req = {} as Request;

  const { rows: idRows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "Book" ORDER BY id LIMIT $1`, [TARGET_ROWS]);
  const ids = idRows.map((row) => row.id);
  const { rows: picks } = await pool.query<{ editor: number; genre: number }>(
    `SELECT (SELECT id FROM "Author" ORDER BY id LIMIT 1) AS editor, (SELECT id FROM "Genre" WHERE name = 'Poetry') AS genre`,
  );
  const { editor, genre } = picks[0]!;
  const changesOf = (flag: boolean) => {
    const parsed = parseBulkChanges(resource.bulkFields, {
      _change: ["bestseller", "editorId", "genres"], bestseller: String(flag), editorId: String(editor), genres: String(genre), "genres._mode": "add",
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed));
    return parsed.changes;
  };
  const reset = async () => {
    await pool.query(`DELETE FROM "_BookToGenre" WHERE "A" = ANY($1::int[]) AND "B" = $2`, [ids, genre]);
    await pool.query(`VACUUM ANALYZE "Book", "_BookToGenre", powercrud.journal`);
  };

  // 1. The same edit of the same rows, in the request's executor (one transaction), bare and journaled.
  const plain: number[] = [];
  const journaled: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const withJournal of round % 2 === 0 ? [false, true] : [true, false]) {
      await reset();
      const changes = changesOf(round % 2 === 0);
      const record = withJournal
        ? { journal: updateJournal(dataModel, resource.model, changes), request: taskRequestFor(resource, req, userTask(changes)) }
        : undefined;
      const started = performance.now();
      await runBulkNow(pool, resource, updatePlan(dataModel, resource.model, changes), ids, req, record);
      (withJournal ? journaled : plain).push(performance.now() - started);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rate = (ms: number) => Math.round(TARGET_ROWS / (ms / 1000)).toLocaleString("en");

  // 2. The edit as a background task, then its revert, each by one worker.
  await reset();
  const worker = await crud.runWorker({ concurrency: 1 });
  const edit = (await queueTaskFor(resource, req, { ...userTask(changesOf(true)), targets: { sql: `SELECT unnest($1::text[]) AS id`, params: [ids] } })).taskId;
  await ended(pool, edit);
  const editTask = (await new TaskStore(pool).find(edit))!;
  const revert = (await queueRevert(resource, req, editTask, { force: false })).taskId;
  await ended(pool, revert);
  const seconds = async (taskId: number) =>
    Number((await pool.query<{ s: number }>(`SELECT extract(epoch FROM "finishedAt" - "startedAt")::float AS s FROM powercrud.task WHERE id = $1`, [taskId])).rows[0]!.s);
  const editSeconds = await seconds(edit);
  const revertSeconds = await seconds(revert);
  await worker.stop();

  // 3. One record touched by 1,000 tasks of 100 records each, run the way the request path runs them.
  const target = ids[ids.length - 1]!;
  const neighbours = ids.slice(0, 5_000);
  for (let n = 0; n < HISTORY_TASKS; n++) {
    const some = [target, ...neighbours.slice((n * 37) % 4_900, ((n * 37) % 4_900) + HISTORY_TASK_ROWS - 1)];
    const changes = changesOf(n % 2 === 0).slice(0, 1);
    await runBulkNow(pool, resource, updatePlan(dataModel, resource.model, changes), some, req, {
      journal: updateJournal(dataModel, resource.model, changes),
      request: taskRequestFor(resource, req, userTask(changes)),
    });
  }
  const server = await benchServer(pool, prisma);
  const detail = async () => {
    const response = await fetch(`${server.base}/${target}`, { headers: { "hx-request": "true", "hx-target": "#pc-modal-content" } });
    const html = await response.text();
    if (response.status !== 200 || !html.includes("pc-history-entry")) throw new Error(`detail: HTTP ${response.status}`);
  };
  const bare = async () => pool.query(`SELECT * FROM "Book" WHERE id = $1`, [Number(target)]);
  const timings: number[] = [];
  const bareTimings: number[] = [];
  for (let i = 0; i < HISTORY_SAMPLES + 10; i++) {
    const start = performance.now();
    await detail();
    const middle = performance.now();
    await bare();
    if (i >= 10) {
      timings.push(middle - start);
      bareTimings.push(performance.now() - middle);
    }
  }
  server.close();
  const touched = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM powercrud.journal WHERE "recordId" = $1`, [target])).rows[0]!.n);
  const page = percentiles(timings);
  const row = percentiles(bareTimings);
  await pool.query(`DELETE FROM powercrud.journal; DELETE FROM powercrud.task_target WHERE "taskId" IN (SELECT id FROM powercrud.task WHERE "resourceKey" = 'journal-bench'); DELETE FROM powercrud.task_failure WHERE "taskId" IN (SELECT id FROM powercrud.task WHERE "resourceKey" = 'journal-bench'); DELETE FROM powercrud.task WHERE "resourceKey" = 'journal-bench'`);
  await reset();
  await prisma.$disconnect();
  await pool.end();

  return [
    `Journal and revert on the ${BOOKS.toLocaleString("en")}-book table (issue #12).`,
    "",
    `Bulk edit of ${TARGET_ROWS.toLocaleString("en")} books (bestseller, editor, add genre Poetry) in the request's executor, one transaction, chunks of 5,000; median of ${ROUNDS}, alternating:`,
    "",
    table(["run", "ms", "rows/s", "vs without"], [
      ["without the journal", fmt(median(plain)), rate(median(plain)), "1.00×"],
      ["with the journal (one INSERT ... SELECT per chunk)", fmt(median(journaled)), rate(median(journaled)), `${(median(journaled) / median(plain)).toFixed(2)}×`],
    ]),
    "",
    `The same edit as a background task and its revert, one worker each (${editTask.total.toLocaleString("en")} rows):`,
    "",
    table(["task", "seconds", "rows/s"], [
      ["bulk edit (journaled)", editSeconds.toFixed(1), Math.round(editTask.total / editSeconds).toLocaleString("en")],
      ["its revert (compare, journal, write back)", revertSeconds.toFixed(1), Math.round(editTask.total / revertSeconds).toLocaleString("en")],
    ]),
    "",
    `A book's detail view with its History panel, the book touched by ${touched.toLocaleString("en")} bulk tasks (of ${HISTORY_TASK_ROWS} books each), full HTTP request, ${HISTORY_SAMPLES} runs:`,
    "",
    table(["request", "p50 ms", "p95 ms"], [
      ["GET /books/:id (modal fragment, History panel of 20 entries)", fmt(page.p50), fmt(page.p95)],
      ["bare SELECT of the book's row, for scale", fmt(row.p50), fmt(row.p95)],
    ]),
  ].join("\n");
}

/** A bulk edit of the bench's books, journaled, as the bulk routes describe it. */
function userTask(changes: BulkChange[]): UserTask {
  return {
    operation: "update",
    changes: storedChanges(changes),
    journal: updateJournal(dataModel, bookModel(), changes).scope,
    description: "Bench edit",
    resourceUrl: "/books",
    targets: { sql: "", params: [] },
    targetsKey: `bench:${performance.now()}`,
    filterQuery: "",
    selectionMode: "ids",
  };
}

function bookModel() {
  return dataModel.models.Book!;
}

/** Waits until the task has ended. */
async function ended(pool: pg.Pool, taskId: number): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ status: string }>(`SELECT status::text AS status FROM powercrud.task WHERE id = $1`, [taskId]);
    if (!["PENDING", "RUNNING"].includes(rows[0]!.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
