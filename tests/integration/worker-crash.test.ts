/**
 * A real worker process is killed with SIGKILL in the middle of a task; another one is started. The
 * task must resume from its last committed chunk (the sweep frees the dead worker's job long before
 * graphile-worker's four hours), end with exact counts, and have changed every row exactly once:
 * a trigger counts the committed UPDATEs of each row. The same holds for a revert, whose journal
 * must hold each record exactly once. A background export killed while it stores its file starts
 * the file again: the download holds every row exactly once, nothing of the killed attempt.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors } from "../support/bare-app";
import { BAR, MODAL, Browser, count } from "../support/bulk-fixture";
import { CRASH_RESOURCE, CRASH_TASKS } from "../support/crash-resource";
import { parseCsv } from "../support/csv";
import { connect } from "../support/database";
import { resetTasks, taskState, waitFor, waitForEnd } from "../support/task-helpers";
import { TestClient } from "../support/test-client";

const db = connect();
const children: ChildProcess[] = [];
let server: TestClient;
let logged: unknown[];

beforeAll(async () => {
  await seedCatalogue(db.pool, { books: 300, authors: 12, genres: 6 });
  await resetTasks(db.pool);
  await db.pool.query(`DELETE FROM powercrud.selection`);
  await db.pool.query(`
    CREATE TABLE IF NOT EXISTS crash_test_updates (id int PRIMARY KEY, n int NOT NULL);
    TRUNCATE crash_test_updates;
    CREATE OR REPLACE FUNCTION crash_test_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO crash_test_updates VALUES (NEW.id, 1) ON CONFLICT (id) DO UPDATE SET n = crash_test_updates.n + 1;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS crash_test_count ON "Book";
    CREATE TRIGGER crash_test_count AFTER UPDATE ON "Book" FOR EACH ROW EXECUTE FUNCTION crash_test_count();
  `);
  const app = bareApp(db, (app, crud) => {
    app.use("/books", crud.resource(CRASH_RESOURCE));
    app.use("/tasks", crud.tasks());
  }, { tasks: CRASH_TASKS });
  logged = app.errors;
  server = await TestClient.start(app.app);
});

afterAll(async () => {
  await Promise.all(children.filter((child) => child.exitCode === null && child.signalCode === null).map((child) => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    return exited;
  }));
  await db.pool.query(`DROP TRIGGER IF EXISTS crash_test_count ON "Book"; DROP TABLE IF EXISTS crash_test_updates; DROP FUNCTION IF EXISTS crash_test_count()`);
  await server?.close();
  await db.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startWorkerProcess(): Promise<ChildProcess> {
  // One process (node with tsx's loader), not the tsx launcher: SIGKILL must hit the worker itself.
  const child = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/support/crash-worker.ts")], {
    env: { ...process.env, DATABASE_URL: db.url },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (data: Buffer) => data.toString().includes("worker ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

it("resumes a task whose worker was killed with SIGKILL, and ends exact with every row changed exactly once", async () => {
  const b = new Browser(server.fork(), "admin");
  await b.get("/books/");
  await b.post("/books/_selection", { op: "all", _list: "" }, BAR);
  const form = await b.get("/books/_bulk/edit", MODAL);
  const token = /name="selection" value="([^"]*)"/.exec(form.text)![1]!;
  const queued = await b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "4242" }, MODAL);
  const taskId = Number(/Open task #(\d+)/.exec(queued.text)![1]);

  const first = await startWorkerProcess();
  await waitFor("a few committed chunks", async () => (await taskState(db.pool, taskId)).processed >= 60, 60_000);
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  expect(alive(first.pid!)).toBe(false);
  const atKill = await taskState(db.pool, taskId);
  expect(atKill.status).toBe("RUNNING");
  expect(atKill.processed).toBeLessThan(300);
  // What the killed worker committed is exactly what its counts say (one snapshot: the killed
  // process's last COMMIT may still land in PostgreSQL after it exits).
  const committed = (
    await db.pool.query<{ processed: number; changed: string }>(
      `SELECT (SELECT processed FROM powercrud.task WHERE id = $1) AS processed, (SELECT count(*) FROM "Book" WHERE pages = 4242) AS changed`,
      [taskId],
    )
  ).rows[0]!;
  expect(Number(committed.changed)).toBe(committed.processed);

  const restartedAt = Date.now();
  await startWorkerProcess();
  const { final, seen } = await waitForEnd(db.pool, taskId, 60_000);
  expect(Date.now() - restartedAt).toBeLessThan(60_000);
  expect(final).toMatchObject({ status: "SUCCESS", total: 300, processed: 300, succeeded: 300, failed: 0 });
  const processed = seen.map((state) => state.processed);
  expect(processed).toEqual([...processed].sort((x, y) => x - y));
  expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 4242`)).toBe(300);
  expect(await count(db, `SELECT count(*) AS n FROM crash_test_updates WHERE n = 1`)).toBe(300);
  expect(await count(db, `SELECT count(*) AS n FROM crash_test_updates WHERE n <> 1`)).toBe(0);
  expectNoServerErrors(logged);
}, 120_000);

it("resumes a revert whose worker was killed with SIGKILL, and puts every row back exactly once", async () => {
  const b = new Browser(server.fork(), "admin");
  await b.get("/books/");
  await b.post("/books/_selection", { op: "all", _list: "" }, BAR);
  const form = await b.get("/books/_bulk/edit", MODAL);
  const token = /name="selection" value="([^"]*)"/.exec(form.text)![1]!;
  const original = new Map((await db.pool.query<{ id: number; pages: number }>(`SELECT id, pages FROM "Book"`)).rows.map((row) => [row.id, row.pages]));
  const edited = await b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "4343" }, MODAL);
  const editId = Number(/Open task #(\d+)/.exec(edited.text)![1]);
  const first = await startWorkerProcess();
  expect((await waitForEnd(db.pool, editId, 60_000)).final).toMatchObject({ status: "SUCCESS", succeeded: 300 });

  await db.pool.query(`TRUNCATE crash_test_updates`);
  const queued = await b.post(`/tasks/${editId}/revert`, {});
  expect(queued.status, queued.text).toBe(303);
  const revertId = Number(/\/tasks\/(\d+)/.exec(queued.headers.get("location")!)![1]);
  await waitFor("a few reverted chunks", async () => (await taskState(db.pool, revertId)).processed >= 60, 60_000);
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("exit", resolve));
  const atKill = await taskState(db.pool, revertId);
  expect(atKill.status).toBe("RUNNING");
  expect(atKill.processed).toBeLessThan(300);
  // What the killed worker committed is exactly what its counts and its journal say. Read in one
  // statement (one snapshot): the killed process's last COMMIT may still land in PostgreSQL after it exits.
  const committed = (
    await db.pool.query<{ processed: number; reverted: string; journaled: string }>(
      `SELECT (SELECT processed FROM powercrud.task WHERE id = $1) AS processed,
              (SELECT count(*) FROM "Book" WHERE pages <> 4343) AS reverted,
              (SELECT count(*) FROM powercrud.journal WHERE "taskId" = $1) AS journaled`,
      [revertId],
    )
  ).rows[0]!;
  expect(Number(committed.reverted)).toBe(committed.processed);
  expect(Number(committed.journaled)).toBe(committed.processed);

  await startWorkerProcess();
  const { final } = await waitForEnd(db.pool, revertId, 60_000);
  expect(final).toMatchObject({ status: "SUCCESS", total: 300, processed: 300, succeeded: 300, failed: 0 });
  const now = new Map((await db.pool.query<{ id: number; pages: number }>(`SELECT id, pages FROM "Book"`)).rows.map((row) => [row.id, row.pages]));
  expect(now).toEqual(original);
  expect(await count(db, `SELECT count(*) AS n FROM crash_test_updates WHERE n = 1`)).toBe(300);
  expect(await count(db, `SELECT count(*) AS n FROM crash_test_updates WHERE n <> 1`)).toBe(0);
  expect(await count(db, `SELECT count(*) AS n FROM powercrud.journal WHERE "taskId" = $1`, [revertId])).toBe(300);
  expectNoServerErrors(logged);
}, 120_000);

it("restarts an export whose worker was killed with SIGKILL while storing its file: the download holds every row once", async () => {
  // The killed attempt's chunk is held up in PostgreSQL (a trigger sleeps while the flag is set), so
  // the kill lands while part of its file is being stored.
  await db.pool.query(`
    CREATE TABLE IF NOT EXISTS crash_test_slow_chunks (on_ boolean);
    INSERT INTO crash_test_slow_chunks VALUES (true);
    CREATE OR REPLACE FUNCTION crash_test_slow_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM crash_test_slow_chunks) THEN PERFORM pg_sleep(1.5); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER crash_test_slow_chunk BEFORE INSERT ON powercrud.export_chunk FOR EACH ROW EXECUTE FUNCTION crash_test_slow_chunk();
  `);
  try {
    const b = new Browser(server.fork(), "admin");
    await b.get("/books/");
    const queued = await b.post("/books/_export", { format: "csv", scope: "list", _list: "sort=title" });
    expect(queued.status, queued.text).toBe(303);
    const taskId = Number(/^\/tasks\/(\d+)$/.exec(queued.headers.get("location")!)![1]);

    const first = await startWorkerProcess();
    await waitFor("the export storing its file", async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'INSERT INTO powercrud.export_chunk%'`);
      return rows.length > 0;
    }, 60_000);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    expect((await taskState(db.pool, taskId)).status).toBe("RUNNING");
    await db.pool.query(`DELETE FROM crash_test_slow_chunks`);

    await startWorkerProcess();
    const { final } = await waitForEnd(db.pool, taskId, 60_000);
    expect(final).toMatchObject({ status: "SUCCESS", total: 300, processed: 300, succeeded: 300, failed: 0 });
    const file = await b.get(`/tasks/${taskId}/download`);
    expect(file.status).toBe(200);
    const rows = parseCsv(file.text.replace(/^\uFEFF/, ""));
    expect(rows[0]).toEqual(["ID", "Title", "Pages"]);
    const { rows: books } = await db.pool.query<{ id: number }>(`SELECT id FROM "Book" ORDER BY title, id`);
    expect(rows.slice(1).filter((row) => row.length > 1).map((row) => Number(row[0]))).toEqual(books.map((book) => book.id));
    // One file for the task, and no chunk of the killed attempt anywhere.
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.export_file WHERE "taskId" = $1`, [taskId])).toBe(1);
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.export_chunk c WHERE NOT EXISTS (SELECT 1 FROM powercrud.export_file f WHERE f.id = c."fileId" AND f."completedAt" IS NOT NULL)`)).toBe(0);
    expectNoServerErrors(logged);
  } finally {
    await db.pool.query(`DROP TRIGGER IF EXISTS crash_test_slow_chunk ON powercrud.export_chunk; DROP FUNCTION IF EXISTS crash_test_slow_chunk(); DROP TABLE IF EXISTS crash_test_slow_chunks`);
  }
}, 120_000);
