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
import { updateJournal, type JournalWriter } from "../src/history/journal-chunk";
import { createPowerCrud } from "../src/index";
import { recordHistory } from "../src/history/record-history";
import { queueRevert } from "../src/tasks/queue-revert";
import { queueTaskFor, taskRequestFor, type UserTask } from "../src/tasks/queue-for-user";
import { TaskStore } from "../src/tasks/task-store";
import type { BulkChange } from "../src/bulk/bulk-changes";
import { storedChanges } from "../src/tasks/task-plan";
import { benchServer, bookCount, fmt, interleaved, table } from "./support";

type Mode = "off" | "recorded" | "journaled";

const BOOKS = 1_000_000;
const TARGET_ROWS = 100_000;
const ROUNDS = 5;
const BACKGROUND_ROUNDS = 3;
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

  const { rows: idRows } = await pool.query<{ id: string }>(`SELECT b.id::text AS id FROM "Book" b ORDER BY b.id LIMIT $1`, [TARGET_ROWS]);
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

  // 1. The same edit of the same rows in the request's executor (one transaction), alternating:
  //    history off (nothing recorded), the task row and targets only, and those plus the journal.
  const runs: Record<Mode, number[]> = { off: [], recorded: [], journaled: [] };
  let flag = false;
  // The journal's own statements, timed inside the journaled runs: a direct measure beside the noisy difference of totals.
  const journalShares: number[] = [];
  let journalMs = 0;
  const timedJournal = (writer: JournalWriter): JournalWriter => ({
    scope: writer.scope,
    write: async (client, taskId, chunkIds) => {
      const started = performance.now();
      await writer.write(client, taskId, chunkIds);
      journalMs += performance.now() - started;
    },
  });
  for (let round = 0; round < ROUNDS; round++) {
    const order: Mode[] = round % 2 === 0 ? ["off", "recorded", "journaled"] : ["journaled", "recorded", "off"];
    for (const mode of order) {
      await reset();
      // Every run flips the flag, so each one really changes the indexed column (a run that wrote the
      // values already there would be heap-only updates, and much faster).
      flag = !flag;
      const changes = changesOf(flag);
      const record = mode === "off" ? undefined : {
        ...(mode === "journaled" ? { journal: timedJournal(updateJournal(dataModel, resource.model, changes)) } : {}),
        request: taskRequestFor(resource, req, userTask(changes)),
      };
      journalMs = 0;
      const started = performance.now();
      await runBulkNow(pool, resource, updatePlan(dataModel, resource.model, changes), ids, req, record);
      const ms = performance.now() - started;
      runs[mode].push(ms);
      if (mode === "journaled") journalShares.push(ms / (ms - journalMs));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const rate = (ms: number) => Math.round(TARGET_ROWS / (ms / 1000)).toLocaleString("en");
  const ratio = (mode: Mode, base: Mode) => `${(median(runs[mode]) / median(runs[base])).toFixed(2)}×`;

  // 2. The edit as background tasks by one worker: without a journal, with one, then its revert.
  const worker = await crud.runWorker({ concurrency: 1 });
  const background = async (changes: BulkChange[], journal: boolean) => {
    await reset();
    const task = { ...userTask(changes), ...(journal ? {} : { journal: undefined }), targets: { sql: `SELECT unnest($1::text[]) AS id`, params: [ids] } };
    const taskId = (await queueTaskFor(resource, req, task)).taskId;
    await ended(pool, taskId);
    return taskId;
  };
  const seconds = async (taskId: number) =>
    Number((await pool.query<{ s: number }>(`SELECT extract(epoch FROM "finishedAt" - "startedAt")::float AS s FROM powercrud.task WHERE id = $1`, [taskId])).rows[0]!.s);
  const taskRuns: Record<"bare" | "journaled", number[]> = { bare: [], journaled: [] };
  let edit = 0;
  // Interleaved, each round ending on the journaled edit, so the last one can be reverted as it stands.
  for (let round = 0; round < BACKGROUND_ROUNDS; round++) {
    for (const journal of [false, true]) {
      const taskId = await background(changesOf(journal), journal);
      taskRuns[journal ? "journaled" : "bare"].push(await seconds(taskId));
      edit = taskId;
    }
  }
  const revert = (await queueRevert(resource, req, (await new TaskStore(pool).find(edit))!, { force: false })).taskId;
  await ended(pool, revert);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [bareSeconds, editSeconds, revertSeconds] = [mean(taskRuns.bare), mean(taskRuns.journaled), await seconds(revert)];
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
  // The same page of a book no task has touched: its History panel is empty.
  const untouched = (await pool.query<{ id: string }>(`SELECT max(id)::text AS id FROM "Book"`)).rows[0]!.id;
  const quiet = async () => {
    const response = await fetch(`${server.base}/${untouched}`, { headers: { "hx-request": "true", "hx-target": "#pc-modal-content" } });
    const html = await response.text();
    if (response.status !== 200 || !html.includes("pc-history-empty")) throw new Error(`detail: HTTP ${response.status}`);
  };
  const [page, emptyPage] = await interleaved(detail, quiet, HISTORY_SAMPLES, 10);
  // The panel's own reads (both sources, names of related records), without HTTP and rendering.
  const [panel] = await interleaved(() => recordHistory(resource, target, {}, 20, "/tasks"), async () => undefined, HISTORY_SAMPLES, 10);
  server.close();
  const touched = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM powercrud.journal WHERE "recordId" = $1`, [target])).rows[0]!.n);
  // The bench's tasks go, as the cleanup would remove them (children first).
  for (const table of ["journal", "task_target", "task_failure", "task_chunk"]) {
    await pool.query(`DELETE FROM powercrud.${table} WHERE "taskId" IN (SELECT id FROM powercrud.task WHERE "resourceKey" = 'journal-bench')`);
  }
  await pool.query(`DELETE FROM powercrud.task WHERE "resourceKey" = 'journal-bench'`);
  await reset();
  await prisma.$disconnect();
  await pool.end();

  return [
    `Journal and revert on the ${BOOKS.toLocaleString("en")}-book table (issue #12).`,
    "",
    `Bulk edit of ${TARGET_ROWS.toLocaleString("en")} books (bestseller, editor, add genre Poetry) in the request's executor, one transaction, chunks of 5,000; median of ${ROUNDS}, alternating:`,
    "",
    table(["run", "ms", "rows/s", "vs history off"], [
      ["history off: nothing recorded", fmt(median(runs.off)), rate(median(runs.off)), "1.00×"],
      ["the task row and its 100,000 targets, no journal", fmt(median(runs.recorded)), rate(median(runs.recorded)), ratio("recorded", "off")],
      ["the task row, targets and the journal (history on)", fmt(median(runs.journaled)), rate(median(runs.journaled)), ratio("journaled", "off")],
    ]),
    "",
    `The journal alone: ${ratio("journaled", "recorded")} the time by the last two rows' medians; timed inside the journaled runs, its statements made them ${median(journalShares).toFixed(2)}× the time the rest took (median of ${ROUNDS}).`,
    "",
    `The same edit as background tasks, one worker, mean of ${BACKGROUND_ROUNDS} interleaved runs each (${TARGET_ROWS.toLocaleString("en")} rows; a background task's targets are written when it is queued), then the revert of the last journaled one:`,
    "",
    table(["task", "seconds", "rows/s", "vs without the journal"], [
      ["bulk edit, no journal (history off)", bareSeconds.toFixed(1), Math.round(TARGET_ROWS / bareSeconds).toLocaleString("en"), "1.00×"],
      ["bulk edit with the journal", editSeconds.toFixed(1), Math.round(TARGET_ROWS / editSeconds).toLocaleString("en"), `${(editSeconds / bareSeconds).toFixed(2)}×`],
      ["its revert (compare, journal, write back)", revertSeconds.toFixed(1), Math.round(TARGET_ROWS / revertSeconds).toLocaleString("en"), `${(revertSeconds / bareSeconds).toFixed(2)}×`],
    ]),
    "",
    `A book's detail view (full HTTP request, modal fragment), the book touched by ${touched.toLocaleString("en")} bulk tasks of ${HISTORY_TASK_ROWS} books each, beside the same view of a book no task touched; ${HISTORY_SAMPLES} runs, alternating:`,
    "",
    table(["request", "p50 ms", "p95 ms"], [
      ["GET /books/:id, History panel of 20 entries (newest of 1,000+)", fmt(page.p50), fmt(page.p95)],
      ["GET /books/:id, History panel empty", fmt(emptyPage.p50), fmt(emptyPage.p95)],
      ["the panel's reads alone: the record's newest 20 changes, described", fmt(panel.p50), fmt(panel.p95)],
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
