/**
 * Background bulk tasks with a real graphile-worker in this process against the real PostgreSQL:
 * threshold routing, exact progress, failures and retry, duplicates, locks, cancel, notifications
 * (email through a real SMTP server) and the task pages. Data is checked with SQL of its own.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import type { FinishedTask } from "../../src/index";
import { bareApp, serveBareApp, type TestUser } from "../support/bare-app";
import { BAR, MODAL, Browser, count, ids, textOf } from "../support/bulk-fixture";
import { connect } from "../support/database";
import { TestClient } from "../support/test-client";
import { TaskBench, seedTaskCatalogue, slowBooks, failures, formToken, listBrowser, resetTasks, taskIds, taskState, waitFor, waitForEnd, taskBooks } from "../support/task-helpers";

const db = connect();
const bench = new TaskBench();
const { vetoed } = bench;
const finished: FinishedTask[] = [];
const mails: Array<{ to: string; body: string }> = [];
let smtp: SMTPServer;
let crud: ReturnType<typeof bareApp>["crud"];

const served = serveBareApp(db, async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let body = "";
      stream.on("data", (chunk: Buffer) => (body += chunk.toString()));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(","), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  await seedTaskCatalogue(db.pool);
  await resetTasks(db.pool);
  const { veto } = bench;
  const app = bareApp(
    db,
    (app, crud) => {
      app.use("/books", crud.resource(taskBooks(veto, {
        bulk: { background: { notify: ["messages", "email", "callback"] } },
        permissions: { bulk: (ctx) => (ctx.user as TestUser | undefined)?.role !== "viewer" },
      })));
      app.use("/authors", crud.resource({ model: "Author", list: { fields: ["name"] }, bulk: { chunkSize: 7, background: { minRecords: 5 } } }));
      app.use("/slow-books", crud.resource(slowBooks(100, 150)));
      app.use("/tasks", crud.tasks());
    },
    {
      userKey: (user: TestUser) => user.role,
      tasks: {
        url: "/tasks",
        canManage: ({ user }) => (user as TestUser | undefined)?.role === "ops",
        onFinished: (task) => void finished.push(task),
        email: { transport: { host: "127.0.0.1", port: smtpPort, secure: false, ignoreTLS: true }, from: "powercrud@example.com", to: (user: TestUser) => `${user.role}@example.com` },
        heartbeatMs: 200,
      },
    },
  );
  crud = app.crud;
  return app;
});

afterEach(() => bench.reset());

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

beforeEach(async () => {
  await resetTasks(db.pool);
  await db.pool.query(`UPDATE "Book" SET pages = 100, status = 'DRAFT'`);
});

const startWorker = () => bench.startWorker(crud);
const browser = (role = "admin") => listBrowser(served.browser, role);

/** Selects the books with these ids (or all of them) and returns the selection token. */
async function select(b: Browser, which: number[] | "all"): Promise<string> {
  const response = which === "all"
    ? await b.post("/books/_selection", { op: "all", _list: "" }, BAR)
    : await b.post("/books/_selection", { op: "rows", ids: which.join(","), selected: "1" }, BAR);
  expect(response.status, response.text).toBe(200);
  return /name="selection" value="([^"]*)"/.exec(response.text)?.[1] ?? /data-pc-token="([^"]*)"/.exec(response.text)?.[1] ?? (await formToken(b));
}

function applyPages(b: Browser, token: string, pages: number, headers: Record<string, string> = MODAL) {
  return b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: String(pages) }, headers);
}

