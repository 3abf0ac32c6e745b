/**
 * A real worker process is killed with SIGKILL in the middle of a task; another one is started. The
 * task must resume from its last committed chunk (the sweep frees the dead worker's job long before
 * graphile-worker's four hours), end with exact counts, and have changed every row exactly once:
 * a trigger counts the committed UPDATEs of each row. The same holds for a revert, whose journal
 * must hold each record exactly once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedCatalogue } from "../../src/demo/seed";
import { bareApp, expectNoServerErrors } from "../support/bare-app";
import { BAR, MODAL, Browser, count } from "../support/bulk-fixture";
import { CRASH_RESOURCE, CRASH_TASKS } from "../support/crash-resource";
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
  // What the killed worker committed is exactly what its counts say.
  expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 4242`)).toBe(atKill.processed);

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
  // What the killed worker committed is exactly what its counts and its journal say. One statement,
  // one snapshot: the dead worker's backend may still commit the chunk it had sent COMMIT for.
  const { rows: [atKill] } = await db.pool.query<{ status: string; processed: number; reverted: number; journaled: number }>(
    `SELECT status::text AS status, processed,
            (SELECT count(*)::int FROM "Book" WHERE pages <> 4343) AS reverted,
            (SELECT count(*)::int FROM powercrud.journal WHERE "taskId" = $1) AS journaled
     FROM powercrud.task WHERE id = $1`,
    [revertId],
  );
  expect(atKill!.status).toBe("RUNNING");
  expect(atKill!.processed).toBeLessThan(300);
  expect(atKill!.reverted).toBe(atKill!.processed);
  expect(atKill!.journaled).toBe(atKill!.processed);

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