const taskIdIn = (html: string) => Number(/Open task #(\d+)/.exec(html)?.[1] ?? NaN);
const allBookIds = () => ids(db, `SELECT id FROM "Book" ORDER BY id`);

describe("routing by size", () => {
  it("runs a bulk edit below bulk.background.minRecords in the request, and one at or above it in the background", async () => {
    await startWorker();
    const b = await browser();
    const few = (await allBookIds()).slice(0, 49);
    const small = await applyPages(b, await select(b, few), 111);
    expect(small.status, small.text).toBe(200);
    expect(small.headers.get("hx-trigger")).toContain("pc:saved");
    // Run in the request, it is recorded as a finished task (its page can revert it).
    const [recorded] = await taskIds(db.pool);
    expect(await taskState(db.pool, recorded!)).toMatchObject({ status: "SUCCESS", total: 49, processed: 49, succeeded: 49, failed: 0 });
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 111`)).toBe(49);

    await b.post("/books/_selection", { op: "clear" }, BAR);
    const fifty = (await allBookIds()).slice(0, 50);
    const large = await applyPages(b, await select(b, fifty), 222);
    expect(large.status, large.text).toBe(200);
    expect(textOf(large.text)).toContain("Processing 50 books in the background");
    const taskId = taskIdIn(large.text);
    const { final } = await waitForEnd(db.pool, taskId);
    expect(final).toMatchObject({ status: "SUCCESS", total: 50, processed: 50, succeeded: 50, failed: 0 });
    expect(await ids(db, `SELECT id FROM "Book" WHERE pages = 222 ORDER BY id`)).toEqual(fifty);
  });

  it("keeps everything in the request when bulk.background.enabled is false for the resource", async () => {
    const app = bareApp(db, (app, crud) => {
      app.use("/books", crud.resource({ model: "Book", list: { fields: ["title"] }, bulkFields: ["pages"], bulk: { background: { enabled: false, minRecords: 1 } } }));
    });
    const other = await TestClient.start(app.app);
    try {
      const b = new Browser(other, "admin");
      await b.get("/books/");
      await b.post("/books/_selection", { op: "all", _list: "" }, BAR);
      const token = await formToken(b);
      const applied = await b.post("/books/_bulk/apply", { selection: token, _change: "pages", pages: "333" }, MODAL);
      expect(applied.status, applied.text).toBe(200);
      expect(applied.headers.get("hx-trigger")).toContain("pc:saved");
      const [recorded, ...none] = await taskIds(db.pool);
      expect(none).toEqual([]);
      expect(await taskState(db.pool, recorded!)).toMatchObject({ status: "SUCCESS", total: 300, succeeded: 300 });
      expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 333`)).toBe(300);
    } finally {
      await other.close();
    }
  });
});

describe("a background task", () => {
  it("advances its counts monotonically, chunk by chunk, and ends exact with every row changed once", async () => {
    const b = await browser();
    const response = await applyPages(b, await select(b, "all"), 444);
    const taskId = taskIdIn(response.text);
    expect(await taskState(db.pool, taskId)).toMatchObject({ status: "PENDING", total: 300, processed: 0 });
    bench.delayMs = 2;
    await startWorker();
    const { final, seen } = await waitForEnd(db.pool, taskId);
    expect(final).toMatchObject({ status: "SUCCESS", total: 300, processed: 300, succeeded: 300, failed: 0 });
    const processed = seen.map((state) => state.processed);
    expect(processed).toEqual([...processed].sort((x, y) => x - y));
    expect(processed.every((n) => n % 20 === 0 || n === 300)).toBe(true);
    expect(seen.length).toBeGreaterThan(3);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 444`)).toBe(300);
  });

  it("records each refused or failing record with its reason, lands the rest, and retries only the failures", async () => {
    const refused = (await allBookIds()).filter((_, index) => index % 100 === 5);
    for (const id of refused) vetoed.add(String(id));
    await startWorker();
    const b = await browser();
    const response = await applyPages(b, await select(b, "all"), 555);
    const taskId = taskIdIn(response.text);
    const { final } = await waitForEnd(db.pool, taskId);
    expect(refused).toHaveLength(3);
    expect(final).toMatchObject({ status: "PARTIAL", total: 300, processed: 300, succeeded: 297, failed: 3 });
    expect(await failures(db.pool, taskId)).toEqual(refused.map((id) => ({ recordId: String(id), reason: "Under review." })));
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 555`)).toBe(297);

    vetoed.clear();
    const page = await b.get(`/tasks/${taskId}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain("Retry 3 failed");
    const retried = await b.post(`/tasks/${taskId}/retry`, {});
    expect(retried.status).toBe(303);
    const retryId = Number(/\/tasks\/(\d+)/.exec(retried.headers.get("location") ?? "")?.[1]);
    expect(retryId).toBeGreaterThan(taskId);
    const retry = await waitForEnd(db.pool, retryId);
    expect(retry.final).toMatchObject({ status: "SUCCESS", total: 3, processed: 3, succeeded: 3, failed: 0, retryOfId: taskId });
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 555`)).toBe(300);
  });

  it("turns a chunk that fails as a whole (restricting foreign keys) into per-record failures and keeps the good rows", async () => {
    await startWorker();
    const spare = [];
    for (let n = 0; n < 6; n += 1) spare.push((await db.pool.query<{ id: number }>(`INSERT INTO "Author" (name) VALUES ($1) RETURNING id`, [`Spare author ${n}`])).rows[0]!.id);
    const withBooks = await ids(db, `SELECT id FROM "Author" a WHERE EXISTS (SELECT 1 FROM "Book" b WHERE b."authorId" = a.id) ORDER BY id`);
    const b = await browser();
    const selected = await b.post("/authors/_selection", { op: "all", _list: "" }, { ...BAR, "HX-Current-URL": "http://127.0.0.1/authors/" });
    expect(selected.status).toBe(200);
    // The confirmation names the blocked authors and offers no form; a stale or scripted post still
    // must not delete them: in the background each one fails with its reason.
    const token = (await db.pool.query<{ token: string }>(`SELECT token FROM powercrud.selection WHERE resource = '/authors'`)).rows[0]!.token;
    const response = await b.post("/authors/_bulk/delete", { selection: token, confirm: "yes" }, MODAL);
    expect(response.status, response.text).toBe(200);
    const taskId = taskIdIn(response.text);
    const { final } = await waitForEnd(db.pool, taskId);
    const total = withBooks.length + spare.length;
    expect(final).toMatchObject({ status: "PARTIAL", total, processed: total, succeeded: spare.length, failed: withBooks.length });
    const reasons = await failures(db.pool, taskId);
    expect(reasons.map((failure) => Number(failure.recordId))).toEqual(withBooks);
    expect(new Set(reasons.map((failure) => failure.reason))).toEqual(new Set(["Other records still refer to it; reassign or delete those first."]));
    expect(await ids(db, `SELECT id FROM "Author" ORDER BY id`)).toEqual(withBooks.concat(await ids(db, `SELECT id FROM "Author" WHERE id <> ALL($1::int[]) ORDER BY id`, [withBooks])).sort((x, y) => x - y));
    expect(await count(db, `SELECT count(*) AS n FROM "Author" WHERE id = ANY($1::int[])`, [spare])).toBe(0);
  });

  it("stops between chunks when cancelled, keeping the counts of the chunks done and leaving the rest untouched", async () => {
    bench.delayMs = 10;
    await startWorker();
    const b = await browser();
    const taskId = taskIdIn((await applyPages(b, await select(b, "all"), 666)).text);
    await waitFor("two chunks", async () => (await taskState(db.pool, taskId)).processed >= 40);
    const cancelled = await b.post(`/tasks/${taskId}/cancel`, {});
    expect(cancelled.status).toBe(303);
    const { final } = await waitForEnd(db.pool, taskId);
    expect(final.status).toBe("CANCELLED");
    expect(final.processed).toBeLessThan(300);
    expect(final.processed % 20).toBe(0);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 666`)).toBe(final.succeeded);
    // Nothing moves after the end.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 666`)).toBe(final.succeeded);
  });
});

describe("pauses between chunks", () => {
  it("waits bulk.background.pauseMs after each chunk", async () => {
    await startWorker();
    const b = await listBrowser(served.browser, "admin", "/slow-books");
    await b.post("/slow-books/_selection", { op: "all", _list: "" }, { ...BAR, "HX-Current-URL": "http://127.0.0.1/slow-books/" });
    const token = await formToken(b, "/slow-books");
    const taskId = taskIdIn((await b.post("/slow-books/_bulk/apply", { selection: token, _change: "pages", pages: "321" }, MODAL)).text);
    expect((await waitForEnd(db.pool, taskId)).final).toMatchObject({ status: "SUCCESS", processed: 300 });
    const { rows } = await db.pool.query<{ ms: number }>(`SELECT extract(epoch FROM "finishedAt" - "startedAt") * 1000 AS ms FROM powercrud.task WHERE id = $1`, [taskId]);
    // Three chunks, each followed by a 150 ms pause.
    expect(Number(rows[0]!.ms)).toBeGreaterThanOrEqual(400);
  });
});

describe("duplicates and locks", () => {
  it("answers twenty identical submissions at the same moment with one task", async () => {
    const b = await browser();
    const token = await select(b, "all");
    const answers = await Promise.all(Array.from({ length: 20 }, () => applyPages(b, token, 777)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(await taskIds(db.pool)).toHaveLength(1);
    const taskId = (await taskIds(db.pool))[0]!;
    expect(new Set(answers.map((answer) => taskIdIn(answer.text)))).toEqual(new Set([taskId]));
    expect(answers.filter((answer) => textOf(answer.text).includes("This bulk operation is already in progress"))).toHaveLength(19);
    expect(await count(db, `SELECT count(*) AS n FROM powercrud.task_target WHERE "taskId" = $1`, [taskId])).toBe(300);
  });

  it("answers 409 naming the task to single edits, deletes and other bulk changes of held records, until the task ends", async () => {
    const b = await browser();
    // The newest books, shown first in the list.
    const held = (await allBookIds()).slice(-60);
    const taskId = taskIdIn((await applyPages(b, await select(b, held), 888)).text);
    const edit = await b.get(`/books/${held[0]}/edit`, MODAL);
    expect(edit.status).toBe(409);
    expect(textOf(edit.text)).toContain(`is being changed by bulk task #${taskId}`);
    expect(edit.text).toContain(`href="/tasks/${taskId}"`);
    const save = await b.post(`/books/${held[0]}`, { title: "x" });
    expect(save.status).toBe(409);
    expect((await b.get(`/books/${held[1]}/delete`)).status).toBe(409);
    expect((await b.post(`/books/${held[1]}/delete`, {})).status).toBe(409);
    const list = await b.get("/books/");
    expect(list.text).toContain(`data-pc-held="${taskId}"`);

    // A second, overlapping bulk change: in the request and in the background.
    await b.post("/books/_selection", { op: "clear" }, BAR);
    const sync = await b.post("/books/_bulk/apply", { selection: await select(b, held.slice(0, 5)), _change: "pages", pages: "1" }, MODAL);
    expect(sync.status).toBe(409);
    expect(textOf(sync.text)).toContain(`bulk task #${taskId}`);
    await b.post("/books/_selection", { op: "clear" }, BAR);
    const overlapping = await b.post("/books/_bulk/apply", { selection: await select(b, "all"), _change: "status", status: "PUBLISHED" }, MODAL);
    expect(overlapping.status).toBe(409);
    expect(textOf(overlapping.text)).toContain(`bulk task #${taskId}`);
    expect(overlapping.text).toContain(`href="/tasks/${taskId}"`);
    expect(await taskIds(db.pool)).toEqual([taskId]);

    // Another user may not cancel it; its owner may, and the records are free again.
    expect((await new Browser(served.browser.fork(), "editor").post(`/tasks/${taskId}/cancel`, {})).status).toBe(403);
    expect((await b.post(`/tasks/${taskId}/cancel`, {})).status).toBe(303);
    expect((await taskState(db.pool, taskId)).status).toBe("CANCELLED");
    expect((await b.get(`/books/${held[0]}/edit`, MODAL)).status).toBe(200);
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 888`)).toBe(0);
  });
});

describe("notifications and pages", () => {
  it("tells the user through every configured channel once the task ends", async () => {
    mails.length = 0;
    finished.length = 0;
    await startWorker();
    const b = await browser("editor");
    const taskId = taskIdIn((await applyPages(b, await select(b, "all"), 999)).text);
    await waitForEnd(db.pool, taskId);
    await waitFor("the email", async () => mails.length > 0);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toBe("editor@example.com");
    expect(mails[0]!.body).toContain(`Bulk task #${taskId} finished`);
    expect(mails[0]!.body).toContain("/tasks/" + taskId);
    expect(finished.map((task) => [task.id, task.status, task.succeeded])).toEqual([[taskId, "SUCCESS", 300]]);
    expect(finished[0]!.url).toBe(`/tasks/${taskId}`);
    const next = await b.get("/books/");
    expect(textOf(next.text)).toContain(`Bulk task #${taskId} finished`);
    expect(textOf((await b.get("/books/")).text)).not.toContain(`Bulk task #${taskId} finished`);
    mails.length = 0;
    finished.length = 0;
  });

  it("shows a task to its owner and to managers only, with its progress fragment", async () => {
    const b = await browser("editor");
    const taskId = taskIdIn((await applyPages(b, await select(b, "all"), 123)).text);
    const own = await b.get(`/tasks/${taskId}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('role="progressbar"');
    expect(own.text).toContain('aria-valuenow="0"');
    expect((await new Browser(served.browser.fork(), "admin").get(`/tasks/${taskId}`)).status).toBe(403);
    expect((await new Browser(served.browser.fork(), "ops").get(`/tasks/${taskId}`)).status).toBe(200);
    expect((await b.get(`/tasks/999999`)).status).toBe(404);
    expect((await b.get(`/tasks/abc`)).status).toBe(404);
    const list = await new Browser(served.browser.fork(), "admin").get(`/tasks/`);
    expect(list.text).not.toContain(`/tasks/${taskId}"`);
    expect((await new Browser(served.browser.fork(), "ops").get(`/tasks/`)).text).toContain(`/tasks/${taskId}"`);

    // No worker has taken the job for a while: the page says so.
    await db.pool.query(`UPDATE graphile_worker._private_jobs SET run_at = now() - interval '1 minute'`);
    const progress = await b.get(`/tasks/${taskId}/progress`, { "HX-Request": "true" });
    expect(textOf(progress.text)).toContain("Waiting for a worker");
    await startWorker();
    await waitForEnd(db.pool, taskId);
    const ended = await b.get(`/tasks/${taskId}/progress?was=active`, { "HX-Request": "true" });
    expect(ended.text).not.toContain("every 1s");
    expect(ended.headers.get("hx-trigger")).toContain("pc:task-finished");
  });

  it("refuses to queue, changing nothing, when graphile-worker's schema is missing", async () => {
    const b = await browser();
    const token = await select(b, "all");
    await db.pool.query(`ALTER SCHEMA graphile_worker RENAME TO graphile_worker_hidden`);
    try {
      const response = await applyPages(b, token, 4321);
      expect(response.status).toBe(503);
      expect(textOf(response.text)).toContain("Background tasks are not set up");
      // A 503 is logged for the administrator, as every 5xx is.
      expect(served.app.errors.splice(0).map(String)).toEqual([expect.stringContaining("Background tasks are not set up")]);
      expect(await taskIds(db.pool)).toEqual([]);
    } finally {
      await db.pool.query(`ALTER SCHEMA graphile_worker_hidden RENAME TO graphile_worker`);
    }
    expect(await count(db, `SELECT count(*) AS n FROM "Book" WHERE pages = 4321`)).toBe(0);
  });
});
